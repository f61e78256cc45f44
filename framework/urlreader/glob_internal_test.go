package urlreader

import "testing"

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pattern string
		path    string
		want    bool
	}{
		{"*.yaml", "a.yaml", true},
		{"*.yaml", "dir/a.yaml", false},
		{"**/*.yaml", "a.yaml", true},
		{"**/*.yaml", "dir/sub/a.yaml", true},
		{"**/catalog-info.yaml", "x/catalog-info.yaml", true},
		{"**/catalog-info.yaml", "x/catalog-info.yml", false},
		{"a/**/b", "a/b", true},
		{"a/**/b", "a/x/y/b", true},
		{"a/**/b", "a/x/y/c", false},
		{"a/**", "a/x/y", true},
		{"a/**/**/b", "a/x/b", true},
		{"*", ".hidden", false},
		{".*", ".hidden", true},
		{"**/*.md", ".github/x.md", false},
		{"**/*.md", "docs/.x/y.md", false},
		{".github/*.md", ".github/x.md", true},
		{"s?c/*", "svc/a", true},
		{"[ab]/*", "b/x", true},
		{"[ab]/*", "c/x", false},
		{"a/b", "a/b/c", false},
	}
	for _, tc := range tests {
		t.Run(tc.pattern+" "+tc.path, func(t *testing.T) {
			g, err := compileGlob(tc.pattern)
			if err != nil {
				t.Fatalf("compileGlob(%q): %v", tc.pattern, err)
			}
			if got := g.match(tc.path); got != tc.want {
				t.Errorf("match(%q, %q) = %v, want %v", tc.pattern, tc.path, got, tc.want)
			}
		})
	}
}

func TestGlobErrors(t *testing.T) {
	for _, p := range []string{"", "a//b", "[", "a/[z-"} {
		t.Run(p, func(t *testing.T) {
			if _, err := compileGlob(p); err == nil {
				t.Errorf("compileGlob(%q) succeeded, want an error", p)
			}
		})
	}
}

func TestSplitGlob(t *testing.T) {
	tests := []struct{ in, dir, pattern string }{
		{"docs/a/**/x.md", "docs/a", "**/x.md"},
		{"**/x.md", "", "**/x.md"},
		{"/srv/*.yaml", "/srv", "*.yaml"},
		{"/*.yaml", "/", "*.yaml"},
		{"/srv/a/*/b", "/srv/a", "*/b"},
		{"plain/path", "plain/path", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			dir, pattern := splitGlob(tc.in)
			if dir != tc.dir || pattern != tc.pattern {
				t.Errorf("splitGlob(%q) = %q, %q; want %q, %q", tc.in, dir, pattern, tc.dir, tc.pattern)
			}
		})
	}
}

func FuzzGlob(f *testing.F) {
	for _, s := range []string{"**/*.yaml", "a/**/b", "[a-", "*", ".x/**", "a//b"} {
		f.Add(s, "a/b/c.yaml")
	}
	f.Fuzz(func(t *testing.T, pattern, path string) {
		g, err := compileGlob(pattern)
		if err != nil {
			return
		}
		_ = g.match(path) // must not panic
	})
}
