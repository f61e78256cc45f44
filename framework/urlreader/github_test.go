package urlreader_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/portico-dev/portico/framework/urlreader"
)

// gitShow returns the content and blob id of path at ref, or an error when
// either is missing.
func gitShow(dir, ref, path string) (content []byte, blob string, err error) {
	cmd := exec.Command("git", "show", ref+":"+path)
	cmd.Dir, cmd.Env = dir, gitEnv()
	if content, err = cmd.Output(); err != nil {
		return nil, "", err
	}
	cmd = exec.Command("git", "rev-parse", ref+":"+path)
	cmd.Dir, cmd.Env = dir, gitEnv()
	out, err := cmd.Output()
	return content, strings.TrimSpace(string(out)), err
}

func writeGitHubError(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{
		"message":           message,
		"documentation_url": "https://docs.github.com/rest",
	})
}

// fakeGitHub speaks the parts of GitHub the reader uses: the contents API,
// the raw host and git smart HTTP, all on one server.
type fakeGitHub struct {
	srv   *httptest.Server
	host  string
	token string

	requestLog // "api <path>", "raw <path>" or "git <path>"
}

func newFakeGitHub(t *testing.T, repo *testRepo, token string) *fakeGitHub {
	t.Helper()
	f := &fakeGitHub{token: token}
	projectRoot := t.TempDir()
	repo.bareCopy(t, projectRoot, "octo/portal.git")
	backend := requireBasicAuth("x-access-token", token, gitHTTPBackend(t, projectRoot))

	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v3/repos/{owner}/{repo}/contents/{path...}", func(w http.ResponseWriter, r *http.Request) {
		f.Add("api " + r.URL.Path)
		if r.Header.Get("Authorization") != "Bearer "+token {
			writeGitHubError(w, http.StatusUnauthorized, "Bad credentials")
			return
		}
		if r.PathValue("owner") != "octo" || r.PathValue("repo") != "portal" {
			writeGitHubError(w, http.StatusNotFound, "Not Found")
			return
		}
		content, blob, err := gitShow(repo.dir, r.URL.Query().Get("ref"), r.PathValue("path"))
		if err != nil {
			writeGitHubError(w, http.StatusNotFound, "Not Found")
			return
		}
		if r.Header.Get("Accept") != "application/vnd.github.raw" {
			// The default media type is a JSON description, not the file.
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			_ = json.NewEncoder(w).Encode(map[string]string{"type": "file", "encoding": "base64", "sha": blob})
			return
		}
		serveVersioned(w, r, `"`+blob+`"`, "application/vnd.github.raw; charset=utf-8", content)
	})
	mux.HandleFunc("GET /raw/{owner}/{repo}/{ref}/{path...}", func(w http.ResponseWriter, r *http.Request) {
		f.Add("raw " + r.URL.Path)
		if r.Header.Get("Authorization") != "" {
			http.Error(w, "unexpected credentials", http.StatusBadRequest)
			return
		}
		content, _, err := gitShow(repo.dir, r.PathValue("ref"), r.PathValue("path"))
		if err != nil {
			http.Error(w, "404: Not Found", http.StatusNotFound)
			return
		}
		_, _ = w.Write(content)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		f.Add("git " + r.URL.Path)
		backend.ServeHTTP(w, r)
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	f.host = strings.TrimPrefix(f.srv.URL, "http://")
	return f
}

func (f *fakeGitHub) integration() urlreader.GitHubIntegration {
	return urlreader.GitHubIntegration{
		Host:       f.host,
		APIBaseURL: f.srv.URL + "/api/v3",
		RawBaseURL: f.srv.URL + "/raw",
		Token:      f.token,
	}
}

func TestGitHubReadURL(t *testing.T) {
	repo := newTestRepo(t)
	gh := newFakeGitHub(t, repo, "ghp_test")
	withToken := gh.integration()
	noToken := gh.integration()
	noToken.Token = ""
	apiOnly := gh.integration()
	apiOnly.RawBaseURL = ""
	wrongToken := gh.integration()
	wrongToken.Token = "wrong"

	tests := []struct {
		name     string
		integ    urlreader.GitHubIntegration
		path     string
		opts     urlreader.ReadOptions
		want     string
		wantVia  string
		wantErr  error
		wantText string
	}{
		{name: "token uses the contents api", integ: withToken, path: "/octo/portal/blob/main/docs/index.md", want: "# v2\n", wantVia: "api /api/v3/repos/octo/portal/contents/docs/index.md"},
		{name: "tag ref", integ: withToken, path: "/octo/portal/blob/v1/docs/index.md", want: "# v1\n"},
		{name: "tree url reads the file too", integ: withToken, path: "/octo/portal/tree/main/docs/sub/page.md", want: "page\n"},
		{name: "no token uses the raw host", integ: noToken, path: "/octo/portal/blob/main/docs/index.md", want: "# v2\n", wantVia: "raw /raw/octo/portal/main/docs/index.md"},
		{name: "enterprise without raw host uses the api", integ: apiOnly, path: "/octo/portal/blob/feature/docs/feature.md", want: "feature\n", wantVia: "api /api/v3/repos/octo/portal/contents/docs/feature.md"},
		{name: "missing file", integ: withToken, path: "/octo/portal/blob/main/nope.md", wantErr: urlreader.ErrNotFound},
		{name: "bad token", integ: wrongToken, path: "/octo/portal/blob/main/docs/index.md", wantText: "access denied"},
		{name: "repository url is not a file", integ: withToken, path: "/octo/portal", wantText: "not a file"},
		{name: "unknown url shape", integ: withToken, path: "/octo/portal/pulls/1", wantText: "want https://"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newReader(t, urlreader.Options{Integrations: urlreader.Integrations{GitHub: []urlreader.GitHubIntegration{tc.integ}}})
			resp := checkRead(t, r, gh.srv.URL+tc.path, tc.opts, tc.want, tc.wantErr, tc.wantText)
			if resp != nil && tc.wantVia != "" && !gh.seen(tc.wantVia) {
				t.Errorf("no request %q; saw %v", tc.wantVia, gh.Entries())
			}
		})
	}
}

