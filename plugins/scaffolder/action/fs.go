package action

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/bmatcuk/doublestar/v4"
)

func newFsDelete() Action {
	return &builtin{
		id:          "fs:delete",
		description: "Deletes files and directories from the workspace",
		dryRun:      true,
		schema: schema(`{"type":"object","required":["files"],"properties":{
"files":{"type":"array","items":{"type":"string"},"title":"Files","description":"A list of files and directories that will be deleted. Glob patterns are supported; dotfiles are matched."}}}`, ""),
		examples: []Example{{Description: "Delete specified files", Example: "steps:\n  - action: fs:delete\n    id: deleteFiles\n    name: Delete files\n    input:\n      files:\n        - file1.txt\n        - 'docs/**/*.md'\n"}},
		handle: func(ctx context.Context, c *Context) error {
			if _, ok := c.Input["files"].([]any); !ok {
				if _, ok := c.Input["files"].([]string); !ok {
					return inputErr("fs:delete: files must be an array of strings")
				}
			}
			root := os.DirFS(c.Workspace)
			for _, pattern := range strSlice(c.Input, "files") {
				if err := ctx.Err(); err != nil {
					return err
				}
				// Check the pattern itself first, so "../x" or "/etc" fail loudly rather
				// than matching nothing.
				if _, err := ResolvePath(c.Workspace, pattern); err != nil {
					return fmt.Errorf("fs:delete: %w", err)
				}
				clean := filepath.ToSlash(filepath.Clean(pattern))
				matches, err := doublestar.Glob(root, clean, doublestar.WithNoFollow())
				if err != nil {
					return inputErr("fs:delete: invalid pattern %q: %v", pattern, err)
				}
				for _, m := range matches {
					p, err := ResolvePath(c.Workspace, m)
					if err != nil {
						return fmt.Errorf("fs:delete: %w", err)
					}
					if p == filepath.Clean(c.Workspace) {
						continue
					}
					if err := os.RemoveAll(p); err != nil {
						return fmt.Errorf("fs:delete: %w", err)
					}
					c.log().Info("File deleted", "path", m)
				}
			}
			return nil
		},
	}
}

func newFsRename() Action {
	return &builtin{
		id:          "fs:rename",
		description: "Renames files and directories within the workspace",
		dryRun:      true,
		schema: schema(`{"type":"object","required":["files"],"properties":{
"files":{"type":"array","title":"Files","description":"A list of file and directory names that will be renamed","items":{"type":"object","required":["from","to"],"properties":{
"from":{"type":"string","title":"The source location of the file to be renamed"},
"to":{"type":"string","title":"The destination of the new file"},
"overwrite":{"type":"boolean","title":"Overwrite existing file or directory, default is false"}}}}}}`, ""),
		handle: func(ctx context.Context, c *Context) error {
			files, ok := c.Input["files"].([]any)
			if !ok {
				return inputErr("fs:rename: files must be an array of objects")
			}
			for _, f := range files {
				if err := ctx.Err(); err != nil {
					return err
				}
				m, _ := f.(map[string]any)
				from, to := str(m, "from"), str(m, "to")
				if from == "" || to == "" {
					return inputErr("fs:rename: each file needs from and to, got %v", f)
				}
				src, err := ResolvePath(c.Workspace, from)
				if err != nil {
					return fmt.Errorf("fs:rename: %w", err)
				}
				dst, err := ResolvePath(c.Workspace, to)
				if err != nil {
					return fmt.Errorf("fs:rename: %w", err)
				}
				if !exists(src) {
					return fmt.Errorf("fs:rename: the file %s does not exist", from)
				}
				if exists(dst) {
					if !boolean(m, "overwrite") {
						return fmt.Errorf("fs:rename: the file %s already exists", to)
					}
					if err := os.RemoveAll(dst); err != nil {
						return fmt.Errorf("fs:rename: %w", err)
					}
				}
				if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
					return fmt.Errorf("fs:rename: %w", err)
				}
				if err := os.Rename(src, dst); err != nil {
					return fmt.Errorf("fs:rename: %w", err)
				}
				c.log().Info("File renamed", "from", from, "to", to)
			}
			return nil
		},
	}
}

func newFsReaddir() Action {
	entry := `{"type":"array","items":{"type":"object","required":["name","path","fullPath"],"properties":{"name":{"type":"string"},"path":{"type":"string"},"fullPath":{"type":"string"}}}}`
	return &builtin{
		id:          "fs:readdir",
		description: "Reads files and directories from the workspace",
		dryRun:      true,
		schema: schema(`{"type":"object","required":["paths"],"properties":{
"paths":{"type":"array","items":{"type":"string"},"title":"Paths","description":"A list of directories in the workspace to read"},
"recursive":{"type":"boolean","title":"Recursive","description":"Read sub-directories too (default false)"}}}`,
			`{"type":"object","required":["files","folders"],"properties":{"files":`+entry+`,"folders":`+entry+`}}`),
		handle: func(ctx context.Context, c *Context) error {
			files, folders := []any{}, []any{}
			recursive := boolean(c.Input, "recursive")
			ws := filepath.Clean(c.Workspace)
			for _, rel := range strSlice(c.Input, "paths") {
				dir, err := ResolvePath(c.Workspace, rel)
				if err != nil {
					return fmt.Errorf("fs:readdir: %w", err)
				}
				err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
					if err != nil {
						return err
					}
					if err := ctx.Err(); err != nil {
						return err
					}
					if p == dir {
						return nil
					}
					r, _ := filepath.Rel(ws, p)
					e := map[string]any{"name": d.Name(), "path": filepath.ToSlash(r), "fullPath": p}
					if d.IsDir() {
						folders = append(folders, e)
						if !recursive {
							return filepath.SkipDir
						}
						return nil
					}
					files = append(files, e)
					return nil
				})
				if err != nil {
					return fmt.Errorf("fs:readdir: %w", err)
				}
			}
			byPath := func(l []any) {
				sort.SliceStable(l, func(i, j int) bool {
					return l[i].(map[string]any)["path"].(string) < l[j].(map[string]any)["path"].(string)
				})
			}
			byPath(files)
			byPath(folders)
			c.output("files", files)
			c.output("folders", folders)
			return nil
		},
	}
}
