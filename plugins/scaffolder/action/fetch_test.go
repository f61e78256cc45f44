package action_test

import (
	"bytes"
	"errors"
	"flag"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/portico-dev/portico/framework/urlreader"
	"github.com/portico-dev/portico/plugins/scaffolder/action"
)

var update = flag.Bool("update", false, "rewrite golden output trees under testdata")

func templateBase(t *testing.T) string {
	t.Helper()
	abs, err := filepath.Abs("testdata/template")
	if err != nil {
		t.Fatal(err)
	}
	return "file://" + filepath.ToSlash(abs) + "/template.yaml"
}

// TestFetchTemplateGolden renders testdata/template/skeleton with two sets of values and
// compares the produced tree (names, contents, executable bits) with testdata/template/want-*.
func TestFetchTemplateGolden(t *testing.T) {
	cases := []struct {
		name   string
		values map[string]any
	}{
		{name: "all-on", values: map[string]any{
			"name": "pay-svc", "description": "Payments.", "useDb": true, "dbName": "payments",
			"owner": "group:default/team-a", "tags": []any{"go", "grpc"}, "docker": true, "withDocs": true,
			"repoUrl": "github.com?owner=acme&repo=pay-svc",
		}},
		{name: "all-off", values: map[string]any{
			"name": "lean", "owner": "group:default/team-b", "tags": []any{}, "docker": false, "withDocs": false,
			"repoUrl": "github.com?owner=acme&repo=lean",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, action.BuiltinDeps{})
			h.ctx.Template.BaseURL = templateBase(t)
			err := h.run("fetch:template", map[string]any{
				"url":                   "./skeleton",
				"targetPath":            "./out",
				"values":                tc.values,
				"copyWithoutTemplating": []any{"static/**"},
			})
			if err != nil {
				t.Fatalf("fetch:template: %v\nlog:\n%s", err, h.log)
			}
			compareTree(t, filepath.Join(h.ws, "out"), filepath.Join("testdata", "template", "want-"+tc.name))
		})
	}
}

type treeEntry struct {
	content string
	exec    bool
}

