package engine_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/database/databasetest"
	"github.com/portico-dev/portico/framework/urlreader"
	"github.com/portico-dev/portico/plugins/catalog/engine"
	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/plugins/catalog/wire"
)

func TestPlaceholderTarget(t *testing.T) {
	urlLoc := model.LocationRef{Type: "url", Target: "https://github.com/o/r/blob/main/svc/catalog-info.yaml"}
	fileLoc := model.LocationRef{Type: "file", Target: "/srv/catalog/svc/catalog-info.yaml"}
	fileURLLoc := model.LocationRef{Type: "url", Target: "file:///srv/catalog/svc/catalog-info.yaml"}
	tests := []struct {
		name      string
		loc       model.LocationRef
		value     string
		want      string
		wantLocal bool
		wantErr   string
	}{
		{"url: relative", urlLoc, "./openapi.yaml", "https://github.com/o/r/blob/main/svc/openapi.yaml", false, ""},
		{"url: parent", urlLoc, "../docs/x.md", "https://github.com/o/r/blob/main/docs/x.md", false, ""},
		{"url: absolute remote", urlLoc, "https://example.com/x.json", "https://example.com/x.json", false, ""},
		{"url: git+https", urlLoc, "git+https://git.example.com/r.git#main:x", "git+https://git.example.com/r.git#main:x", false, ""},
		{"url: file url (the attack)", urlLoc, "file:///work/.portico/backstage_plugin_auth.sqlite", "", false, "not a remote URL"},
		{"url: git+file", urlLoc, "git+file:///work/.portico/cache/git/x#main:a", "", false, "not a remote URL"},
		{"url: file url with a host", urlLoc, "file://localhost/etc/passwd", "", false, "not a remote URL"},
		{"url location with a file target: relative", fileURLLoc, "../../../work/.portico/backstage_plugin_auth.sqlite", "", false, "not a remote URL"},
		{"url location with a file target: absolute path", fileURLLoc, "/etc/passwd", "", false, "not a remote URL"},
		{"file: relative", fileLoc, "./README.md", "/srv/catalog/svc/README.md", true, ""},
		{"file: bare relative", fileLoc, "definitions/wire.yaml", "/srv/catalog/svc/definitions/wire.yaml", true, ""},
		{"file: parent", fileLoc, "../shared/wire.yaml", "/srv/catalog/shared/wire.yaml", true, ""},
		{"file: remote", fileLoc, "https://example.com/openapi.yaml", "https://example.com/openapi.yaml", false, ""},
		{"file: absolute path", fileLoc, "/etc/passwd", "", false, "cannot name absolute paths or file URLs"},
		{"file: file url", fileLoc, "file:///etc/passwd", "", false, "cannot name absolute paths or file URLs"},
		{"file: git+file", fileLoc, "git+file:///srv/repo#main:x", "", false, "cannot name absolute paths or file URLs"},
		{"file: other scheme", fileLoc, "ftp://example.com/x", "", false, "cannot name absolute paths or file URLs"},
		{"empty", fileLoc, " ", "", false, "empty"},
		{"other location type", model.LocationRef{Type: "github-discovery", Target: "x"}, "./a", "", false, "unsupported location type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, local, err := engine.PlaceholderTarget(tc.loc, tc.value)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("PlaceholderTarget(%v, %q) = %q, %v, %v; want error %q", tc.loc, tc.value, got, local, err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want || local != tc.wantLocal {
				t.Fatalf("PlaceholderTarget(%v, %q) = %q, %v, %v; want %q, %v", tc.loc, tc.value, got, local, err, tc.want, tc.wantLocal)
			}
		})
	}
}

// remoteFixture is a working directory with a data directory holding a key, an operator file
// outside the data directory, a git repository, and a loopback server serving descriptors.
type remoteFixture struct {
	work, data string
	srv        *httptest.Server
	files      map[string]string // served path -> content
	reader     *urlreader.Reader
}

const (
	dataSecret = "SECRET-IN-DATA-DIR"
	workSecret = "SECRET-OPERATOR-FILE"
	gitSecret  = "SECRET-IN-GIT"
)

