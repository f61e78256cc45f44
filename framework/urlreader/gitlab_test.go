package urlreader_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/portico-dev/portico/framework/urlreader"
)

// fakeGitLab speaks GitLab's repository files API and git smart HTTP under
// a /gitlab base path.
type fakeGitLab struct {
	srv   *httptest.Server
	token string

	requestLog
}

func newFakeGitLab(t *testing.T, repo *testRepo, token string, redirectTo string) *fakeGitLab {
	t.Helper()
	f := &fakeGitLab{token: token}
	projectRoot := t.TempDir()
	repo.bareCopy(t, projectRoot, "group/sub/proj.git")
	backend := requireBasicAuth("oauth2", token, gitHTTPBackend(t, projectRoot))

	const filesPrefix = "/api/v4/projects/"
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v4/", func(w http.ResponseWriter, r *http.Request) {
		// GitLab wants the project path and file path each as one escaped
		// segment: /projects/group%2Fsub%2Fproj/repository/files/docs%2Findex.md/raw
		raw := r.URL.EscapedPath()
		f.Add("api " + raw)
		if r.Header.Get("PRIVATE-TOKEN") != token {
			writeJSON(w, http.StatusUnauthorized, `{"message":"401 Unauthorized"}`)
			return
		}
		rest, ok := strings.CutPrefix(raw, filesPrefix)
		parts := strings.Split(rest, "/")
		if !ok || len(parts) != 5 || parts[1] != "repository" || parts[2] != "files" || parts[4] != "raw" {
			writeJSON(w, http.StatusNotFound, `{"error":"404 Not Found"}`)
			return
		}
		project, _ := url.PathUnescape(parts[0])
		file, _ := url.PathUnescape(parts[3])
		if project != "group/sub/proj" {
			writeJSON(w, http.StatusNotFound, `{"message":"404 Project Not Found"}`)
			return
		}
		if redirectTo != "" && file == "redirect.md" {
			http.Redirect(w, r, redirectTo, http.StatusFound)
			return
		}
		content, blob, err := gitShow(repo.dir, r.URL.Query().Get("ref"), file)
		if err != nil {
			writeJSON(w, http.StatusNotFound, `{"message":"404 File Not Found"}`)
			return
		}
		serveVersioned(w, r, `W/"`+blob+`"`, "text/plain; charset=utf-8", content)
	})
	mux.Handle("/gitlab/", http.StripPrefix("/gitlab", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.Add("git " + r.URL.Path)
		backend.ServeHTTP(w, r)
	})))
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

func (f *fakeGitLab) integration() urlreader.GitLabIntegration {
	return urlreader.GitLabIntegration{
		Host:       strings.TrimPrefix(f.srv.URL, "http://"),
		APIBaseURL: f.srv.URL + "/api/v4",
		BaseURL:    f.srv.URL + "/gitlab",
		Token:      f.token,
	}
}

func TestGitLabReadURL(t *testing.T) {
	repo := newTestRepo(t)
	gl := newFakeGitLab(t, repo, "glpat-test", "")
	r := newReader(t, urlreader.Options{Integrations: urlreader.Integrations{GitLab: []urlreader.GitLabIntegration{gl.integration()}}})
	base := gl.srv.URL + "/gitlab/group/sub/proj"
	tests := []struct {
		name    string
		url     string
		want    string
		wantReq string
		wantErr error
	}{
		{
			name:    "blob through the files api",
			url:     base + "/-/blob/main/docs/index.md",
			want:    "# v2\n",
			wantReq: "api /api/v4/projects/group%2Fsub%2Fproj/repository/files/docs%2Findex.md/raw",
		},
		{name: "tag", url: base + "/-/blob/v1/docs/index.md", want: "# v1\n"},
		{name: "raw url", url: base + "/-/raw/feature/docs/feature.md", want: "feature\n"},
		{name: "missing file", url: base + "/-/blob/main/nope.md", wantErr: urlreader.ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := checkRead(t, r, tc.url, urlreader.ReadOptions{}, tc.want, tc.wantErr, "")
			if resp != nil && tc.wantReq != "" && !gl.seen(tc.wantReq) {
				t.Errorf("no request %q; saw %v", tc.wantReq, gl.Entries())
			}
		})
	}

	t.Run("etag", func(t *testing.T) {
		u := base + "/-/blob/main/docs/index.md"
		first, err := r.ReadURL(t.Context(), u, urlreader.ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.ReadURL(t.Context(), u, urlreader.ReadOptions{ETag: first.ETag}); !errors.Is(err, urlreader.ErrNotModified) {
			t.Fatalf("err = %v, want ErrNotModified", err)
		}
	})

	t.Run("url outside the base path", func(t *testing.T) {
		_, err := r.ReadURL(t.Context(), gl.srv.URL+"/group/sub/proj/-/blob/main/docs/index.md", urlreader.ReadOptions{})
		if err == nil || !strings.Contains(err.Error(), "not under") {
			t.Fatalf("err = %v, want a base path error", err)
		}
	})
}

