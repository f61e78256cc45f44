package action_test

import (
	"log/slog"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/framework/urlreader"
	"github.com/portico-dev/portico/plugins/scaffolder/action"
	"github.com/portico-dev/portico/plugins/scaffolder/nunjucks"
)

// harness runs one action the way the task runner does.
type harness struct {
	t       *testing.T
	reg     *action.Registry
	ws      string
	log     *frameworktest.LogBuffer
	outputs map[string]any
	ctx     *action.Context
}

func fixedNow() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }

func newHarness(t *testing.T, deps action.BuiltinDeps) *harness {
	t.Helper()
	if deps.Now == nil {
		deps.Now = fixedNow
	}
	reg, err := action.NewRegistry(action.Builtins(deps)...)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, reg: reg, ws: t.TempDir(), log: &frameworktest.LogBuffer{}, outputs: map[string]any{}}
	h.ctx = &action.Context{
		TaskID: "task-1", StepID: "step-1",
		Workspace: h.ws,
		Logger:    slog.New(slog.NewTextHandler(h.log, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Output:    func(name string, v any) { h.outputs[name] = v },
		Templater: nunjucks.New(nunjucks.Options{}),
	}
	return h
}

// run executes action id with input and returns its error.
func (h *harness) run(id string, input map[string]any) error {
	h.t.Helper()
	a, ok := h.reg.Get(id)
	if !ok {
		h.t.Fatalf("action %s not registered", id)
	}
	h.outputs = map[string]any{}
	h.ctx.Input = input
	return a.Handle(h.t.Context(), h.ctx)
}

// undo runs the action's Undo with the outputs of the last run.
func (h *harness) undo(id string) error {
	h.t.Helper()
	a, _ := h.reg.Get(id)
	u, ok := a.(action.Undoer)
	if !ok {
		h.t.Fatalf("action %s cannot undo", id)
	}
	return u.Undo(h.t.Context(), h.ctx, h.outputs)
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

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func gitEnv() []string {
	return []string{
		"HOME=" + os.TempDir(), "GIT_CONFIG_NOSYSTEM=1", "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@e",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@e", "PATH=" + os.Getenv("PATH"),
	}
}

func gitCmd(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = gitEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// gitServer serves bare repositories under root with git's own smart HTTP server
// (git http-backend through CGI), pushes enabled, behind basic auth when user is set.
func gitServer(t *testing.T, root, user, pass string) http.Handler {
	t.Helper()
	gitBin, err := exec.LookPath("git")
	if err != nil {
		t.Fatal("git binary not found; it is required for these tests")
	}
	backend := &cgi.Handler{
		Path: gitBin,
		Args: []string{"http-backend"},
		Env:  append(gitEnv(), "GIT_PROJECT_ROOT="+root, "GIT_HTTP_EXPORT_ALL=1"),
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if user != "" {
			u, p, ok := r.BasicAuth()
			if !ok || u != user || p != pass {
				w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
				http.Error(w, "unauthorized", http.StatusUnauthorized)
				return
			}
		}
		backend.ServeHTTP(w, r)
	})
}

// bareRepo creates an empty bare repository accepting pushes over HTTP.
func bareRepo(t *testing.T, root, rel string) string {
	t.Helper()
	dir := filepath.Join(root, rel)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	gitCmd(t, dir, "init", "-q", "--bare")
	gitCmd(t, dir, "config", "http.receivepack", "true")
	return dir
}

// cloneRepo clones url (a loopback git server) into a fresh directory.
func cloneRepo(t *testing.T, url, branch string) string {
	t.Helper()
	dir := t.TempDir()
	gitCmd(t, dir, "clone", "-q", "--branch", branch, url, "out")
	return filepath.Join(dir, "out")
}

// newURLReaderWith adapts a reader built from opts (the hosts publish:git may push to).
func newURLReaderWith(t *testing.T, opts urlreader.Options) action.URLReader {
	t.Helper()
	opts.CacheDir = t.TempDir()
	r, err := urlreader.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return action.NewURLReader(r)
}

// servedRepo creates the bare repository rel under a new root and serves the root over git's
// smart HTTP (user and pass, when set, required), for the test's duration.
func servedRepo(t *testing.T, rel, user, pass string) (root string, srv *httptest.Server, u *url.URL) {
	t.Helper()
	root = t.TempDir()
	bareRepo(t, root, rel)
	srv = httptest.NewServer(gitServer(t, root, user, pass))
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return root, srv, u
}

// checkTree fails unless the files under dir hold exactly want (path → content).
func checkTree(t *testing.T, dir string, want map[string]string) {
	t.Helper()
	got := map[string]string{}
	for p, e := range readTree(t, dir) {
		got[p] = e.content
	}
	if len(got) != len(want) {
		t.Errorf("files = %v, want %v", got, want)
	}
	for p, c := range want {
		if got[p] != c {
			t.Errorf("%s = %q, want %q", p, got[p], c)
		}
	}
}

// seededHarness is a harness whose workspace holds seedWorkspace's files and whose URL reader
// is reader.
func seededHarness(t *testing.T, reader action.URLReader) *harness {
	t.Helper()
	h := newHarness(t, action.BuiltinDeps{})
	seedWorkspace(t, h.ws)
	h.ctx.Reader = reader
	return h
}
