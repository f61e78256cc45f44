package action

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// fetchTree downloads the directory at rawURL (relative to the template's base URL) into dir,
// charging q (nil when dir is not in the workspace).
func fetchTree(ctx context.Context, c *Context, rawURL, dir string, q *Quota) error {
	target, err := resolveURL(rawURL, c.Template.BaseURL)
	if err != nil {
		return err
	}
	if local, ok, err := localSource(target, c.Template.BaseURL); err != nil {
		return err
	} else if ok {
		fi, err := os.Stat(local)
		if err != nil {
			return fmt.Errorf("fetch %s: %w", rawURL, err)
		}
		if !fi.IsDir() {
			return fmt.Errorf("fetch %s: not a directory", rawURL)
		}
		return copyDir(ctx, local, dir, q)
	}
	if c.Reader == nil {
		return fmt.Errorf("fetch %s: no url reader is configured", target)
	}
	if err := c.Reader.ReadTree(ctx, target, dir); err != nil {
		return fmt.Errorf("fetch %s: %w", target, err)
	}
	return nil
}

// fetchFile reads the file at rawURL (relative to the template's base URL).
func fetchFile(ctx context.Context, c *Context, rawURL string) ([]byte, error) {
	target, err := resolveURL(rawURL, c.Template.BaseURL)
	if err != nil {
		return nil, err
	}
	if local, ok, err := localSource(target, c.Template.BaseURL); err != nil {
		return nil, err
	} else if ok {
		b, err := os.ReadFile(local)
		if err != nil {
			return nil, fmt.Errorf("fetch %s: %w", rawURL, err)
		}
		return b, nil
	}
	if c.Reader == nil {
		return nil, fmt.Errorf("fetch %s: no url reader is configured", target)
	}
	b, err := c.Reader.ReadURL(ctx, target)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", target, err)
	}
	return b, nil
}

// localSource reports whether target is a file:// URL inside the directory of a file://
// template base (a template read from disk, or a dry run's uploaded files). Those are read
// straight from disk, confined to the template's directory like Backstage's
// resolveSafeChildPath; other file:// URLs go through the URL reader and its local roots.
func localSource(target, base string) (string, bool, error) {
	if !strings.HasPrefix(target, "file://") || !strings.HasPrefix(base, "file://") {
		return "", false, nil
	}
	tu, err := url.Parse(target)
	if err != nil {
		return "", false, inputErr("invalid url %q: %v", target, err)
	}
	bu, err := url.Parse(base)
	if err != nil {
		return "", false, inputErr("invalid template base URL %q: %v", base, err)
	}
	baseDir := filepath.FromSlash(bu.Path)
	if !strings.HasSuffix(bu.Path, "/") {
		baseDir = filepath.Dir(baseDir)
	}
	rel, err := filepath.Rel(baseDir, filepath.FromSlash(tu.Path))
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false, fmt.Errorf("fetch %s: %w", target, ErrPathEscape)
	}
	p, err := ResolvePath(baseDir, rel)
	if err != nil {
		return "", false, fmt.Errorf("fetch %s: %w", target, err)
	}
	return p, true, nil
}

// walkCopy walks src, calling fn with each entry's path, its path relative to src, the path
// it is copied to under dst and its info; it stops when ctx is done.
func walkCopy(ctx context.Context, src, dst string, fn func(p, rel, out string, d fs.DirEntry, info fs.FileInfo) error) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return fn(p, rel, filepath.Join(dst, rel), d, info)
	})
}