// TestGitLabTokenNotForwarded checks PRIVATE-TOKEN (which net/http does not
// strip by itself) is dropped when a redirect changes host.
func TestGitLabTokenNotForwarded(t *testing.T) {
	var mu sync.Mutex
	var leaked []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		leaked = append(leaked, r.Header.Get("PRIVATE-TOKEN")+r.Header.Get("Authorization"))
		mu.Unlock()
		_, _ = w.Write([]byte("moved\n"))
	}))
	defer other.Close()
	repo := newTestRepo(t)
	gl := newFakeGitLab(t, repo, "glpat-test", other.URL+"/file")
	r := newReader(t, urlreader.Options{
		Allow:        []urlreader.AllowRule{{Host: strings.TrimPrefix(other.URL, "http://")}},
		Integrations: urlreader.Integrations{GitLab: []urlreader.GitLabIntegration{gl.integration()}},
	})
	resp, err := r.ReadURL(t.Context(), gl.srv.URL+"/gitlab/group/sub/proj/-/blob/main/redirect.md", urlreader.ReadOptions{})
	if err != nil {
		t.Fatalf("ReadURL: %v", err)
	}
	if string(resp.Body) != "moved\n" {
		t.Errorf("body = %q", resp.Body)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(leaked) != 1 || leaked[0] != "" {
		t.Errorf("credentials seen by the redirect target: %q, want none", leaked)
	}
}

func TestGitLabTreeAndSearch(t *testing.T) {
	repo := newTestRepo(t)
	gl := newFakeGitLab(t, repo, "glpat-test", "")
	r := newReader(t, urlreader.Options{Integrations: urlreader.Integrations{GitLab: []urlreader.GitLabIntegration{gl.integration()}}})
	base := gl.srv.URL + "/gitlab/group/sub/proj"

	tree, err := r.ReadTree(t.Context(), base+"/-/tree/v1/docs", urlreader.TreeOptions{})
	if err != nil {
		t.Fatalf("ReadTree: %v", err)
	}
	got := readAll(t, tree.Files())
	if got["index.md"] != "# v1\n" || got["sub/page.md"] != "page\n" || len(got) != 3 {
		t.Errorf("files = %v", got)
	}
	if tree.ETag != repo.first {
		t.Errorf("ETag = %s, want %s", tree.ETag, repo.first)
	}
	if !gl.seen("git /group/sub/proj.git/git-upload-pack") {
		t.Errorf("tree was not fetched over git: %v", gl.Entries())
	}

	if _, err := r.Search(t.Context(), base, urlreader.SearchOptions{}); err == nil || !strings.Contains(err.Error(), "not a file") {
		t.Errorf("Search of a project url without a glob: err = %v, want a not-a-file error", err)
	}
	res, err := r.Search(t.Context(), base+"/-/blob/main/services/**/catalog-info.yaml", urlreader.SearchOptions{})
	if err != nil {
		t.Fatalf("Search: %v", err)
	}
	var urls []string
	for _, f := range res {
		urls = append(urls, f.URL)
	}
	want := []string{base + "/-/blob/main/services/a/catalog-info.yaml", base + "/-/blob/main/services/b/catalog-info.yaml"}
	if !slices.Equal(urls, want) {
		t.Errorf("Search = %v, want %v", urls, want)
	}
}