func newRemoteFixture(t *testing.T) *remoteFixture {
	t.Helper()
	f := &remoteFixture{work: filepath.Join(t.TempDir(), "work"), files: map[string]string{}}
	f.data = filepath.Join(f.work, ".portico")
	put(t, filepath.Join(f.data, "backstage_plugin_auth.sqlite"), dataSecret)
	put(t, filepath.Join(f.work, "app-config.local.yaml"), "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: leaked, description: "+workSecret+"}\nspec: {type: service, lifecycle: x, owner: y}\n")
	repo := filepath.Join(f.work, "repo")
	put(t, filepath.Join(repo, "secret.txt"), gitSecret)
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "-A"}, {"-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "s"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := f.files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(f.srv.Close)
	u, _ := url.Parse(f.srv.URL)
	// The most permissive operator: every local file readable, the loopback host allowed.
	r, err := urlreader.New(urlreader.Options{
		LocalRoots: []string{"/"}, DeniedDirs: []string{f.data},
		Allow: []urlreader.AllowRule{{Host: u.Host}}, CacheDir: t.TempDir(),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	f.reader = r
	return f
}

func descriptor(name, specExtra string) string {
	return "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: " + name + "}\nspec:\n  type: service\n  lifecycle: production\n  owner: team\n" + specExtra
}

// TestRemoteContentNeverReachesDisk performs the attack of issue 12 on the engine: a
// descriptor served from an allowed host, registered (dry run and for real) as a url
// location, names the server's files through placeholders, Location entities and url
// locations with local targets. Nothing local may be read, and the error says why.
func TestRemoteContentNeverReachesDisk(t *testing.T) {
	f := newRemoteFixture(t)
	repo := filepath.Join(f.work, "repo")
	attacks := map[string]string{
		"/placeholder-file-url.yaml":      descriptor("a1", "  x: {$text: \"file://"+filepath.Join(f.data, "backstage_plugin_auth.sqlite")+"\"}\n"),
		"/placeholder-operator-file.yaml": descriptor("a2", "  x: {$text: \"file://"+filepath.Join(f.work, "app-config.local.yaml")+"\"}\n"),
		"/placeholder-abs-path.yaml":      descriptor("a3", "  x: {$text: \""+filepath.Join(f.work, "app-config.local.yaml")+"\"}\n"),
		"/placeholder-git-file.yaml":      descriptor("a4", "  x: {$text: \"git+file://"+repo+"#main:secret.txt\"}\n"),
		"/placeholder-yaml.yaml":          descriptor("a5", "  x: {$yaml: \"file://"+filepath.Join(f.work, "app-config.local.yaml")+"\"}\n"),
		"/location-file.yaml":             "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: l1}\nspec: {type: file, target: " + filepath.Join(f.work, "app-config.local.yaml") + "}\n",
		"/location-url-file.yaml":         "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: l2}\nspec: {type: url, target: \"file://" + filepath.Join(f.work, "app-config.local.yaml") + "\"}\n",
		"/location-url-glob.yaml":         "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: l3}\nspec: {type: url, targets: [\"file://" + f.work + "/*.yaml\"]}\n",
		"/location-relative.yaml":         "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: l4}\nspec: {type: file, target: ./app-config.local.yaml}\n",
	}
	for p, body := range attacks {
		f.files[p] = body
	}
	secrets := []string{dataSecret, workSecret, gitSecret}

	databasetest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		migrate(t, db)
		e := newEngine(t, db, newClock(), "/", func(o *engine.Options) {
			o.Reader = f.reader
			o.AllowedLocationTypes = nil // the default: url only
		})
		type target struct{ name, typ, target string }
		var targets []target
		for p := range attacks {
			targets = append(targets, target{p, "url", f.srv.URL + p})
		}
		targets = append(targets,
			target{"url location with a file url", "url", "file://" + filepath.Join(f.work, "app-config.local.yaml")},
			target{"url location with a path", "url", filepath.Join(f.work, "app-config.local.yaml")},
			target{"url location with a git+file url", "url", "git+file://" + repo + "#main:secret.txt"},
			target{"url location with a glob", "url", "file://" + f.work + "/*.yaml"},
		)
		for _, tc := range targets {
			t.Run(tc.name, func(t *testing.T) {
				res, err := e.AddLocation(t.Context(), tc.typ, tc.target, true)
				if err == nil {
					t.Fatalf("dry run of %s succeeded with %d entities: %s", tc.target, len(res.Entities), res.Entities)
				}
				if !errors.Is(err, engine.ErrInvalid) {
					t.Errorf("dry run of %s: %v, want ErrInvalid", tc.target, err)
				}
				for _, s := range secrets {
					if strings.Contains(err.Error(), s) {
						t.Errorf("dry run error holds %s: %v", s, err)
					}
				}
				// An absolute path resolves against the remote host (as in Backstage) and is not found there.
				if !strings.Contains(err.Error(), "remote") && !strings.Contains(err.Error(), "only file locations") && !strings.Contains(err.Error(), "status 404") {
					t.Errorf("dry run error does not say why: %v", err)
				}
			})
		}

		// Registered for real: processing never stores the files' content either.
		for _, tc := range targets {
			if _, err := e.AddLocation(t.Context(), tc.typ, tc.target, false); err != nil {
				t.Fatalf("AddLocation(%s): %v", tc.target, err)
			}
		}
		run(t, e)
		var n int
		if err := db.QueryRowContext(t.Context(), "SELECT COUNT(*) FROM refresh_state").Scan(&n); err != nil || n < len(targets) {
			t.Fatalf("refresh_state has %d rows (%v), want at least %d", n, err, len(targets))
		}
		for _, table := range []string{"refresh_state", "final_entities"} {
			rows, err := db.QueryContext(t.Context(), "SELECT * FROM "+table)
			if err != nil {
				t.Fatal(err)
			}
			cols, _ := rows.Columns()
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				row, _ := json.Marshal(vals)
				for _, s := range secrets {
					if strings.Contains(string(row), s) {
						t.Errorf("%s holds %s: %s", table, s, row)
					}
				}
			}
			rows.Close()
		}
		cleanup(t, e, db)
	})
}

