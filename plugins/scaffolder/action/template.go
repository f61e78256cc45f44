package action

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/portico-dev/portico/framework/jsvalue"
	"github.com/portico-dev/portico/plugins/scaffolder/nunjucks"
)

const templateInputSchema = `{"type":"object","required":["url"],"properties":{
"url":{"type":"string","title":"Fetch URL","description":"Relative path or absolute URL pointing to the directory tree to fetch"},
"targetPath":{"type":"string","title":"Target Path","description":"Target path within the working directory to download the contents to. Defaults to the working directory root."},
"values":{"type":"object","title":"Template Values","description":"Values to pass on to the templating engine"},
"copyWithoutRender":{"type":"array","items":{"type":"string"},"title":"[Deprecated] Copy Without Render","description":"An array of glob patterns. Any files or directories which match are copied without being processed as templates."},
"copyWithoutTemplating":{"type":"array","items":{"type":"string"},"title":"Copy Without Templating","description":"An array of glob patterns. Contents of matched files or directories are copied without being processed, but paths are subject to rendering."},
"cookiecutterCompat":{"type":"boolean","title":"Cookiecutter compatibility mode","description":"Enable features to maximise compatibility with templates built for fetch:cookiecutter"},
"templateFileExtension":{"type":["string","boolean"],"title":"Template File Extension","description":"If set, only files with the given extension will be templated. If set to true, the default extension .njk is used."},
"replace":{"type":"boolean","title":"Replace files","description":"If set, replace files in targetPath instead of skipping existing ones."},
"trimBlocks":{"type":"boolean","title":"Trim Blocks","description":"If set, the first newline after a block is removed (block, not variable tag)."},
"lstripBlocks":{"type":"boolean","title":"Lstrip Blocks","description":"If set, leading spaces and tabs are stripped from the start of a line to a block."},
"token":{"type":"string","title":"Token","description":"An optional token to use for authentication when reading the resources."}}}`

func newFetchTemplate() Action {
	return &builtin{
		id:          "fetch:template",
		description: "Downloads a skeleton, templates variables into file and directory names and content, and places the result in the workspace, or optionally in a subdirectory specified by the `targetPath` input option.",
		dryRun:      true,
		schema:      schema(templateInputSchema, ""),
		examples:    []Example{{Description: "Downloads a skeleton directory and templates it.", Example: "steps:\n  - id: fetch-base\n    action: fetch:template\n    input:\n      url: ./skeleton\n      values:\n        name: ${{ parameters.name }}\n"}},
		handle:      handleFetchTemplate,
	}
}

// templateOptions are the checked inputs of fetch:template.
type templateOptions struct {
	values                   any // an object: map[string]any or *jsvalue.Object
	copyWithoutRender        []string
	copyWithoutTemplating    []string
	extension                string
	cookiecutter, replace    bool
	trimBlocks, lstripBlocks bool
}

func readTemplateOptions(c *Context) (templateOptions, error) {
	in := c.Input
	o := templateOptions{
		copyWithoutRender:     strSlice(in, "copyWithoutRender"),
		copyWithoutTemplating: strSlice(in, "copyWithoutTemplating"),
		cookiecutter:          boolean(in, "cookiecutterCompat"),
		replace:               boolean(in, "replace"),
		trimBlocks:            boolean(in, "trimBlocks"),
		lstripBlocks:          boolean(in, "lstripBlocks"),
	}
	if v, ok := in["values"].(map[string]any); ok {
		o.values = v
		// Skeletons see the values in the template's key order ({% for k, v in values.x %}).
		if ov, _ := c.OrderedInput.Get("values"); ov != nil {
			o.values = ov
		}
	}
	switch v := in["templateFileExtension"].(type) {
	case bool:
		if v {
			o.extension = ".njk"
		}
	case string:
		o.extension = v
		if o.extension != "" && !strings.HasPrefix(o.extension, ".") {
			o.extension = "." + o.extension
		}
	}
	if len(o.copyWithoutRender) > 0 && len(o.copyWithoutTemplating) > 0 {
		return o, inputErr("fetch:template: copyWithoutRender and copyWithoutTemplating can not be used at the same time")
	}
	if o.extension != "" && (len(o.copyWithoutRender) > 0 || len(o.copyWithoutTemplating) > 0 || o.cookiecutter) {
		return o, inputErr("fetch:template: templateFileExtension can not be used with copyWithoutRender, copyWithoutTemplating or cookiecutterCompat")
	}
	for _, p := range append(o.copyWithoutRender, o.copyWithoutTemplating...) {
		if !doublestar.ValidatePattern(p) {
			return o, inputErr("fetch:template: invalid glob pattern %q", p)
		}
	}
	return o, nil
}