func readTree(t *testing.T, dir string) map[string]treeEntry {
	t.Helper()
	out := map[string]treeEntry{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out[filepath.ToSlash(rel)] = treeEntry{content: string(b), exec: info.Mode()&0o100 != 0}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func compareTree(t *testing.T, got, want string) {
	t.Helper()
	if *update {
		must(t, os.RemoveAll(want))
		for rel, e := range readTree(t, got) {
			mode := os.FileMode(0o644)
			if e.exec {
				mode = 0o755
			}
			p := filepath.Join(want, filepath.FromSlash(rel))
			must(t, os.MkdirAll(filepath.Dir(p), 0o755))
			must(t, os.WriteFile(p, []byte(e.content), mode))
		}
		return
	}
	g, w := readTree(t, got), readTree(t, want)
	var names []string
	for n := range g {
		names = append(names, n)
	}
	for n := range w {
		if _, ok := g[n]; !ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		ge, gok := g[n]
		we, wok := w[n]
		switch {
		case !gok:
			t.Errorf("missing file %s", n)
		case !wok:
			t.Errorf("unexpected file %s:\n%s", n, ge.content)
		case ge.content != we.content:
			t.Errorf("file %s:\n got: %q\nwant: %q", n, ge.content, we.content)
		case ge.exec != we.exec:
			t.Errorf("file %s: executable = %v, want %v", n, ge.exec, we.exec)
		}
	}
}

// TestFetchTemplateModes covers the option combinations on small inline skeletons.
func TestFetchTemplateModes(t *testing.T) {
	tests := []struct {
		name     string
		files    map[string]string // skeleton
		existing map[string]string // already in the workspace
		input    map[string]any
		want     map[string]string // workspace files afterwards
		wantErr  string
	}{
		{
			name:  "templateFileExtension renders only matching files and strips the suffix",
			files: map[string]string{"a.txt.njk": "${{ values.x }}", "b.txt": "${{ values.x }}", "${{ values.x }}.md": "n"},
			input: map[string]any{"templateFileExtension": true, "values": map[string]any{"x": "X"}},
			want:  map[string]string{"a.txt": "X", "b.txt": "${{ values.x }}", "X.md": "n"},
		},
		{
			name:  "custom templateFileExtension",
			files: map[string]string{"a.tmpl": "${{ values.x }}", "b.txt": "${{ values.x }}"},
			input: map[string]any{"templateFileExtension": ".tmpl", "values": map[string]any{"x": "X"}},
			want:  map[string]string{"a": "X", "b.txt": "${{ values.x }}"},
		},
		{
			name:  "copyWithoutRender keeps path and content",
			files: map[string]string{"raw/${{ values.x }}.txt": "${{ values.x }}", "c.txt": "${{ values.x }}"},
			input: map[string]any{"copyWithoutRender": []any{"raw/*"}, "values": map[string]any{"x": "X"}},
			want:  map[string]string{"raw/${{ values.x }}.txt": "${{ values.x }}", "c.txt": "X"},
		},
		{
			name:  "cookiecutter compat",
			files: map[string]string{"{{ cookiecutter.x }}.txt": "{{ cookiecutter.x | jsonify }}"},
			input: map[string]any{"cookiecutterCompat": true, "values": map[string]any{"x": "X"}},
			want:  map[string]string{"X.txt": `"X"`},
		},
		{
			name:     "existing files are kept without replace",
			files:    map[string]string{"f.txt": "new ${{ values.x }}"},
			existing: map[string]string{"f.txt": "old"},
			input:    map[string]any{"values": map[string]any{"x": "X"}},
			want:     map[string]string{"f.txt": "old"},
		},
		{
			name:     "replace overwrites existing files",
			files:    map[string]string{"f.txt": "new ${{ values.x }}"},
			existing: map[string]string{"f.txt": "old"},
			input:    map[string]any{"replace": true, "values": map[string]any{"x": "X"}},
			want:     map[string]string{"f.txt": "new X"},
		},
		{
			name:  "trimBlocks and lstripBlocks",
			files: map[string]string{"f.txt": "a\n  {% if true %}\nb\n  {% endif %}\nc\n"},
			input: map[string]any{"trimBlocks": true, "lstripBlocks": true},
			want:  map[string]string{"f.txt": "a\nb\nc\n"},
		},
		{
			name:  "targetPath",
			files: map[string]string{"f.txt": "x"},
			input: map[string]any{"targetPath": "sub/dir"},
			want:  map[string]string{"sub/dir/f.txt": "x"},
		},
		{
			name:    "targetPath escaping the workspace is refused",
			files:   map[string]string{"f.txt": "x"},
			input:   map[string]any{"targetPath": "../elsewhere"},
			wantErr: "outside its parent",
		},
		{
			name:    "rendered path escaping the workspace is refused",
			files:   map[string]string{"${{ values.p }}": "x"},
			input:   map[string]any{"values": map[string]any{"p": "../../evil"}},
			wantErr: "outside its parent",
		},
		{
			name:    "extension with copyWithoutTemplating is an input error",
			files:   map[string]string{"f": "x"},
			input:   map[string]any{"templateFileExtension": true, "copyWithoutTemplating": []any{"x"}},
			wantErr: "templateFileExtension can not be used",
		},
		{
			name:    "copyWithoutRender with copyWithoutTemplating is an input error",
			files:   map[string]string{"f": "x"},
			input:   map[string]any{"copyWithoutRender": []any{"a"}, "copyWithoutTemplating": []any{"b"}},
			wantErr: "can not be used at the same time",
		},
		{
			name:    "syntax error in a file fails the step",
			files:   map[string]string{"f": "{% if %}"},
			wantErr: `render "f"`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tpl := t.TempDir()
			for p, c := range tc.files {
				writeFile(t, filepath.Join(tpl, "skeleton", p), c)
			}
			h := newHarness(t, action.BuiltinDeps{})
			h.ctx.Template.BaseURL = "file://" + tpl + "/template.yaml"
			for p, c := range tc.existing {
				writeFile(t, filepath.Join(h.ws, p), c)
			}
			input := map[string]any{"url": "./skeleton"}
			for k, v := range tc.input {
				input[k] = v
			}
			err := h.run("fetch:template", input)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("fetch:template: %v", err)
			}
			checkTree(t, h.ws, tc.want)
		})
	}
}

