package frameworktest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/portico-dev/portico/framework/database"
)

// WaitBound is how long the polling helpers wait before failing the test.
const WaitBound = 30 * time.Second

// WriteFiles writes files (name → content, names may hold "/") below a new temporary
// directory and returns the directory.
func WriteFiles(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// CatalogConfig writes descriptors (YAML documents) to catalog.yaml in a new temporary
// directory and returns the config that ingests it: backend.reading.localRoots holds the
// directory, catalog.locations the file and catalog.rules allows kinds. It also returns the
// file's path. Callers add their own keys to the map before Start.
func CatalogConfig(t testing.TB, descriptors string, kinds ...string) (cfg map[string]any, file string) {
	t.Helper()
	dir := WriteFiles(t, map[string]string{"catalog.yaml": descriptors})
	file = filepath.Join(dir, "catalog.yaml")
	allow := make([]any, len(kinds))
	for i, k := range kinds {
		allow[i] = k
	}
	return map[string]any{
		"backend": map[string]any{"reading": map[string]any{"localRoots": []any{dir}}},
		"catalog": map[string]any{
			"locations": []any{map[string]any{"type": "file", "target": file}},
			"rules":     []any{map[string]any{"allow": allow}},
		},
	}, file
}

// Fetch GETs url with c (http.DefaultClient when nil: no token, as a browser sends) and
// returns the status and the body.
func Fetch(t testing.TB, c *http.Client, url string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, body := Send(t, c, req)
	return resp.StatusCode, body
}

// Send sends req with c (http.DefaultClient when nil) and returns the response, its body read
// and closed, and the body as text. Any transport or read error fails the test.
func Send(t testing.TB, c *http.Client, req *http.Request) (*http.Response, string) {
	t.Helper()
	if c == nil {
		c = http.DefaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// WaitForPage GETs url with c (see Fetch) until it answers 200 with a body containing every
// want, and returns that body. Ingestion and stitching run in the background: tests poll,
// with a bound (WaitBound), rather than sleep.
func WaitForPage(t testing.TB, c *http.Client, url string, want ...string) string {
	t.Helper()
	var status int
	var body string
	Eventually(t, func() (bool, string) {
		status, body = Fetch(t, c, url)
		missing := slices.IndexFunc(want, func(w string) bool { return !strings.Contains(body, w) })
		return status == http.StatusOK && missing < 0, ""
	}, func() string {
		return "GET " + url + ": status " + http.StatusText(status) + ", body lacks one of " + strings.Join(want, " | ") + ":\n" + truncate(body, 2000)
	})
	return body
}

// Eventually calls cond every 20 ms until it reports true, and fails the test with
// describe() (or cond's last message when describe is nil) after WaitBound.
func Eventually(t testing.TB, cond func() (bool, string), describe func() string) {
	t.Helper()
	deadline := time.Now().Add(WaitBound)
	for {
		ok, msg := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			if describe != nil {
				msg = describe()
			}
			t.Fatalf("not within %s: %s", WaitBound, msg)
		}
		time.Sleep(20 * time.Millisecond) // polling with a bound, not waiting for a duration
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// ServeDir serves dir from a loopback HTTP server until the test ends, adds the server's host
// to cfg's backend.reading.allow (url locations are read from remote hosts only, and loopback
// hosts need allowing), and returns the server's URL.
func ServeDir(t testing.TB, cfg map[string]any, dir string) string {
	t.Helper()
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(srv.Close)
	reading := child(child(cfg, "backend"), "reading")
	allow, _ := reading["allow"].([]any)
	reading["allow"] = append(allow, map[string]any{"host": strings.TrimPrefix(srv.URL, "http://")})
	return srv.URL
}

// child returns m[key] as a map, adding an empty one when there is none.
func child(m map[string]any, key string) map[string]any {
	c, _ := m[key].(map[string]any)
	if c == nil {
		c = map[string]any{}
		m[key] = c
	}
	return c
}

// SignIn gets a user token from an auth provider's refresh endpoint (path such as
// "/api/auth/oauth2Proxy/refresh"), as a browser's XMLHttpRequest would, with extra request
// headers given as name, value pairs. It fails the test when no token comes back.
func SignIn(t testing.TB, base, path string, header ...string) string {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Requested-With", "XMLHttpRequest")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var sess struct {
		BackstageIdentity struct {
			Token string `json:"token"`
		} `json:"backstageIdentity"`
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &sess) != nil || sess.BackstageIdentity.Token == "" {
		t.Fatalf("sign in through %s %v: %d %s", path, header, resp.StatusCode, body)
	}
	return sess.BackstageIdentity.Token
}

// WaitForJSON GETs url with c (see Fetch) until it answers 200, decodes the body into out and
// returns the body: for an entity the catalog ingests in the background.
func WaitForJSON(t testing.TB, c *http.Client, url string, out any) string {
	t.Helper()
	var status int
	var body string
	Eventually(t, func() (bool, string) {
		status, body = Fetch(t, c, url)
		return status == http.StatusOK, ""
	}, func() string { return fmt.Sprintf("GET %s: %d %s", url, status, truncate(body, 2000)) })
	if out != nil {
		if err := json.Unmarshal([]byte(body), out); err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
	}
	return body
}

// CheckBody reports each string of want that body lacks and each of not that it has; what
// names the page in the messages (e.g. "GET /catalog").
func CheckBody(t testing.TB, what, body string, want, not []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("%s: body lacks %q", what, w)
		}
	}
	for _, n := range not {
		if strings.Contains(body, n) {
			t.Errorf("%s: body has %q", what, n)
		}
	}
}

// CheckError fails the test unless err is as a case wants: no error when want is empty, else
// an error whose text contains want. It reports whether an error was wanted, when the case has
// nothing more to check.
func CheckError(t testing.TB, err error, want string) (wanted bool) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatal(err)
		}
		return false
	}
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v, want one containing %q", err, want)
	}
	return true
}

// DatabaseConfig is backend.database in app-config for the database opts describe (one of
// databasetest.ForEachBackend's): SQLite files in opts.Directory, or PostgreSQL at
// opts.ConnString with opts.Prefix.
func DatabaseConfig(opts database.Options) map[string]any {
	if opts.Client == database.ClientPostgres {
		return map[string]any{"client": "pg", "connection": opts.ConnString, "prefix": opts.Prefix}
	}
	return map[string]any{"client": "better-sqlite3", "connection": map[string]any{"directory": opts.Directory}}
}

// JSONRequest is a request to url with body: none when body is nil, a string as it is (for
// malformed or hand-written JSON), anything else encoded as JSON; a request with a body says
// Content-Type: application/json.
func JSONRequest(t testing.TB, method, url string, body any) *http.Request {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}