// copyDir copies the regular files and directories under src into dst, keeping file modes,
// and charges them to q (nil: no limits). Symlinks are recreated only when their fully
// resolved target is inside src (see linkTarget).
func copyDir(ctx context.Context, src, dst string, q *Quota) error {
	return walkCopy(ctx, src, dst, func(p, rel, out string, d fs.DirEntry, info fs.FileInfo) error {
		switch {
		case d.IsDir():
			if rel != "." {
				if err := q.Charge(0, 1); err != nil {
					return err
				}
			}
			return os.MkdirAll(out, info.Mode().Perm()|0o700)
		case d.Type()&fs.ModeSymlink != 0:
			link, err := linkTarget(src, p)
			if err != nil {
				return nil // dangling, or leaving the tree: left out
			}
			if err := q.Charge(0, 1); err != nil {
				return err
			}
			return placeLink(dst, out, link)
		case d.Type().IsRegular():
			if err := q.Charge(info.Size(), 1); err != nil {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(out, b, info.Mode().Perm())
		}
		return nil
	})
}

// linkTarget resolves the symlink at p, found in the tree rooted at root, the way the kernel
// would (through every link on the way, `..` applied to real directories) and returns the
// text of an equivalent relative link: the path from the link's real directory to its final
// target. A link whose target is missing or leaves root is refused: checking the link's text
// as a path is not enough, since `d/up -> ..` makes `esc -> d/up/..` point above root.
func linkTarget(root, p string) (string, error) {
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return "", err
	}
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", fmt.Errorf("link %s: %w", p, ErrPathEscape)
	}
	if !within(realRoot, real) {
		return "", fmt.Errorf("link %s: %w", p, ErrPathEscape)
	}
	realDir, err := filepath.EvalSymlinks(filepath.Dir(p))
	if err != nil {
		return "", err
	}
	return filepath.Rel(realDir, real)
}

// placeLink creates the symlink at out (below root) with the relative text link, refusing a
// link whose target, taken from the real directory that will hold it, leaves root.
func placeLink(root, out, link string) error {
	realRoot, err := realPath(root)
	if err != nil {
		return err
	}
	dir, err := realPath(filepath.Dir(out))
	if err != nil {
		return err
	}
	if filepath.IsAbs(link) || !within(realRoot, filepath.Join(dir, link)) {
		return fmt.Errorf("link %s: %w", out, ErrPathEscape)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	return os.Symlink(link, out)
}

func newFetchPlain() Action {
	return &builtin{
		id:          "fetch:plain",
		description: "Downloads content and places it in the workspace, or optionally in a subdirectory specified by the `targetPath` input option.",
		dryRun:      true,
		schema: schema(`{"type":"object","required":["url"],"properties":{
"url":{"type":"string","title":"Fetch URL","description":"Relative path or absolute URL pointing to the directory tree to fetch"},
"targetPath":{"type":"string","title":"Target Path","description":"Target path within the working directory to download the contents to."},
"token":{"type":"string","title":"Token","description":"An optional token to use for authentication when reading the resources."}}}`, ""),
		examples: []Example{{Description: "Downloads content and places it in the workspace.", Example: "steps:\n  - action: fetch:plain\n    id: fetch-plain\n    name: Fetch plain\n    input:\n      url: ./plain\n"}},
		handle: func(ctx context.Context, c *Context) error {
			if err := require(c.Input, "url"); err != nil {
				return err
			}
			out, err := ResolvePath(c.Workspace, strDefault(c.Input, "targetPath", "./"))
			if err != nil {
				return err
			}
			c.log().Info("Fetching plain content from remote URL")
			return fetchTree(ctx, c, str(c.Input, "url"), out, c.Quota)
		},
	}
}

func newFetchPlainFile() Action {
	return &builtin{
		id:          "fetch:plain:file",
		description: "Downloads single file and places it in the workspace.",
		dryRun:      true,
		schema: schema(`{"type":"object","required":["url","targetPath"],"properties":{
"url":{"type":"string","title":"Fetch URL","description":"Relative path or absolute URL pointing to the single file to fetch."},
"targetPath":{"type":"string","title":"Target Path","description":"Target path within the working directory to download the file as."},
"token":{"type":"string","title":"Token","description":"An optional token to use for authentication when reading the resources."}}}`, ""),
		handle: func(ctx context.Context, c *Context) error {
			if err := require(c.Input, "url", "targetPath"); err != nil {
				return err
			}
			out, err := ResolvePath(c.Workspace, str(c.Input, "targetPath"))
			if err != nil {
				return err
			}
			c.log().Info("Fetching plain file from remote URL")
			b, err := fetchFile(ctx, c, str(c.Input, "url"))
			if err != nil {
				return err
			}
			return c.WriteFile(out, b, 0o644)
		},
	}
}

func writeFile(path string, b []byte, mode fs.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(path, b, mode); err != nil {
		return err
	}
	return nil
}

func exists(path string) bool {
	_, err := os.Lstat(path)
	return !errors.Is(err, fs.ErrNotExist)
}
