package urlreader

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"time"
)

// File is one file of a Tree.
type File struct {
	// Path is relative to the tree root, "/"-separated.
	Path string
	// Content reads the file; it may be called more than once.
	Content      func() ([]byte, error)
	LastModified time.Time
}

// Tree is a directory read by ReadTree.
type Tree struct {
	// ETag identifies this version: the commit id for git sources, a hash
	// of names, sizes and times for local ones.
	ETag  string
	files []File
}

// NewTree builds a Tree from files, for sources outside this package and
// for tests.
func NewTree(etag string, files []File) *Tree {
	return &Tree{ETag: etag, files: slices.Clone(files)}
}

// Files returns the tree's files, sorted by path.
func (t *Tree) Files() []File {
	return slices.Clone(t.files)
}

// Dir writes the tree into target, creating it if needed. It refuses, with
// ErrUnsafePath, any entry that is absolute, has a ".." segment, or would
// be written through a symlink, so a hostile tree cannot write outside
// target.
func (t *Tree) Dir(ctx context.Context, target string) error {
	if err := os.MkdirAll(target, 0o755); err != nil {
		return fmt.Errorf("extract tree: %w", err)
	}
	root, err := os.OpenRoot(target)
	if err != nil {
		return fmt.Errorf("extract tree: %w", err)
	}
	defer root.Close()
	for _, f := range t.files {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := writeTreeFile(root, f); err != nil {
			return fmt.Errorf("extract tree: %q: %w", f.Path, err)
		}
	}
	return nil
}

func writeTreeFile(root *os.Root, f File) error {
	if err := checkTreePath(f.Path); err != nil {
		return err
	}
	// Refuse symlinks on the way, even ones pointing inside target: os.Root
	// would already refuse escapes, this also keeps writes where they look.
	segs := strings.Split(f.Path, "/")
	for i := range segs {
		fi, err := root.Lstat(strings.Join(segs[:i+1], "/"))
		if errors.Is(err, fs.ErrNotExist) {
			break
		}
		if err != nil {
			return err
		}
		if fi.Mode()&fs.ModeSymlink != 0 {
			return fmt.Errorf("%s is a symlink: %w", strings.Join(segs[:i+1], "/"), ErrUnsafePath)
		}
	}
	if dir := path.Dir(f.Path); dir != "." {
		if err := root.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	data, err := f.Content()
	if err != nil {
		return err
	}
	return root.WriteFile(f.Path, data, 0o644)
}

// checkTreePath accepts only clean relative paths.
func checkTreePath(p string) error {
	if p == "" || strings.HasPrefix(p, "/") || strings.ContainsAny(p, "\\\x00") {
		return fmt.Errorf("not a relative path: %w", ErrUnsafePath)
	}
	for seg := range strings.SplitSeq(p, "/") {
		if seg == ".." || seg == "." || seg == "" {
			return fmt.Errorf("not a clean path: %w", ErrUnsafePath)
		}
	}
	return nil
}
