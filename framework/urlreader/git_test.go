package urlreader_test

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/portico-dev/portico/framework/urlreader"
)

func TestGitFileReadURL(t *testing.T) {
	repo, r, base := gitFileReader(t, urlreader.Options{})
	tests := []struct {
		name    string
		url     string
		want    string
		wantErr error
	}{
		{"default branch", base + "#:docs/index.md", "# v2\n", nil},
		{"branch", base + "#main:docs/index.md", "# v2\n", nil},
		{"leading slash in path", base + "#main:/docs/index.md", "# v2\n", nil},
		{"annotated tag", base + "#v1:docs/index.md", "# v1\n", nil},
		{"full ref name", base + "#refs/tags/v1:docs/index.md", "# v1\n", nil},
		{"other branch", base + "#feature:docs/feature.md", "feature\n", nil},
		{"commit id", base + "#" + repo.first + ":docs/index.md", "# v1\n", nil},
		{"missing file", base + "#main:nope.md", "", urlreader.ErrNotFound},
		{"missing ref", base + "#nope:docs/index.md", "", urlreader.ErrNotFound},
		{"missing commit", base + "#" + strings.Repeat("ab", 20) + ":docs/index.md", "", urlreader.ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := checkRead(t, r, tc.url, urlreader.ReadOptions{}, tc.want, tc.wantErr, "")
			if resp != nil && (resp.ETag == "" || resp.LastModified.IsZero()) {
				t.Errorf("ReadURL(%s) ETag %q, LastModified %v; want both set", tc.url, resp.ETag, resp.LastModified)
			}
		})
	}
}

func TestGitFileNotModified(t *testing.T) {
	repo := newTestRepo(t)
	r := newReader(t, urlreader.Options{LocalRoots: []string{filepath.Dir(repo.dir)}})
	u := "git+file://" + repo.dir + "#main:docs/index.md"
	first, err := r.ReadURL(t.Context(), u, urlreader.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.ReadURL(t.Context(), u, urlreader.ReadOptions{ETag: first.ETag})
	if !errors.Is(err, urlreader.ErrNotModified) {
		t.Fatalf("ReadURL with current ETag: err = %v, want ErrNotModified", err)
	}
	// Another file changes: this file's ETag (its blob id) still matches.
	repo.commit(t, "other.md", "x\n")
	_, err = r.ReadURL(t.Context(), u, urlreader.ReadOptions{ETag: first.ETag})
	if !errors.Is(err, urlreader.ErrNotModified) {
		t.Fatalf("ReadURL after an unrelated commit: err = %v, want ErrNotModified", err)
	}
	repo.commit(t, "docs/index.md", "# v3\n")
	resp, err := r.ReadURL(t.Context(), u, urlreader.ReadOptions{ETag: first.ETag})
	if err != nil {
		t.Fatalf("ReadURL after changing the file: %v", err)
	}
	if string(resp.Body) != "# v3\n" || resp.ETag == first.ETag {
		t.Errorf("got %q (etag %s), want the new content and a new etag", resp.Body, resp.ETag)
	}
}

func TestGitReadTree(t *testing.T) {
	repo, r, base := gitFileReader(t, urlreader.Options{})
	tests := []struct {
		name     string
		url      string
		filter   func(string) bool
		want     map[string]string
		wantETag string
	}{
		{
			name: "subdirectory at main skips symlinks",
			url:  base + "#main:docs",
			want: map[string]string{
				"index.md": "# v2\n", "sub/page.md": "page\n", ".hidden/secret.md": "hidden\n",
			},
			wantETag: repo.second,
		},
		{
			name:     "tag",
			url:      base + "#v1:docs/sub",
			want:     map[string]string{"page.md": "page\n"},
			wantETag: repo.first,
		},
		{
			name:     "filter",
			url:      base + "#feature:docs",
			filter:   func(p string) bool { return !strings.HasPrefix(p, ".") && !strings.HasPrefix(p, "sub/") },
			want:     map[string]string{"index.md": "# v1\n", "feature.md": "feature\n"},
			wantETag: repo.feature,
		},
		{
			name:     "repository root at HEAD",
			url:      base,
			filter:   func(p string) bool { return strings.HasSuffix(p, "catalog-info.yaml") },
			want:     map[string]string{"catalog-info.yaml": "", ".github/catalog-info.yaml": "", "services/a/catalog-info.yaml": "", "services/b/catalog-info.yaml": ""},
			wantETag: repo.second,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tree, err := r.ReadTree(t.Context(), tc.url, urlreader.TreeOptions{Filter: tc.filter})
			if err != nil {
				t.Fatalf("ReadTree(%s): %v", tc.url, err)
			}
			if tree.ETag != tc.wantETag {
				t.Errorf("ETag = %s, want %s", tree.ETag, tc.wantETag)
			}
			got := readAll(t, tree.Files())
			if !slices.Equal(slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(tc.want))) {
				t.Fatalf("files = %v, want %v", slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(tc.want)))
			}
			for name, want := range tc.want {
				if want != "" && got[name] != want {
					t.Errorf("%s = %q, want %q", name, got[name], want)
				}
			}
		})
	}
}

