package action_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/portico-dev/portico/plugins/scaffolder/action"
)

func TestResolvePath(t *testing.T) {
	ws := t.TempDir()
	outside := t.TempDir()
	writeFile(t, filepath.Join(ws, "inside", "f.txt"), "x")
	must(t, os.Symlink(outside, filepath.Join(ws, "escape")))
	must(t, os.Symlink(filepath.Join(ws, "inside"), filepath.Join(ws, "alias")))
	must(t, os.Symlink(filepath.Join(ws, "nowhere"), filepath.Join(ws, "dangling")))
	must(t, os.Symlink("../", filepath.Join(ws, "inside", "up")))
	tests := []struct {
		rel    string
		want   string // relative to ws; "" when refused
		refuse bool
	}{
		{rel: "", want: "."},
		{rel: ".", want: "."},
		{rel: "./", want: "."},
		{rel: "a/b.txt", want: "a/b.txt"},
		{rel: "a/../b", want: "b"},
		{rel: "inside/f.txt", want: "inside/f.txt"},
		{rel: "alias/f.txt", want: "alias/f.txt"},
		{rel: "inside/up/inside", want: "inside/up/inside"},
		{rel: "..", refuse: true},
		{rel: "../x", refuse: true},
		{rel: "a/../../x", refuse: true},
		{rel: "/etc/passwd", refuse: true},
		{rel: "escape", refuse: true},
		{rel: "escape/new-file", refuse: true},
		{rel: "escape/deep/new/dir", refuse: true},
		{rel: "dangling", refuse: true},
		{rel: "inside/up/..", want: "inside"}, // ".." is resolved lexically, like path.resolve
	}
	for _, tc := range tests {
		t.Run(tc.rel, func(t *testing.T) {
			got, err := action.ResolvePath(ws, tc.rel)
			if tc.refuse {
				if !errors.Is(err, action.ErrPathEscape) {
					t.Fatalf("ResolvePath(%q) = %q, %v; want ErrPathEscape", tc.rel, got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ResolvePath(%q): %v", tc.rel, err)
			}
			if want := filepath.Join(ws, tc.want); got != want {
				t.Fatalf("ResolvePath(%q) = %q, want %q", tc.rel, got, want)
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
