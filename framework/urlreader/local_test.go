package urlreader_test

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/portico-dev/portico/framework/urlreader"
)

// localFixture makes root/{catalog-info.yaml, docs/...} plus a file outside
// root and symlinks leading out of and within it.
func localFixture(t *testing.T) (root, outside string) {
	t.Helper()
	base := t.TempDir()
	root = filepath.Join(base, "root")
	outside = filepath.Join(base, "outside.txt")
	writeFile(t, outside, "outside\n")
	writeFile(t, filepath.Join(root, "catalog-info.yaml"), "kind: Component\n")
	writeFile(t, filepath.Join(root, "docs", "index.md"), "# docs\n")
	writeFile(t, filepath.Join(root, "docs", "sub", "page.md"), "page\n")
	writeFile(t, filepath.Join(root, "docs", ".hidden.md"), "hidden\n")
	writeFile(t, filepath.Join(root, "svc", "a", "catalog-info.yaml"), "a\n")
	writeFile(t, filepath.Join(root, "svc", "b", "catalog-info.yaml"), "b\n")
	if err := os.Symlink(outside, filepath.Join(root, "docs", "escape.md")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("index.md", filepath.Join(root, "docs", "alias.md")); err != nil {
		t.Fatal(err)
	}
	return root, outside
}

func TestLocalReadURL(t *testing.T) {
	root, outside := localFixture(t)
	r := newReader(t, urlreader.Options{LocalRoots: []string{root}, MaxBytes: 10})
	tests := []struct {
		name    string
		url     string
		want    string
		wantErr error
		wantMsg string
	}{
		{name: "absolute path", url: filepath.Join(root, "docs", "index.md"), want: "# docs\n"},
		{name: "file url", url: "file://" + filepath.Join(root, "docs", "index.md"), want: "# docs\n"},
		{name: "symlink inside the root", url: filepath.Join(root, "docs", "alias.md"), want: "# docs\n"},
		{name: "symlink leaving the root", url: filepath.Join(root, "docs", "escape.md"), wantMsg: "escapes"},
		{name: "dot-dot out of the root", url: root + "/docs/../../outside.txt", wantErr: urlreader.ErrNotAllowed},
		{name: "outside the root", url: outside, wantErr: urlreader.ErrNotAllowed},
		{name: "missing", url: filepath.Join(root, "nope.md"), wantErr: urlreader.ErrNotFound},
		{name: "directory", url: filepath.Join(root, "docs"), wantMsg: "is a directory"},
		{name: "over MaxBytes", url: filepath.Join(root, "catalog-info.yaml"), wantErr: urlreader.ErrTooLarge},
		{name: "file url with a host", url: "file://server/share/x", wantMsg: "file:///absolute/path"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkRead(t, r, tc.url, urlreader.ReadOptions{}, tc.want, tc.wantErr, tc.wantMsg)
		})
	}
}

func TestLocalReadingOffWithoutRoots(t *testing.T) {
	root, _ := localFixture(t)
	r := newReader(t, urlreader.Options{})
	for _, u := range []string{filepath.Join(root, "docs", "index.md"), "file://" + root, "git+file://" + root + "#main"} {
		if _, err := r.ReadURL(t.Context(), u, urlreader.ReadOptions{}); !errors.Is(err, urlreader.ErrNotAllowed) {
			t.Errorf("ReadURL(%s) err = %v, want ErrNotAllowed", u, err)
		}
	}
}

func TestLocalConditionalRead(t *testing.T) {
	root, _ := localFixture(t)
	r := newReader(t, urlreader.Options{LocalRoots: []string{root}})
	p := filepath.Join(root, "docs", "index.md")
	mtime := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := os.Chtimes(p, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	first, err := r.ReadURL(t.Context(), p, urlreader.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !first.LastModified.Equal(mtime) {
		t.Errorf("LastModified = %v, want %v", first.LastModified, mtime)
	}
	tests := []struct {
		name    string
		opts    urlreader.ReadOptions
		wantErr error
	}{
		{"same etag", urlreader.ReadOptions{ETag: first.ETag}, urlreader.ErrNotModified},
		{"other etag", urlreader.ReadOptions{ETag: "x"}, nil},
		{"not modified since", urlreader.ReadOptions{LastModifiedAfter: mtime}, urlreader.ErrNotModified},
		{"modified since", urlreader.ReadOptions{LastModifiedAfter: mtime.Add(-time.Second)}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := r.ReadURL(t.Context(), p, tc.opts)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
		})
	}
}

func TestLocalReadTree(t *testing.T) {
	root, _ := localFixture(t)
	r := newReader(t, urlreader.Options{LocalRoots: []string{root}})
	tree, err := r.ReadTree(t.Context(), "file://"+filepath.Join(root, "docs"), urlreader.TreeOptions{})
	if err != nil {
		t.Fatalf("ReadTree: %v", err)
	}
	got := readAll(t, tree.Files())
	want := map[string]string{"index.md": "# docs\n", "sub/page.md": "page\n", ".hidden.md": "hidden\n"}
	if !maps.Equal(got, want) {
		t.Errorf("files = %v, want %v (symlinks left out)", got, want)
	}

	filtered, err := r.ReadTree(t.Context(), filepath.Join(root, "docs"), urlreader.TreeOptions{Filter: func(p string) bool { return strings.HasPrefix(p, "sub/") }})
	if err != nil {
		t.Fatal(err)
	}
	if paths := treePaths(filtered); !slices.Equal(paths, []string{"sub/page.md"}) {
		t.Errorf("filtered = %v", paths)
	}

	if _, err := r.ReadTree(t.Context(), filepath.Join(root, "docs"), urlreader.TreeOptions{ETag: tree.ETag}); !errors.Is(err, urlreader.ErrNotModified) {
		t.Errorf("ReadTree with its ETag: err = %v, want ErrNotModified", err)
	}
	writeFile(t, filepath.Join(root, "docs", "new.md"), "new\n")
	changed, err := r.ReadTree(t.Context(), filepath.Join(root, "docs"), urlreader.TreeOptions{ETag: tree.ETag})
	if err != nil {
		t.Fatalf("ReadTree after a change: %v", err)
	}
	if changed.ETag == tree.ETag {
		t.Error("ETag did not change with a new file")
	}

	if _, err := r.ReadTree(t.Context(), filepath.Join(root, "nope"), urlreader.TreeOptions{}); !errors.Is(err, urlreader.ErrNotFound) {
		t.Errorf("ReadTree of a missing dir: err = %v, want ErrNotFound", err)
	}
}

func treePaths(t *urlreader.Tree) []string {
	var out []string
	for _, f := range t.Files() {
		out = append(out, f.Path)
	}
	return out
}
