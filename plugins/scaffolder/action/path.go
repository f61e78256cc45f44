package action

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ErrPathEscape is returned for a path that would leave the workspace.
var ErrPathEscape = errors.New("relative path is not allowed to refer to a directory outside its parent")

// ResolvePath joins rel to workspace and returns the absolute result. It refuses absolute
// paths, paths whose ".." segments climb above workspace, and paths that reach outside
// workspace through a symlink in any existing part (the last part may be a symlink only if it
// points inside). rel may be "" or "." for the workspace itself.
func ResolvePath(workspace, rel string) (string, error) {
	if filepath.IsAbs(rel) || strings.HasPrefix(rel, "/") || strings.HasPrefix(rel, `\`) {
		return "", fmt.Errorf("path %q: absolute paths are not allowed: %w", rel, ErrPathEscape)
	}
	root, err := filepath.Abs(workspace)
	if err != nil {
		return "", fmt.Errorf("path %q: %w", rel, err)
	}
	root = filepath.Clean(root)
	joined := filepath.Join(root, filepath.FromSlash(rel))
	if !within(root, joined) {
		return "", fmt.Errorf("path %q: %w", rel, ErrPathEscape)
	}
	// Follow symlinks of the existing prefix: the real location must stay inside the real
	// workspace.
	realRoot, err := realPath(root)
	if err != nil {
		return "", fmt.Errorf("path %q: %w", rel, err)
	}
	real, err := realPath(joined)
	if err != nil {
		return "", fmt.Errorf("path %q: %w", rel, err)
	}
	if !within(realRoot, real) {
		return "", fmt.Errorf("path %q: %w", rel, ErrPathEscape)
	}
	return joined, nil
}

// within reports whether p is root or below it (both clean and absolute).
func within(root, p string) bool {
	if p == root {
		return true
	}
	r, err := filepath.Rel(root, p)
	return err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator))
}

// realPath resolves the symlinks of the longest existing prefix of p and appends the rest.
// A dangling symlink in the prefix is refused rather than guessed at.
func realPath(p string) (string, error) {
	existing := p
	var rest []string
	for {
		if _, err := os.Lstat(existing); err == nil {
			break
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(existing)
		if parent == existing {
			break
		}
		rest = append(rest, filepath.Base(existing))
		existing = parent
	}
	real, err := filepath.EvalSymlinks(existing)
	if err != nil {
		return "", ErrPathEscape
	}
	for i := len(rest) - 1; i >= 0; i-- {
		real = filepath.Join(real, rest[i])
	}
	return real, nil
}