func TestGitReadTreeETag(t *testing.T) {
	repo := newTestRepo(t)
	r := newReader(t, urlreader.Options{LocalRoots: []string{filepath.Dir(repo.dir)}})
	u := "git+file://" + repo.dir + "#main:docs"
	_, err := r.ReadTree(t.Context(), u, urlreader.TreeOptions{ETag: repo.second})
	if !errors.Is(err, urlreader.ErrNotModified) {
		t.Fatalf("ReadTree with the current commit as ETag: err = %v, want ErrNotModified", err)
	}
	next := repo.commit(t, "docs/new.md", "new\n")
	tree, err := r.ReadTree(t.Context(), u, urlreader.TreeOptions{ETag: repo.second})
	if err != nil {
		t.Fatalf("ReadTree after a new commit: %v", err)
	}
	if tree.ETag != next {
		t.Errorf("ETag = %s, want %s", tree.ETag, next)
	}
	if got := readAll(t, tree.Files()); got["new.md"] != "new\n" {
		t.Errorf("new.md = %q, want the new file (files %v)", got["new.md"], slices.Sorted(maps.Keys(got)))
	}
}

func TestGitErrors(t *testing.T) {
	repo, r, base := gitFileReader(t, urlreader.Options{MaxBytes: 8})
	tests := []struct {
		name    string
		read    func() error
		wantErr error
		wantMsg string
	}{
		{"missing directory", func() error {
			_, err := r.ReadTree(t.Context(), base+"#main:nope", urlreader.TreeOptions{})
			return err
		}, urlreader.ErrNotFound, ""},
		{"missing repository", func() error {
			_, err := r.ReadTree(t.Context(), "git+file://"+filepath.Join(filepath.Dir(repo.dir), "missing"), urlreader.TreeOptions{})
			return err
		}, nil, "missing"},
		{"outside local roots", func() error {
			_, err := r.ReadTree(t.Context(), "git+file:///srv/other#main", urlreader.TreeOptions{})
			return err
		}, urlreader.ErrNotAllowed, ""},
		{"file over MaxBytes", func() error {
			_, err := r.ReadURL(t.Context(), base+"#main:catalog-info.yaml", urlreader.ReadOptions{})
			return err
		}, urlreader.ErrTooLarge, ""},
		{"tree file over MaxBytes", func() error {
			tree, err := r.ReadTree(t.Context(), base+"#main", urlreader.TreeOptions{Filter: func(p string) bool { return p == "catalog-info.yaml" }})
			if err != nil {
				return err
			}
			_, err = tree.Files()[0].Content()
			return err
		}, urlreader.ErrTooLarge, ""},
		{"repository url in ReadURL", func() error {
			_, err := r.ReadURL(t.Context(), base+"#main", urlreader.ReadOptions{})
			return err
		}, nil, "not a file"},
		{"invalid ref", func() error {
			_, err := r.ReadURL(t.Context(), base+"#ma~in:x", urlreader.ReadOptions{})
			return err
		}, nil, "invalid ref"},
		{"unsupported transport", func() error {
			_, err := r.ReadURL(t.Context(), "git+ssh://host/repo#main:x", urlreader.ReadOptions{})
			return err
		}, nil, "file, http or https"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.read()
			if err == nil {
				t.Fatal("got no error")
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("err = %v, want %v", err, tc.wantErr)
			}
			if tc.wantMsg != "" && !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("err = %q, want it to mention %q", err, tc.wantMsg)
			}
		})
	}
}