// TestValidateEntityReadsRemoteOnly: validate-entity takes the entity and its location from
// the caller, so neither placeholders nor Location targets reach the disk, whatever location
// or annotations the caller names.
func TestValidateEntityReadsRemoteOnly(t *testing.T) {
	f := newRemoteFixture(t)
	databasetest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		migrate(t, db)
		e := newEngine(t, db, newClock(), "/", func(o *engine.Options) { o.Reader = f.reader })
		fileLoc := "file:" + filepath.Join(f.work, "catalog-info.yaml")
		tests := []struct {
			name, entity, location string
		}{
			{"relative placeholder of a file location", `{"apiVersion":"backstage.io/v1alpha1","kind":"Component","metadata":{"name":"v"},"spec":{"type":"service","lifecycle":"x","owner":"me","x":{"$yaml":"./app-config.local.yaml"}}}`, fileLoc},
			{"annotation names a file location", `{"apiVersion":"backstage.io/v1alpha1","kind":"Component","metadata":{"name":"v","annotations":{"backstage.io/managed-by-location":"` + fileLoc + `"}},"spec":{"type":"service","lifecycle":"x","owner":"me","x":{"$yaml":"./app-config.local.yaml"}}}`, "url:" + f.srv.URL + "/x.yaml"},
			{"Location entity of a file location", `{"apiVersion":"backstage.io/v1alpha1","kind":"Location","metadata":{"name":"v"},"spec":{"target":"./app-config.local.yaml"}}`, fileLoc},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				errs, err := e.ValidateEntity(t.Context(), json.RawMessage(tc.entity), tc.location)
				if err != nil {
					t.Fatal(err)
				}
				if len(errs) == 0 {
					t.Fatal("validate-entity accepted an entity that reads a local file")
				}
				if b, _ := json.Marshal(errs); strings.Contains(string(b), workSecret) || strings.Contains(string(b), "leaked") ||
					!strings.Contains(string(b), "remote") && !strings.Contains(string(b), "only file locations") {
					t.Errorf("errors = %s", b)
				}
			})
		}
	})
}

