package action

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
)

// newPublishFile is Backstage's development-only publish:file: it copies the workspace to a
// new directory on the server's disk. Portico confines it to BuiltinDeps.PublishFileRoot.
func newPublishFile(d BuiltinDeps) Action {
	return &undoable{
		builtin: builtin{
			id:          "publish:file",
			description: "Writes the contents of the workspace to a new directory on the server (for development; confined to scaffolder.publishFileRoot).",
			schema: schema(`{"type":"object","required":["path"],"properties":{
"path":{"type":"string","title":"Path to the directory to write the files to, relative to the configured root; it must not exist yet"}}}`,
				`{"type":"object","properties":{"repoContentsUrl":{"type":"string","title":"file:// URL of the written directory (feeds catalog:register)"}}}`),
			handle: func(ctx context.Context, c *Context) error {
				root := d.publishFileRoot()
				if root == "" {
					return errors.New("publish:file: disabled; set scaffolder.publishFileRoot to allow writing to the server's disk")
				}
				if err := require(c.Input, "path"); err != nil {
					return err
				}
				if err := os.MkdirAll(root, 0o755); err != nil {
					return fmt.Errorf("publish:file: %w", err)
				}
				dst, err := ResolvePath(root, str(c.Input, "path"))
				if err != nil {
					return fmt.Errorf("publish:file: %w", err)
				}
				if dst == filepath.Clean(root) || exists(dst) {
					return fmt.Errorf("publish:file: there is already a file or directory at %s", str(c.Input, "path"))
				}
				c.log().Info("Writing workspace to directory", "path", str(c.Input, "path"))
				if err := copyDir(ctx, c.Workspace, dst, nil); err != nil {
					return fmt.Errorf("publish:file: %w", err)
				}
				c.output("repoContentsUrl", (&url.URL{Scheme: "file", Path: filepath.ToSlash(dst) + "/"}).String())
				return nil
			},
		},
		undo: func(ctx context.Context, c *Context, output map[string]any) error {
			root := d.publishFileRoot()
			if root == "" || str(output, "repoContentsUrl") == "" {
				return nil
			}
			dst, err := ResolvePath(root, str(c.Input, "path"))
			if err != nil || dst == filepath.Clean(root) {
				return nil
			}
			if err := os.RemoveAll(dst); err != nil {
				return fmt.Errorf("publish:file undo: %w", err)
			}
			return nil
		},
	}
}