// TestGitConcurrentReads reads one repository at several refs from many
// goroutines while new commits land, sharing one cache entry.
func TestGitConcurrentReads(t *testing.T) {
	repo, r, base := gitFileReader(t, urlreader.Options{})
	cases := []struct{ url, want string }{
		{base + "#main:docs/sub/page.md", "page\n"},
		{base + "#v1:docs/index.md", "# v1\n"},
		{base + "#feature:docs/feature.md", "feature\n"},
	}
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for w := range 6 {
		wg.Go(func() {
			for i := range 4 {
				c := cases[(w+i)%len(cases)]
				resp, err := r.ReadURL(t.Context(), c.url, urlreader.ReadOptions{})
				if err != nil {
					errs <- fmt.Errorf("ReadURL(%s): %w", c.url, err)
					return
				}
				if string(resp.Body) != c.want {
					errs <- fmt.Errorf("ReadURL(%s) = %q, want %q", c.url, resp.Body, c.want)
					return
				}
				tree, err := r.ReadTree(t.Context(), base+"#main:docs", urlreader.TreeOptions{})
				if err != nil {
					errs <- fmt.Errorf("ReadTree: %w", err)
					return
				}
				for _, f := range tree.Files() {
					if _, err := f.Content(); err != nil {
						errs <- fmt.Errorf("Content(%s): %w", f.Path, err)
						return
					}
				}
			}
		})
	}
	for i := range 3 {
		repo.commit(t, fmt.Sprintf("docs/extra%d.md", i), "x\n")
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestGitSmartHTTP(t *testing.T) {
	repo := newTestRepo(t)
	projectRoot := t.TempDir()
	repo.bareCopy(t, projectRoot, "team/repo.git")
	backend := gitHTTPBackend(t, projectRoot)

	var mu sync.Mutex
	var requests []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		mu.Lock()
		requests = append(requests, req.Method+" "+req.URL.Path)
		mu.Unlock()
		if req.URL.Path == "/moved/repo.git/info/refs" {
			http.Redirect(w, req, "/team/repo.git/info/refs?"+req.URL.RawQuery, http.StatusMovedPermanently)
			return
		}
		requireBasicAuth("robot", "s3cret", backend).ServeHTTP(w, req)
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")

	r := newReader(t, urlreader.Options{
		Allow:        []urlreader.AllowRule{{Host: host}},
		Integrations: urlreader.Integrations{Git: []urlreader.GitIntegration{{Host: host, Username: "robot", Token: "s3cret"}}},
	})
	tests := []struct {
		name string
		url  string
		want map[string]string
	}{
		{"branch subtree", "git+" + srv.URL + "/team/repo.git#main:docs/sub", map[string]string{"page.md": "page\n"}},
		{"tag", "git+" + srv.URL + "/team/repo.git#v1:docs", map[string]string{"index.md": "# v1\n", "sub/page.md": "page\n", ".hidden/secret.md": "hidden\n"}},
		{"redirected remote", "git+" + srv.URL + "/moved/repo.git#feature:docs", map[string]string{"index.md": "# v1\n", "feature.md": "feature\n", "sub/page.md": "page\n", ".hidden/secret.md": "hidden\n"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tree, err := r.ReadTree(t.Context(), tc.url, urlreader.TreeOptions{})
			if err != nil {
				t.Fatalf("ReadTree(%s): %v", tc.url, err)
			}
			got := readAll(t, tree.Files())
			if !maps.Equal(got, tc.want) {
				t.Errorf("ReadTree(%s) = %v, want %v", tc.url, got, tc.want)
			}
		})
	}

	t.Run("wrong credentials", func(t *testing.T) {
		bad := newReader(t, urlreader.Options{
			Allow:        []urlreader.AllowRule{{Host: host}},
			Integrations: urlreader.Integrations{Git: []urlreader.GitIntegration{{Host: host, Username: "robot", Token: "wrong"}}},
		})
		_, err := bad.ReadTree(t.Context(), "git+"+srv.URL+"/team/repo.git#main", urlreader.TreeOptions{})
		if err == nil || !strings.Contains(err.Error(), "access denied") {
			t.Fatalf("err = %v, want access denied", err)
		}
	})

	t.Run("host not allowed", func(t *testing.T) {
		closed := newReader(t, urlreader.Options{})
		_, err := closed.ReadTree(t.Context(), "git+"+srv.URL+"/team/repo.git#main", urlreader.TreeOptions{})
		if !errors.Is(err, urlreader.ErrNotAllowed) {
			t.Fatalf("err = %v, want ErrNotAllowed", err)
		}
	})

	mu.Lock()
	defer mu.Unlock()
	if !slices.ContainsFunc(requests, func(s string) bool { return strings.HasSuffix(s, "/git-upload-pack") }) {
		t.Errorf("no git-upload-pack request reached the server: %v", requests)
	}
}

func TestGitSmartHTTPRedirectToDisallowedHost(t *testing.T) {
	repo := newTestRepo(t)
	projectRoot := t.TempDir()
	repo.bareCopy(t, projectRoot, "repo.git")
	evil := httptest.NewServer(gitHTTPBackend(t, projectRoot))
	defer evil.Close()
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		http.Redirect(w, req, evil.URL+req.URL.Path+"?"+req.URL.RawQuery, http.StatusFound)
	}))
	defer front.Close()

	r := newReader(t, urlreader.Options{Allow: []urlreader.AllowRule{{Host: strings.TrimPrefix(front.URL, "http://")}}})
	_, err := r.ReadTree(t.Context(), "git+"+front.URL+"/repo.git#main", urlreader.TreeOptions{})
	if !errors.Is(err, urlreader.ErrNotAllowed) {
		t.Fatalf("err = %v, want ErrNotAllowed", err)
	}
}