// TestFetchThroughURLReader reads files of a template served by a remote host through the
// framework's URL reader, and skeletons of a template read from disk from its own folder. A
// template from a remote host (anyone may register one) never reaches the server's disk: not
// with file:// or git+file:// URLs, not with absolute paths, whatever the reader's local roots.
func TestFetchThroughURLReader(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "tpl", "skel", "a.txt"), "hello ${{ values.who }}")
	writeFile(t, filepath.Join(root, "tpl", "one.txt"), "file ${{ values.who }}")
	writeFile(t, filepath.Join(root, "secret.txt"), "secret")
	gitCmd(t, root, "init", "-q", "-b", "main")
	gitCmd(t, root, "add", "-A")
	gitCmd(t, root, "commit", "-q", "-m", "all")
	srv := httptest.NewServer(http.FileServer(http.Dir(root)))
	t.Cleanup(srv.Close)
	r, err := urlreader.New(urlreader.Options{LocalRoots: []string{"/"}, CacheDir: t.TempDir(),
		Allow: []urlreader.AllowRule{{Host: strings.TrimPrefix(srv.URL, "http://")}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	h := newHarness(t, action.BuiltinDeps{})
	h.ctx.Reader = action.NewURLReader(r)
	h.ctx.Template.BaseURL = srv.URL + "/tpl/template.yaml"

	must(t, h.run("fetch:plain:file", map[string]any{"url": "./one.txt", "targetPath": "x/one.txt"}))
	if got := readFile(t, filepath.Join(h.ws, "x", "one.txt")); got != "file ${{ values.who }}" {
		t.Errorf("fetch:plain:file wrote %q", got)
	}
	must(t, h.run("fetch:template:file", map[string]any{"url": srv.URL + "/tpl/one.txt", "targetPath": "y.txt", "values": map[string]any{"who": "me"}}))
	if got := readFile(t, filepath.Join(h.ws, "y.txt")); got != "file me" {
		t.Errorf("fetch:template:file wrote %q", got)
	}
	for _, tc := range []struct{ action, url string }{
		{"fetch:plain:file", "file://" + root + "/secret.txt"},
		{"fetch:plain:file", "file://" + root + "/tpl/one.txt"},
		{"fetch:template:file", "git+file://" + root + "#main:secret.txt"},
		{"fetch:plain", "file://" + root + "/tpl/skel"},
		{"fetch:template", "git+file://" + root + "#main:tpl/skel"},
	} {
		err := h.run(tc.action, map[string]any{"url": tc.url, "targetPath": "s"})
		if !errors.Is(err, action.ErrInput) || !strings.Contains(err.Error(), "not a remote URL") {
			t.Errorf("%s %s from a remote template: got %v, want a refusal", tc.action, tc.url, err)
		}
		if exists(t, filepath.Join(h.ws, "s")) {
			t.Errorf("%s %s wrote the workspace", tc.action, tc.url)
		}
	}
	// An absolute path is a path on the template's host.
	if err := h.run("fetch:plain:file", map[string]any{"url": root + "/secret.txt", "targetPath": "s"}); err == nil || !strings.Contains(err.Error(), srv.URL) {
		t.Errorf("absolute path from a remote template: got %v, want a read from %s", err, srv.URL)
	}

	// A template read from disk fetches from its own folder.
	h.ctx.Template.BaseURL = "file://" + root + "/tpl/template.yaml"
	must(t, h.run("fetch:plain", map[string]any{"url": "./skel", "targetPath": "plain"}))
	if got := readFile(t, filepath.Join(h.ws, "plain", "a.txt")); got != "hello ${{ values.who }}" {
		t.Errorf("fetch:plain wrote %q", got)
	}
	must(t, h.run("fetch:template", map[string]any{"url": "file://" + root + "/tpl/skel", "targetPath": "tpl", "values": map[string]any{"who": "you"}}))
	if got := readFile(t, filepath.Join(h.ws, "tpl", "a.txt")); got != "hello you" {
		t.Errorf("fetch:template wrote %q", got)
	}
	// A relative URL climbing out of a file:// template directory.
	err = h.run("fetch:plain:file", map[string]any{"url": "../secret.txt", "targetPath": "s"})
	if !errors.Is(err, action.ErrPathEscape) {
		t.Errorf("relative escape: got %v, want ErrPathEscape", err)
	}
	if err := h.run("fetch:plain:file", map[string]any{"url": "git+file://" + root + "#main:secret.txt", "targetPath": "s"}); !errors.Is(err, action.ErrInput) {
		t.Errorf("git+file from a file template: got %v, want a refusal", err)
	}
	if err := h.run("fetch:plain:file", map[string]any{"url": "./one.txt", "targetPath": "../../s"}); !errors.Is(err, action.ErrPathEscape) {
		t.Errorf("targetPath escape: got %v, want ErrPathEscape", err)
	}
}

func exists(t *testing.T, p string) bool {
	t.Helper()
	_, err := os.Lstat(p)
	return err == nil
}

func TestFetchTemplateBinaryUntouched(t *testing.T) {
	h := newHarness(t, action.BuiltinDeps{})
	h.ctx.Template.BaseURL = templateBase(t)
	must(t, h.run("fetch:template", map[string]any{"url": "./skeleton", "values": map[string]any{"name": "n", "owner": "user:a", "repoUrl": "github.com?owner=o&repo=n"}}))
	want, err := os.ReadFile("testdata/template/skeleton/logo.png")
	must(t, err)
	got, err := os.ReadFile(filepath.Join(h.ws, "logo.png"))
	must(t, err)
	if !bytes.Equal(got, want) {
		t.Errorf("binary file changed: %q", got)
	}
}
