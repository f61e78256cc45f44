package urlreader_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/portico-dev/portico/framework/urlreader"
)

func TestSearchLocalAndGit(t *testing.T) {
	root, _ := localFixture(t)
	repo := newTestRepo(t)
	r := newReader(t, urlreader.Options{LocalRoots: []string{root, filepath.Dir(repo.dir)}})
	git := "git+file://" + repo.dir
	tests := []struct {
		name string
		url  string
		want []string
	}{
		{
			name: "local path",
			url:  root + "/**/catalog-info.yaml",
			want: []string{root + "/catalog-info.yaml", root + "/svc/a/catalog-info.yaml", root + "/svc/b/catalog-info.yaml"},
		},
		{
			name: "file url",
			url:  "file://" + root + "/svc/*/catalog-info.yaml",
			want: []string{"file://" + root + "/svc/a/catalog-info.yaml", "file://" + root + "/svc/b/catalog-info.yaml"},
		},
		{
			name: "question mark in a file url",
			url:  "file://" + root + "/svc/?/catalog-info.yaml",
			want: []string{"file://" + root + "/svc/a/catalog-info.yaml", "file://" + root + "/svc/b/catalog-info.yaml"},
		},
		{
			name: "character class",
			url:  root + "/svc/[b-z]/*.yaml",
			want: []string{root + "/svc/b/catalog-info.yaml"},
		},
		{
			name: "no glob, existing file",
			url:  root + "/docs/index.md",
			want: []string{root + "/docs/index.md"},
		},
		{
			name: "no glob, missing file",
			url:  root + "/docs/nope.md",
			want: nil,
		},
		{
			name: "glob under a missing directory",
			url:  root + "/nope/**/*.md",
			want: nil,
		},
		{
			name: "git default branch",
			url:  git + "#:**/catalog-info.yaml",
			want: []string{git + "#main:catalog-info.yaml", git + "#main:services/a/catalog-info.yaml", git + "#main:services/b/catalog-info.yaml"},
		},
		{
			name: "git tag",
			url:  git + "#v1:docs/**/*.md",
			want: []string{git + "#v1:docs/index.md", git + "#v1:docs/sub/page.md"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := searchURLs(t, r, tc.url)
			for _, u := range got {
				if _, err := r.ReadURL(t.Context(), u, urlreader.ReadOptions{}); err != nil {
					t.Errorf("result %s does not read back: %v", u, err)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("Search(%s) =\n%v\nwant\n%v", tc.url, got, tc.want)
			}
		})
	}
}