// TestFileLocationPlaceholdersStillWork: locations written by the operator keep their
// relative placeholders and Location targets; absolute ones are refused.
func TestFileLocationPlaceholdersStillWork(t *testing.T) {
	f := newRemoteFixture(t)
	f.files["/remote.txt"] = "remote text"
	dir := filepath.Join(f.work, "catalog")
	put(t, filepath.Join(dir, "README.md"), "readme text")
	put(t, filepath.Join(f.work, "shared", "wire.yaml"), "openapi: 3.0.0\n")
	put(t, filepath.Join(dir, "more", "catalog-info.yaml"), descriptor("more", ""))
	put(t, filepath.Join(dir, "catalog-info.yaml"), descriptor("ok", "  readme: {$text: ./README.md}\n  api: {$text: ../shared/wire.yaml}\n  remote: {$text: "+f.srv.URL+"/remote.txt}\n")+
		"---\napiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: more}\nspec: {type: file, target: ./more/catalog-info.yaml}\n")
	put(t, filepath.Join(dir, "absolute.yaml"), descriptor("abs", "  x: {$text: "+filepath.Join(dir, "README.md")+"}\n"))
	databasetest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		migrate(t, db)
		e := newEngine(t, db, newClock(), "/", func(o *engine.Options) {
			o.Reader = f.reader
			o.Locations = []engine.ConfigLocation{{Type: "file", Target: filepath.Join(dir, "catalog-info.yaml")}}
		})
		run(t, e)
		ents := finalEntities(t, db)
		ok := ents["component:default/ok"]
		if ok == nil || ents["component:default/more"] == nil {
			t.Fatalf("entities = %v", keys(ents))
		}
		spec := ok["spec"].(map[string]any)
		if spec["readme"] != "readme text" || spec["api"] != "openapi: 3.0.0\n" || spec["remote"] != "remote text" {
			t.Errorf("spec = %v", spec)
		}
		res, err := e.AddLocation(t.Context(), "file", filepath.Join(dir, "absolute.yaml"), true)
		if err == nil || !strings.Contains(err.Error(), "cannot name absolute paths") {
			t.Errorf("absolute placeholder in a file location: %v, %v", res.Entities, err)
		}
		cleanup(t, e, db)
	})
}

// put writes a file, creating its directory.
func put(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, content)
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestAnalyzeLocationReadsRemoteOnly: analyze-location reads the target a caller names, so
// only remote ones.
func TestAnalyzeLocationReadsRemoteOnly(t *testing.T) {
	f := newRemoteFixture(t)
	f.files["/catalog-info.yaml"] = descriptor("remote-one", "")
	databasetest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		migrate(t, db)
		e := newEngine(t, db, newClock(), "/", func(o *engine.Options) { o.Reader = f.reader })
		for _, target := range []string{
			"file://" + filepath.Join(f.work, "app-config.local.yaml"),
			filepath.Join(f.work, "app-config.local.yaml"),
		} {
			for _, typ := range []string{"url", "file"} {
				resp, err := e.AnalyzeLocation(t.Context(), wire.AnalyzeLocationRequest{Location: wire.LocationSpec{Type: typ, Target: target}})
				if err != nil {
					t.Fatal(err)
				}
				if b, _ := json.Marshal(resp); len(resp.ExistingEntityFiles) > 0 || strings.Contains(string(b), workSecret) {
					t.Errorf("AnalyzeLocation(%s:%s) read the file: %s", typ, target, b)
				}
			}
		}
		resp, err := e.AnalyzeLocation(t.Context(), wire.AnalyzeLocationRequest{Location: wire.LocationSpec{Type: "url", Target: f.srv.URL + "/catalog-info.yaml"}})
		if err != nil || len(resp.ExistingEntityFiles) != 1 {
			t.Errorf("AnalyzeLocation of a remote file = %+v, %v", resp, err)
		}
	})
}

