package cli

import (
	"bufio"
	"embed"
	"errors"
	"fmt"
	"go/format"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"text/template"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/portico-dev/portico/framework"
)

// pluginTemplates is the layout `portico new plugin` writes (docs/plugins.md): one file per
// template, at the template's path without ".tmpl".
//
//go:embed all:templates/plugin
var pluginTemplates embed.FS

func (a *app) newCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "new", Short: "Create the skeleton of a Portico extension"}
	var dir string
	plugin := &cobra.Command{
		Use:   "plugin NAME",
		Short: "Scaffold a plugin: a route, a page, a test, in the standard layout",
		Long: `Writes a plugin folder in the standard layout (docs/plugins.md), inside the Go module of the
current directory: plugin.go (wiring), config.go and schema.json (its app-config), service/
(its operations), api/ (GET /api/NAME/hello, JSON), ui/ (a page at /NAME and its nav item)
and plugin_test.go (a real backend calling both). It compiles and its test passes as written.

NAME is the plugin ID: lower case, words separated by dashes. The folder is plugins/<name
without dashes> unless --dir says otherwise; it must not exist yet, or be empty.`,
		Example: `  portico new plugin todo
  portico new plugin release-notes --dir internal/releasenotes`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			target, err := newPlugin(a.env.Dir, args[0], dir)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.env.Stdout, "Created the %s plugin in %s.\nAdd %s.Plugin() to your features (plugins/all, or append it to all.Features() in your main.go), then:\n  go test ./%s/...\n",
				args[0], target.rel, target.data.Pkg, filepath.ToSlash(target.rel))
			return nil
		},
	}
	plugin.Flags().StringVar(&dir, "dir", "", "folder to create (default plugins/<name without dashes>)")
	cmd.AddCommand(plugin)
	return cmd
}

// pluginData is what the templates see.
type pluginData struct {
	ID         string // plugin ID, e.g. release-notes
	Pkg        string // Go package name, e.g. releasenotes
	ConfigKey  string // its app-config key, e.g. releaseNotes
	Title      string // e.g. Release Notes
	ImportPath string // the package's import path
}

type scaffolded struct {
	data pluginData
	rel  string // folder, relative to the working directory
}

// newPlugin writes the plugin id into dir (relative to wd; default plugins/<pkg>).
func newPlugin(wd, id, dir string) (scaffolded, error) {
	var out scaffolded
	if !framework.ValidID(id) {
		return out, fmt.Errorf("new plugin: %q is not a plugin ID (lower case letters and digits, words separated by dashes, e.g. release-notes)", id)
	}
	data := pluginData{ID: id, Pkg: strings.ReplaceAll(id, "-", "")}
	words := strings.Split(id, "-")
	for i, w := range words {
		up := string(unicode.ToUpper(rune(w[0]))) + w[1:]
		if i == 0 {
			data.ConfigKey = w
		} else {
			data.ConfigKey += up
		}
		words[i] = up
	}
	data.Title = strings.Join(words, " ")
	if dir == "" {
		dir = filepath.Join("plugins", data.Pkg)
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(wd, dir)
	}
	dir = filepath.Clean(dir)
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return out, fmt.Errorf("new plugin: %s exists and is not empty", dir)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return out, fmt.Errorf("new plugin: %w", err)
	}
	var err error
	if data.ImportPath, err = importPath(dir); err != nil {
		return out, err
	}
	if out.rel, err = filepath.Rel(wd, dir); err != nil {
		out.rel = dir
	}
	out.data = data
	root := "templates/plugin"
	err = fs.WalkDir(pluginTemplates, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := fs.ReadFile(pluginTemplates, p)
		if err != nil {
			return err
		}
		tmpl, err := template.New(p).Option("missingkey=error").Parse(string(raw))
		if err != nil {
			return fmt.Errorf("new plugin: template %s: %w", p, err)
		}
		var b strings.Builder
		if err := tmpl.Execute(&b, data); err != nil {
			return fmt.Errorf("new plugin: template %s: %w", p, err)
		}
		rel := strings.TrimSuffix(strings.TrimPrefix(p, root+"/"), ".tmpl")
		content := []byte(b.String())
		if strings.HasSuffix(rel, ".go") {
			if content, err = format.Source(content); err != nil {
				return fmt.Errorf("new plugin: %s does not parse: %w", rel, err)
			}
		}
		dst := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return fmt.Errorf("new plugin: %w", err)
		}
		if err := os.WriteFile(dst, content, 0o644); err != nil {
			return fmt.Errorf("new plugin: %w", err)
		}
		return nil
	})
	return out, err
}

// importPath returns the import path of dir: the path of the nearest go.mod's module plus dir's
// place below it.
func importPath(dir string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		f, err := os.Open(filepath.Join(d, "go.mod"))
		if err == nil {
			mod := ""
			sc := bufio.NewScanner(f)
			for sc.Scan() {
				if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
					mod = strings.Trim(strings.TrimSpace(rest), `"`)
					break
				}
			}
			f.Close()
			if mod == "" {
				return "", fmt.Errorf("new plugin: %s has no module line", filepath.Join(d, "go.mod"))
			}
			rel, err := filepath.Rel(d, dir)
			if err != nil {
				return "", fmt.Errorf("new plugin: %w", err)
			}
			return path.Join(mod, filepath.ToSlash(rel)), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("new plugin: %w", err)
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("new plugin: %s is not inside a Go module (no go.mod above it): run `go mod init` first", dir)
		}
	}
}