func handleFetchTemplate(ctx context.Context, c *Context) error {
	if err := require(c.Input, "url"); err != nil {
		return err
	}
	o, err := readTemplateOptions(c)
	if err != nil {
		return err
	}
	out, err := ResolvePath(c.Workspace, strDefault(c.Input, "targetPath", "./"))
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "portico-template-")
	if err != nil {
		return fmt.Errorf("fetch:template: %w", err)
	}
	defer os.RemoveAll(tmp)
	c.log().Info("Fetching template content from remote URL")
	if err := fetchTree(ctx, c, str(c.Input, "url"), tmp, nil); err != nil {
		return err
	}
	c.log().Info("Processing template files", "count", countFiles(tmp))
	return renderTree(ctx, c, o, tmp, out)
}

func countFiles(dir string) int {
	n := 0
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}

func fileEngine(c *Context, o templateOptions) *nunjucks.Engine {
	base := c.Templater
	if base == nil {
		base = nunjucks.New(nunjucks.Options{})
	}
	return base.WithFileOptions(o.cookiecutter, o.trimBlocks, o.lstripBlocks)
}

func fileContext(o templateOptions) map[string]any {
	values := o.values
	if values == nil {
		values = jsvalue.NewObject(0)
	}
	if o.cookiecutter {
		return map[string]any{"cookiecutter": values}
	}
	return map[string]any{"values": values}
}

// renderTree renders every entry of src into dst following fetch:template's rules.
func renderTree(ctx context.Context, c *Context, o templateOptions, src, dst string) error {
	engine := fileEngine(c, o)
	tctx := fileContext(o)
	var entries []string
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == src {
			return nil
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		entries = append(entries, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		return fmt.Errorf("fetch:template: list template: %w", err)
	}
	sort.Strings(entries)
	noRender := globSet(o.copyWithoutRender)
	noTemplating := globSet(o.copyWithoutTemplating)
	for _, rel := range entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		srcPath := filepath.Join(src, filepath.FromSlash(rel))
		info, err := os.Lstat(srcPath)
		if err != nil {
			return fmt.Errorf("fetch:template: %w", err)
		}
		outRel := rel
		renderContent := true
		renderPath := true
		switch {
		case o.extension != "":
			renderContent = path.Ext(rel) == o.extension
			if renderContent {
				outRel = strings.TrimSuffix(rel, o.extension)
			}
		case len(o.copyWithoutRender) > 0 && noRender(rel):
			renderContent, renderPath = false, false
		case noTemplating(rel):
			renderContent = false
		}
		if renderPath {
			if outRel, err = engine.RenderString(ctx, outRel, tctx); err != nil {
				return fmt.Errorf("fetch:template: render path %q: %w", rel, err)
			}
		}
		if outRel == "" || strings.HasPrefix(outRel, "/") || strings.Contains(outRel, "//") {
			c.log().Info("Skipping entry whose path rendered empty", "path", rel)
			continue
		}
		target, err := ResolvePath(dst, outRel)
		if err != nil {
			return fmt.Errorf("fetch:template: %w", err)
		}
		if info.IsDir() {
			if err := c.Quota.Charge(0, 1); err != nil {
				return fmt.Errorf("fetch:template: %w", err)
			}
			if err := os.MkdirAll(target, 0o755); err != nil {
				return fmt.Errorf("fetch:template: %w", err)
			}
			continue
		}
		if exists(target) && !o.replace {
			c.log().Info("File already exists in the workspace, not replacing it", "path", outRel)
			continue
		}
		if info.Mode()&fs.ModeSymlink != 0 {
			// Resolve the link in the skeleton, not its text: a chain through `..` must
			// not reach above the skeleton, nor the recreated link above the workspace.
			link, err := linkTarget(src, srcPath)
			if err != nil {
				c.log().Warn("Skipping symlink that points outside the template", "path", rel)
				continue
			}
			if err := c.Quota.Charge(0, 1); err != nil {
				return fmt.Errorf("fetch:template: %w", err)
			}
			_ = os.Remove(target)
			if err := placeLink(dst, target, link); errors.Is(err, ErrPathEscape) {
				c.log().Warn("Skipping symlink that points outside the workspace", "path", rel)
				continue
			} else if err != nil {
				return fmt.Errorf("fetch:template: %w", err)
			}
			continue
		}
		if !info.Mode().IsRegular() {
			continue
		}
		content, err := os.ReadFile(srcPath)
		if err != nil {
			return fmt.Errorf("fetch:template: %w", err)
		}
		if renderContent && !isBinary(content) {
			s, err := engine.RenderString(ctx, string(content), tctx)
			if err != nil {
				return fmt.Errorf("fetch:template: render %q: %w", rel, err)
			}
			content = []byte(s)
		}
		if exists(target) {
			_ = os.Remove(target)
		}
		if err := c.WriteFile(target, content, info.Mode().Perm()); err != nil {
			return fmt.Errorf("fetch:template: %w", err)
		}
		c.log().Debug("Wrote template file", "path", outRel)
	}
	c.log().Info("Template result written", "targetPath", strDefault(c.Input, "targetPath", "./"))
	return nil
}