func TestGitHubETag(t *testing.T) {
	repo := newTestRepo(t)
	gh := newFakeGitHub(t, repo, "ghp_test")
	r := newReader(t, urlreader.Options{Integrations: urlreader.Integrations{GitHub: []urlreader.GitHubIntegration{gh.integration()}}})
	u := gh.srv.URL + "/octo/portal/blob/main/docs/index.md"
	first, err := r.ReadURL(t.Context(), u, urlreader.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if first.ETag == "" {
		t.Fatal("no ETag returned")
	}
	if _, err := r.ReadURL(t.Context(), u, urlreader.ReadOptions{ETag: first.ETag}); !errors.Is(err, urlreader.ErrNotModified) {
		t.Fatalf("ReadURL with the ETag: err = %v, want ErrNotModified", err)
	}
}

func TestGitHubTreeAndSearch(t *testing.T) {
	repo := newTestRepo(t)
	gh := newFakeGitHub(t, repo, "ghp_test")
	r := newReader(t, urlreader.Options{Integrations: urlreader.Integrations{GitHub: []urlreader.GitHubIntegration{gh.integration()}}})
	base := gh.srv.URL + "/octo/portal"

	t.Run("tree", func(t *testing.T) {
		tree, err := r.ReadTree(t.Context(), base+"/tree/main/docs/sub", urlreader.TreeOptions{})
		if err != nil {
			t.Fatalf("ReadTree: %v", err)
		}
		if got := readAll(t, tree.Files()); len(got) != 1 || got["page.md"] != "page\n" {
			t.Errorf("files = %v, want page.md", got)
		}
		if tree.ETag != repo.second {
			t.Errorf("ETag = %s, want the commit %s", tree.ETag, repo.second)
		}
		if !gh.seen("git /octo/portal.git/git-upload-pack") {
			t.Errorf("tree was not fetched over git smart http: %v", gh.Entries())
		}
	})

	t.Run("repository root at the default branch", func(t *testing.T) {
		tree, err := r.ReadTree(t.Context(), base, urlreader.TreeOptions{Filter: func(p string) bool { return p == "docs/index.md" }})
		if err != nil {
			t.Fatalf("ReadTree: %v", err)
		}
		if got := readAll(t, tree.Files()); got["docs/index.md"] != "# v2\n" {
			t.Errorf("files = %v", got)
		}
	})

	tests := []struct {
		name string
		url  string
		want []string
	}{
		{
			name: "double star skips dot directories",
			url:  base + "/blob/main/**/catalog-info.yaml",
			want: []string{
				base + "/blob/main/catalog-info.yaml",
				base + "/blob/main/services/a/catalog-info.yaml",
				base + "/blob/main/services/b/catalog-info.yaml",
			},
		},
		{
			name: "single star under a prefix",
			url:  base + "/tree/v1/services/*/catalog-info.yaml",
			want: []string{
				base + "/blob/v1/services/a/catalog-info.yaml",
				base + "/blob/v1/services/b/catalog-info.yaml",
			},
		},
		{
			name: "explicit dot directory",
			url:  base + "/blob/main/.github/*.yaml",
			want: []string{base + "/blob/main/.github/catalog-info.yaml"},
		},
		{
			name: "no match",
			url:  base + "/blob/main/nowhere/**/x.yaml",
			want: nil,
		},
	}
	for _, tc := range tests {
		t.Run("search "+tc.name, func(t *testing.T) {
			if got := searchURLs(t, r, tc.url); !slices.Equal(got, tc.want) {
				t.Errorf("Search(%s) =\n%v\nwant\n%v", tc.url, got, tc.want)
			}
		})
	}

	t.Run("search results read back", func(t *testing.T) {
		res, err := r.Search(t.Context(), base+"/blob/main/services/a/*.yaml", urlreader.SearchOptions{})
		if err != nil || len(res) != 1 {
			t.Fatalf("Search = %v, %v", res, err)
		}
		resp, err := r.ReadURL(t.Context(), res[0].URL, urlreader.ReadOptions{})
		if err != nil {
			t.Fatalf("ReadURL(%s): %v", res[0].URL, err)
		}
		if !strings.Contains(string(resp.Body), "name: a") {
			t.Errorf("body = %q", resp.Body)
		}
	})
}

func TestGitHubIntegrationDefaults(t *testing.T) {
	tests := []struct {
		name    string
		integ   urlreader.GitHubIntegration
		wantErr string
	}{
		{name: "github.com gets default endpoints", integ: urlreader.GitHubIntegration{Host: "github.com"}},
		{name: "empty host means github.com", integ: urlreader.GitHubIntegration{}},
		{name: "enterprise needs an endpoint", integ: urlreader.GitHubIntegration{Host: "ghe.example.net"}, wantErr: "apiBaseUrl or rawBaseUrl"},
		{name: "enterprise with api", integ: urlreader.GitHubIntegration{Host: "ghe.example.net", APIBaseURL: "https://ghe.example.net/api/v3"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := urlreader.New(urlreader.Options{Integrations: urlreader.Integrations{GitHub: []urlreader.GitHubIntegration{tc.integ}}})
			if tc.wantErr == "" && err != nil {
				t.Fatalf("New: %v", err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("New err = %v, want it to mention %q", err, tc.wantErr)
			}
		})
	}
}
