package urlreader_test

import (
	"errors"
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/portico-dev/portico/framework/frameworktest"

	"github.com/portico-dev/portico/framework/urlreader"
)

// gitEnv makes git commands independent of the machine's configuration
// and gives commits fixed dates, so ids are reproducible.
func gitEnv() []string {
	return append(os.Environ(),
		"GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.com",
		"GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=test@example.com",
		"GIT_AUTHOR_DATE=2024-01-02T03:04:05Z", "GIT_COMMITTER_DATE=2024-01-02T03:04:05Z",
	)
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = gitEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// testRepo is a git repository with two commits on main, an annotated tag
// v1 on the first and a branch "feature".
type testRepo struct {
	dir     string
	first   string // commit id tagged v1
	second  string // main
	feature string
}

func newTestRepo(t *testing.T) *testRepo {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "repo")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	git(t, dir, "init", "-q", "-b", "main")
	files := map[string]string{
		"catalog-info.yaml":            "kind: Component\nmetadata: {name: root}\n",
		"docs/index.md":                "# v1\n",
		"docs/sub/page.md":             "page\n",
		"docs/.hidden/secret.md":       "hidden\n",
		"services/a/catalog-info.yaml": "kind: Component\nmetadata: {name: a}\n",
		"services/b/catalog-info.yaml": "kind: Component\nmetadata: {name: b}\n",
		".github/catalog-info.yaml":    "kind: Component\nmetadata: {name: dot}\n",
	}
	for name, content := range files {
		writeFile(t, filepath.Join(dir, name), content)
	}
	if err := os.Symlink("/etc/passwd", filepath.Join(dir, "docs", "passwd-link")); err != nil {
		t.Fatal(err)
	}
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "first")
	first := git(t, dir, "rev-parse", "HEAD")
	git(t, dir, "tag", "-a", "v1", "-m", "release v1")

	git(t, dir, "checkout", "-q", "-b", "feature")
	writeFile(t, filepath.Join(dir, "docs", "feature.md"), "feature\n")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "feature")
	feature := git(t, dir, "rev-parse", "HEAD")

	git(t, dir, "checkout", "-q", "main")
	writeFile(t, filepath.Join(dir, "docs", "index.md"), "# v2\n")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "second")
	second := git(t, dir, "rev-parse", "HEAD")
	return &testRepo{dir: dir, first: first, second: second, feature: feature}
}

// commit changes a file on main and returns the new commit id.
func (r *testRepo) commit(t *testing.T, name, content string) string {
	t.Helper()
	writeFile(t, filepath.Join(r.dir, name), content)
	git(t, r.dir, "add", "-A")
	git(t, r.dir, "commit", "-q", "-m", "change "+name)
	return git(t, r.dir, "rev-parse", "HEAD")
}

// bareCopy clones the repository bare under projectRoot/rel, the layout
// git http-backend serves.
func (r *testRepo) bareCopy(t *testing.T, projectRoot, rel string) {
	t.Helper()
	dst := filepath.Join(projectRoot, rel)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	git(t, projectRoot, "clone", "-q", "--bare", r.dir, dst)
}

// gitHTTPBackend serves repositories under projectRoot with git's own
// smart HTTP implementation.
func gitHTTPBackend(t *testing.T, projectRoot string) http.Handler {
	t.Helper()
	gitBin, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git binary not found")
	}
	return &cgi.Handler{
		Path: gitBin,
		Args: []string{"http-backend"},
		Env: append(gitEnv(),
			"GIT_PROJECT_ROOT="+projectRoot,
			"GIT_HTTP_EXPORT_ALL=1",
		),
	}
}

// requireBasicAuth wraps h so it answers 401 unless the request carries
// the given credentials.
func requireBasicAuth(user, pass string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if !ok || u != user || p != pass {
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

func newReader(t *testing.T, opts urlreader.Options) *urlreader.Reader {
	t.Helper()
	if opts.CacheDir == "" {
		opts.CacheDir = t.TempDir()
	}
	r, err := urlreader.New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() {
		if err := r.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return r
}

func readAll(t *testing.T, files []urlreader.File) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, f := range files {
		b, err := f.Content()
		if err != nil {
			t.Fatalf("Content(%s): %v", f.Path, err)
		}
		out[f.Path] = string(b)
	}
	return out
}

// requestLog records the requests a fake server saw.
type requestLog struct{ frameworktest.Recorder }

// seen reports whether a request starting with prefix was recorded.
func (l *requestLog) seen(prefix string) bool {
	return slices.ContainsFunc(l.Entries(), func(s string) bool { return strings.HasPrefix(s, prefix) })
}

// gitFileReader returns a fresh test repository, a reader whose local roots hold it (opts
// adds to them) and the repository's git+file URL.
func gitFileReader(t *testing.T, opts urlreader.Options) (*testRepo, *urlreader.Reader, string) {
	t.Helper()
	repo := newTestRepo(t)
	opts.LocalRoots = append(opts.LocalRoots, filepath.Dir(repo.dir))
	return repo, newReader(t, opts), "git+file://" + repo.dir
}

// searchURLs runs Search for url and returns the results' URLs, checking each one's content reads.
func searchURLs(t *testing.T, r *urlreader.Reader, url string) []string {
	t.Helper()
	res, err := r.Search(t.Context(), url, urlreader.SearchOptions{})
	if err != nil {
		t.Fatalf("Search(%s): %v", url, err)
	}
	var urls []string
	for _, f := range res {
		urls = append(urls, f.URL)
		if _, err := f.Content(); err != nil {
			t.Errorf("Content(%s): %v", f.URL, err)
		}
	}
	return urls
}

// checkRead reads url with r and checks the outcome: an error wrapping wantErr when it is set,
// else an error mentioning wantMsg when that is set, else the body want. It returns the
// response of a successful read, nil when an error was wanted.
func checkRead(t *testing.T, r *urlreader.Reader, url string, opts urlreader.ReadOptions, want string, wantErr error, wantMsg string) *urlreader.ReadResponse {
	t.Helper()
	resp, err := r.ReadURL(t.Context(), url, opts)
	switch {
	case wantErr != nil:
		if !errors.Is(err, wantErr) {
			t.Fatalf("ReadURL(%s) err = %v, want %v", url, err, wantErr)
		}
		return nil
	case wantMsg != "":
		if err == nil || !strings.Contains(err.Error(), wantMsg) {
			t.Fatalf("ReadURL(%s) err = %v, want it to mention %q", url, err, wantMsg)
		}
		return nil
	case err != nil:
		t.Fatalf("ReadURL(%s): %v", url, err)
	}
	if string(resp.Body) != want {
		t.Errorf("ReadURL(%s) = %q, want %q", url, resp.Body, want)
	}
	return resp
}

// serveVersioned answers a fake host's file request: 304 when the request's If-None-Match is
// etag, else content with etag and contentType.
func serveVersioned(w http.ResponseWriter, r *http.Request, etag, contentType string, content []byte) {
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", contentType)
	_, _ = w.Write(content)
}