// globSet returns a matcher for the patterns: a path matches when a pattern matches it or one
// of its parent directories (so "static" and "static/**" both cover the directory's files).
func globSet(patterns []string) func(rel string) bool {
	return func(rel string) bool {
		for _, p := range patterns {
			p = strings.TrimPrefix(p, "./")
			p = strings.TrimSuffix(p, "/")
			for cur := rel; cur != "." && cur != ""; cur = path.Dir(cur) {
				if ok, _ := doublestar.Match(p, cur); ok {
					return true
				}
				if cur == path.Dir(cur) {
					break
				}
			}
		}
		return false
	}
}

// isBinary sniffs content the way text/binary detectors do: a NUL byte in the first 8000
// bytes, or bytes that are not UTF-8 text.
func isBinary(b []byte) bool {
	head := b[:min(len(b), 8000)]
	if bytes.IndexByte(head, 0) >= 0 {
		return true
	}
	// Cut at a rune boundary before checking.
	for len(head) > 0 && !utf8.Valid(head) && len(b) > len(head) {
		head = head[:len(head)-1]
	}
	return !utf8.Valid(head)
}

func newFetchTemplateFile() Action {
	return &builtin{
		id:          "fetch:template:file",
		description: "Downloads single file and places it in the workspace, templating its content.",
		dryRun:      true,
		schema: schema(`{"type":"object","required":["url","targetPath"],"properties":{
"url":{"type":"string","title":"Fetch URL","description":"Relative path or absolute URL pointing to the single file to fetch."},
"targetPath":{"type":"string","title":"Target Path","description":"Target path within the working directory to download the file as."},
"values":{"type":"object","title":"Template Values","description":"Values to pass on to the templating engine"},
"cookiecutterCompat":{"type":"boolean","title":"Cookiecutter compatibility mode"},
"replace":{"type":"boolean","title":"Replace file","description":"If set, replace the file in targetPath if it exists."},
"trimBlocks":{"type":"boolean","title":"Trim Blocks"},
"lstripBlocks":{"type":"boolean","title":"Lstrip Blocks"},
"token":{"type":"string","title":"Token"}}}`, ""),
		handle: func(ctx context.Context, c *Context) error {
			if err := require(c.Input, "url", "targetPath"); err != nil {
				return err
			}
			o, err := readTemplateOptions(c)
			if err != nil {
				return err
			}
			target, err := ResolvePath(c.Workspace, str(c.Input, "targetPath"))
			if err != nil {
				return err
			}
			if exists(target) && !o.replace {
				c.log().Info("File already exists in the workspace, not replacing it", "path", str(c.Input, "targetPath"))
				return nil
			}
			c.log().Info("Fetching template file from remote URL")
			content, err := fetchFile(ctx, c, str(c.Input, "url"))
			if err != nil {
				return err
			}
			if !isBinary(content) {
				s, err := fileEngine(c, o).RenderString(ctx, string(content), fileContext(o))
				if err != nil {
					return fmt.Errorf("fetch:template:file: render: %w", err)
				}
				content = []byte(s)
			}
			return c.WriteFile(target, content, 0o644)
		},
	}
}
