package catalog_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/plugins/auth"
	"github.com/portico-dev/portico/plugins/catalog"
)

// readingPortal is a portal started in a working directory that holds its data directory
// (.portico: the SQLite databases, keys), an operator's catalog and a signed-in user.
type readingPortal struct {
	*frameworktest.Backend
	work, data string
	remote     *httptest.Server
	token      string // alice's
}

const (
	plantedKey    = "SECRET-SCAFFOLDER-KEY-0123456789"
	operatorFile  = "SECRET-OPERATOR-CONFIG"
	sqliteMagic   = "SQLite format 3"
	orgDescriptor = `apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-a}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: alice}
spec: {memberOf: [team-a]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: documented}
spec:
  type: service
  lifecycle: production
  owner: team-a
  readme: {$text: ./README.md}
  api: {$text: ../shared/api.txt}
`
)

func startReadingPortal(t *testing.T, roots func(work, data string) []any) *readingPortal {
	t.Helper()
	p := &readingPortal{work: filepath.Join(t.TempDir(), "work")}
	p.data = filepath.Join(p.work, ".portico")
	put := func(path, content string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	put(filepath.Join(p.data, "scaffolder", "secrets.key"), plantedKey)
	put(filepath.Join(p.work, "app-config.local.yaml"), "auth: {secret: "+operatorFile+"}\n")
	put(filepath.Join(p.work, "catalog", "org.yaml"), orgDescriptor)
	put(filepath.Join(p.work, "catalog", "README.md"), "readme beside the descriptor")
	put(filepath.Join(p.work, "shared", "api.txt"), "shared api text")

	files := map[string]string{}
	p.remote = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(p.remote.Close)
	component := func(name, x string) string {
		return "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: " + name + "}\nspec:\n  type: service\n  lifecycle: production\n  owner: team-a\n" + x
	}
	// The attack of issue 12, and its variants; each descriptor ends with a Location leading
	// to a harmless marker, which appears one processing round after the attack ran.
	marker := "---\napiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: next}\nspec: {type: url, target: ./marker.yaml}\n"
	files["/marker.yaml"] = component("marker", "")
	files["/auth-db.yaml"] = component("stolen-db", "  x: {$text: \"file://"+filepath.Join(p.data, "backstage_plugin_auth.sqlite")+"\"}\n") + marker
	files["/key.yaml"] = component("stolen-key", "  x: {$text: \"file://"+filepath.Join(p.data, "scaffolder", "secrets.key")+"\"}\n")
	files["/operator.yaml"] = component("stolen-config", "  x: {$text: \"file://"+filepath.Join(p.work, "app-config.local.yaml")+"\"}\n")
	files["/location.yaml"] = "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: sneaky}\nspec: {type: file, target: " + filepath.Join(p.work, "catalog", "org.yaml") + "}\n"

	cfg := map[string]any{
		"backend": map[string]any{
			"workingDirectory": p.data,
			"database":         map[string]any{"client": "better-sqlite3", "connection": map[string]any{"directory": p.data}},
			"reading": map[string]any{
				"localRoots": roots(p.work, p.data),
				"allow":      []any{map[string]any{"host": strings.TrimPrefix(p.remote.URL, "http://")}},
			},
		},
		"catalog": map[string]any{
			"rules":     []any{map[string]any{"allow": []any{"Component", "Group", "User", "Location"}}},
			"locations": []any{map[string]any{"type": "file", "target": filepath.Join(p.work, "catalog", "org.yaml")}},
		},
		"auth": map[string]any{"providers": map[string]any{"oauth2Proxy": map[string]any{
			"signIn": map[string]any{"resolvers": []any{map[string]any{"resolver": "forwardedUserMatchingUserEntityName"}}},
		}}},
	}
	p.Backend = frameworktest.Start(t, cfg, catalog.Plugin(), auth.Plugin())
	// The operator's file location, its relative placeholders included, still works.
	doc := p.waitEntity(t, "component/default/documented")
	if spec, _ := doc["spec"].(map[string]any); spec["readme"] != "readme beside the descriptor" || spec["api"] != "shared api text" {
		t.Fatalf("config file location's placeholders: spec = %v", spec)
	}
	p.waitEntity(t, "user/default/alice")
	p.token = signInAs(t, p.URL, "alice")
	return p
}

// signInAs gets a user token from the oauth2Proxy provider, as a proxy-fronted browser would.
func signInAs(t *testing.T, base, user string) string {
	t.Helper()
	return frameworktest.SignIn(t, base, "/api/auth/oauth2Proxy/refresh", "X-Forwarded-User", user)
}

// waitEntity polls (with a bound) until the entity exists, as the test's service sees it.
func (p *readingPortal) waitEntity(t *testing.T, path string) map[string]any {
	t.Helper()
	var e map[string]any
	frameworktest.WaitForJSON(t, p.Client(), p.URL+"/api/catalog/entities/by-name/"+path, &e)
	return e
}

// register posts a location as alice.
func (p *readingPortal) register(t *testing.T, typ, target string, dryRun bool) (int, string) {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"type": typ, "target": target})
	u := p.URL + "/api/catalog/locations"
	if dryRun {
		u += "?dryRun=true"
	}
	req, _ := http.NewRequest(http.MethodPost, u, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+p.token)
	resp, body := frameworktest.Send(t, nil, req)
	return resp.StatusCode, body
}