// TestUnreachableLocationIsNotADatabaseOutage: reading an allowed host that refuses
// connections fails with a network error, which must not become the 503 of an unavailable
// database. analyze-location answers as for any unreadable URL (a suggested Component); a dry
// run reports the location's read error as the caller's input error (400).
func TestUnreachableLocationIsNotADatabaseOutage(t *testing.T) {
	f := newRemoteFixture(t)
	f.srv.Close()
	target := f.srv.URL + "/catalog-info.yaml"
	databasetest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		migrate(t, db)
		e := newEngine(t, db, newClock(), "/", func(o *engine.Options) { o.Reader = f.reader })
		resp, err := e.AnalyzeLocation(t.Context(), wire.AnalyzeLocationRequest{Location: wire.LocationSpec{Type: "url", Target: target}})
		if err != nil || len(resp.ExistingEntityFiles) != 0 || len(resp.GenerateEntities) != 1 {
			t.Errorf("AnalyzeLocation of a closed server = %+v, %v; want one generated entity", resp, err)
		}
		_, err = e.AddLocation(t.Context(), "url", target, true)
		if err == nil || !errors.Is(err, engine.ErrInvalid) || database.IsUnavailable(err) {
			t.Errorf("dry run of a closed server = %v, want an input error", err)
		}
	})
}

// TestStoredLocationOfRefusedType: a file location registered through the API by an older
// version (it allowed any type) stays in the locations table after an upgrade. The engine must
// not read it: its file's entity never appears, and its generated Location entity carries the
// error. A file location from catalog.locations is still read. The same holds for a location
// an older engine already read: after a restart its entities are not read again.
func TestStoredLocationOfRefusedType(t *testing.T) {
	root := t.TempDir()
	stored := filepath.Join(root, "registered", "catalog-info.yaml")
	configured := filepath.Join(root, "config", "catalog-info.yaml")
	put(t, stored, descriptor("smuggled", "  x: {$text: ./secret.txt}\n"))
	put(t, filepath.Join(root, "registered", "secret.txt"), workSecret)
	put(t, configured, descriptor("configured", ""))
	storedRef := "location:default/" + engine.LocationEntity("file", stored).Metadata.Name
	configRef := "location:default/" + engine.LocationEntity("file", configured).Metadata.Name

	tests := []struct {
		name string
		// oldEngine: an engine that allows file locations processed the row first.
		oldEngine bool
	}{
		{"row inserted as an older version stored it", false},
		{"row already read by an older engine", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			databasetest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
				migrate(t, db)
				if _, err := db.ExecContext(t.Context(), db.Dialect.Rebind("INSERT INTO locations (id, type, target) VALUES (?, ?, ?)"), "old-"+tc.name, "file", stored); err != nil {
					t.Fatal(err)
				}
				configLocs := []engine.ConfigLocation{{Type: "file", Target: configured}}
				clock := newClock()
				if tc.oldEngine {
					old := newEngine(t, db, clock, root, func(o *engine.Options) { o.Locations = configLocs })
					run(t, old)
					if _, ok := finalEntities(t, db)["component:default/smuggled"]; !ok {
						t.Fatal("setup: the older engine did not read the stored location")
					}
					clock.Advance(time.Hour) // the next refresh is due
				}
				e := newEngine(t, db, clock, root, func(o *engine.Options) {
					o.Locations = configLocs
					o.AllowedLocationTypes = nil // the default: url only
				})
				run(t, e)
				final := finalEntities(t, db)
				if _, ok := final["component:default/configured"]; !ok {
					t.Errorf("the config file location was not read; entities %v", refsOf(final))
				}
				if errs := processingErrors(t, db, configRef); errs != "" && errs != "[]" {
					t.Errorf("config location has errors: %s", errs)
				}
				errs := processingErrors(t, db, storedRef)
				if !strings.Contains(errs, "registered with type file, which is not an allowed location type") || !strings.Contains(errs, "catalog.allowedLocationTypes") {
					t.Errorf("stored location errors = %s, want the refusal", errs)
				}
				if !tc.oldEngine {
					if _, ok := final["component:default/smuggled"]; ok {
						t.Errorf("the stored file location was read: entities %v", refsOf(final))
					}
				} else if got := processingErrors(t, db, "component:default/smuggled"); !strings.Contains(got, "not an allowed location type") {
					// An entity an older engine read keeps its last result (Backstage keeps
					// entities with processing errors), but is not read again.
					t.Errorf("entity read by the older engine: errors = %s, want the refusal", got)
				}
				if loc := final[storedRef]; loc != nil && !strings.Contains(strings.Join(statusMessages(loc), "\n"), "not an allowed location type") {
					t.Errorf("the stored location's entity shows no error: %v", loc["status"])
				}
			})
		})
	}
}
