package urlreader_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/portico-dev/portico/framework/urlreader"
)

func constFile(p, content string) urlreader.File {
	return urlreader.File{Path: p, Content: func() ([]byte, error) { return []byte(content), nil }}
}

func TestTreeDir(t *testing.T) {
	target := filepath.Join(t.TempDir(), "out")
	tree := urlreader.NewTree("etag", []urlreader.File{
		constFile("index.md", "# hi\n"),
		constFile("a/b/c.md", "deep\n"),
	})
	if err := tree.Dir(t.Context(), target); err != nil {
		t.Fatalf("Dir: %v", err)
	}
	for p, want := range map[string]string{"index.md": "# hi\n", "a/b/c.md": "deep\n"} {
		got, err := os.ReadFile(filepath.Join(target, p))
		if err != nil || string(got) != want {
			t.Errorf("%s = %q, %v; want %q", p, got, err, want)
		}
	}
}

func TestTreeDirRefusesEscapes(t *testing.T) {
	tests := []struct {
		name  string
		path  string
		setup func(t *testing.T, target, outside string)
	}{
		{name: "dot-dot", path: "../escape.txt"},
		{name: "nested dot-dot", path: "a/../../escape.txt"},
		{name: "harmless-looking dot-dot", path: "a/../b.txt"},
		{name: "absolute", path: "/tmp/escape.txt"},
		{name: "empty", path: ""},
		{name: "backslash", path: `..\escape.txt`},
		{
			name: "symlinked directory pointing outside",
			path: "link/escape.txt",
			setup: func(t *testing.T, target, outside string) {
				if err := os.Symlink(outside, filepath.Join(target, "link")); err != nil {
					t.Fatal(err)
				}
			},
		},
		{
			name: "symlinked file pointing outside",
			path: "escape.txt",
			setup: func(t *testing.T, target, outside string) {
				if err := os.Symlink(filepath.Join(outside, "escape.txt"), filepath.Join(target, "escape.txt")); err != nil {
					t.Fatal(err)
				}
			},
		},
		{
			name: "symlink inside the target",
			path: "alias/x.txt",
			setup: func(t *testing.T, target, outside string) {
				if err := os.Mkdir(filepath.Join(target, "real"), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink("real", filepath.Join(target, "alias")); err != nil {
					t.Fatal(err)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			base := t.TempDir()
			target := filepath.Join(base, "target")
			outside := filepath.Join(base, "outside")
			for _, d := range []string{target, outside} {
				if err := os.Mkdir(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if tc.setup != nil {
				tc.setup(t, target, outside)
			}
			tree := urlreader.NewTree("", []urlreader.File{constFile(tc.path, "pwned\n")})
			err := tree.Dir(t.Context(), target)
			if !errors.Is(err, urlreader.ErrUnsafePath) {
				t.Fatalf("Dir with %q: err = %v, want ErrUnsafePath", tc.path, err)
			}
			for _, p := range []string{filepath.Join(base, "escape.txt"), filepath.Join(outside, "escape.txt")} {
				if _, err := os.Stat(p); err == nil {
					t.Errorf("%s was written", p)
				}
			}
		})
	}
}

func TestTreeDirFromGit(t *testing.T) {
	repo := newTestRepo(t)
	r := newReader(t, urlreader.Options{LocalRoots: []string{filepath.Dir(repo.dir)}})
	tree, err := r.ReadTree(t.Context(), "git+file://"+repo.dir+"#main:docs", urlreader.TreeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	target := t.TempDir()
	if err := tree.Dir(t.Context(), target); err != nil {
		t.Fatalf("Dir: %v", err)
	}
	got, err := os.ReadFile(filepath.Join(target, "sub", "page.md"))
	if err != nil || string(got) != "page\n" {
		t.Errorf("sub/page.md = %q, %v", got, err)
	}
	if _, err := os.Lstat(filepath.Join(target, "passwd-link")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the repository's symlink was extracted: %v", err)
	}
}