func (p *readingPortal) secrets(t *testing.T) []string {
	t.Helper()
	out := []string{plantedKey, operatorFile, sqliteMagic}
	if _, err := os.Stat(filepath.Join(p.data, "backstage_plugin_auth.sqlite")); err != nil {
		t.Fatalf("the auth plugin's database is not in the data directory: %v", err)
	}
	return out
}

// TestRemoteDescriptorCannotReadServerFiles performs the attack of issue 12 through the real
// HTTP API: a signed-in user registers (dry run, then for real) a descriptor served by an
// allowed host whose placeholders and Location entities name the server's files: the auth
// plugin's database, the scaffolder's key, an operator file outside the data directory. None
// of it may come back, whatever backend.reading.localRoots says.
func TestRemoteDescriptorCannotReadServerFiles(t *testing.T) {
	for name, roots := range map[string]func(work, data string) []any{
		"working directory":           func(work, _ string) []any { return []any{work} },
		"data directory listed, or /": func(_, data string) []any { return []any{data, "/"} },
	} {
		t.Run(name, func(t *testing.T) {
			p := startReadingPortal(t, roots)
			secrets := p.secrets(t)
			noSecret := func(t *testing.T, what, body string) {
				t.Helper()
				for _, s := range secrets {
					if strings.Contains(body, s) {
						t.Errorf("%s holds %q:\n%.2000s", what, s, body)
					}
				}
			}
			dryRuns := []struct {
				name, typ, target, want string
			}{
				{"placeholder reads the auth database", "url", p.remote.URL + "/auth-db.yaml", "not a remote URL"},
				{"placeholder reads the scaffolder key", "url", p.remote.URL + "/key.yaml", "not a remote URL"},
				{"placeholder reads an operator file", "url", p.remote.URL + "/operator.yaml", "not a remote URL"},
				{"remote Location leads to a file", "url", p.remote.URL + "/location.yaml", "only file locations"},
				{"url location with a file url", "url", "file://" + filepath.Join(p.work, "app-config.local.yaml"), "not a remote url"},
				{"url location with a relative path into the data directory", "url", "../../.portico/scaffolder/secrets.key", "not a remote url"},
				{"url location with a path", "url", filepath.Join(p.work, "catalog", "org.yaml"), "not a remote url"},
				{"file location", "file", filepath.Join(p.work, "catalog", "org.yaml"), `Registered locations must be of an allowed type [\"url\"]`},
			}
			for _, tc := range dryRuns {
				t.Run("dry run: "+tc.name, func(t *testing.T) {
					status, body := p.register(t, tc.typ, tc.target, true)
					if status != http.StatusBadRequest || !strings.Contains(body, `"name":"InputError"`) || !strings.Contains(body, tc.want) {
						t.Errorf("status %d, want 400 InputError mentioning %q:\n%.2000s", status, tc.want, body)
					}
					noSecret(t, "dry run answer", body)
				})
			}
			t.Run("registering a file location is refused", func(t *testing.T) {
				status, body := p.register(t, "file", filepath.Join(p.work, "catalog", "org.yaml"), false)
				var got struct {
					Error struct{ Name, Message string } `json:"error"`
				}
				if status != http.StatusBadRequest || json.Unmarshal([]byte(body), &got) != nil ||
					got.Error.Name != "InputError" || got.Error.Message != `Registered locations must be of an allowed type ["url"]` {
					t.Errorf("status %d body %s; want Backstage's 400 InputError", status, body)
				}
			})
			t.Run("registered for real", func(t *testing.T) {
				if status, body := p.register(t, "url", p.remote.URL+"/auth-db.yaml", false); status != http.StatusCreated {
					t.Fatalf("register: %d %s", status, body)
				}
				// The marker comes one processing round after the attacking component.
				p.waitEntity(t, "component/default/marker")
				resp, err := p.Get(p.URL + "/api/catalog/entities")
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				noSecret(t, "the catalog", string(body))
				if strings.Contains(string(body), `"stolen-db"`) {
					t.Errorf("the attacking component was stored:\n%.2000s", body)
				}
			})
		})
	}
}

// TestExtractedExamplesStillRead: with no catalog.locations and no checkout, the example
// catalog is extracted into the data directory and read through file locations: the one part
// of the data directory the reader may read.
func TestExtractedExamplesStillRead(t *testing.T) {
	work := t.TempDir()
	data := filepath.Join(work, ".portico")
	b := frameworktest.Start(t, map[string]any{
		"backend": map[string]any{
			"workingDirectory": data,
			"reading":          map[string]any{"localRoots": []any{work}},
		},
	}, catalog.Plugin())
	p := &readingPortal{Backend: b}
	p.waitEntity(t, "group/default/kestrel")
	if _, err := os.Stat(filepath.Join(data, "examples", "catalog-info.yaml")); err != nil {
		t.Fatalf("examples not extracted into the data directory: %v", err)
	}
}
