package engine_test

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/database/databasetest"
	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/framework/urlreader"
	"github.com/portico-dev/portico/plugins/catalog/engine"
)

// TestConfigLocationsAreTrusted performs issue 14's case: create-app's catalog.locations are
// ../../examples/*.yaml, outside backend.reading.localRoots. Config locations are read wherever
// they point, the data directory excepted; locations registered through the API keep the
// local roots. Every location that cannot be read says so: a warning in the log, once, and
// the error on the Location entity's status.
func TestConfigLocationsAreTrusted(t *testing.T) {
	databasetest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		migrate(t, db)
		work, outside, data, reader := trustedLayout(t, "examples")
		writeFile(t, filepath.Join(outside, "examples", "entities.yaml"), component("from-glob", "team"))
		writeFile(t, filepath.Join(outside, "org.yaml"), component("from-file", "team"))
		writeFile(t, filepath.Join(outside, "api-registered.yaml"), component("from-api", "team"))
		var logs frameworktest.LogBuffer
		glob := filepath.Join(outside, "examples", "*.yaml")
		file := filepath.Join(outside, "org.yaml")
		denied := filepath.Join(data, "secret.yaml")
		missing := filepath.Join(outside, "missing.yaml")
		e := newEngine(t, db, newClock(), work, func(o *engine.Options) {
			o.Reader = reader
			o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			o.Locations = []engine.ConfigLocation{{Type: "file", Target: glob}, {Type: "file", Target: file}, {Type: "file", Target: denied}, {Type: "file", Target: missing}}
		})
		if _, err := e.AddLocation(t.Context(), "file", filepath.Join(outside, "api-registered.yaml"), false); err != nil {
			t.Fatalf("AddLocation: %v", err)
		}
		run(t, e)
		run(t, e) // a second pass must not log the same failures again

		got := finalEntities(t, db)
		tests := []struct {
			name      string
			entity    string // a component that must (or must not) be in the catalog
			present   bool
			location  string // the Location whose status carries the error ("" for none)
			errSubstr string
		}{
			{"config glob outside the roots is read", "component:default/from-glob", true, "", ""},
			{"config file outside the roots is read", "component:default/from-file", true, "", ""},
			{"config file in the data directory stays unreadable", "component:default/from-data-dir", false, denied, "never read"},
			{"missing config file is reported", "", false, missing, "does not exist"},
			{"API file location keeps the local roots", "component:default/from-api", false, filepath.Join(outside, "api-registered.yaml"), "outside the local roots"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if tt.entity != "" {
					if _, ok := got[tt.entity]; ok != tt.present {
						t.Fatalf("%s present = %v, want %v (catalog: %v)", tt.entity, ok, tt.present, refsOf(got))
					}
				}
				if tt.location == "" {
					return
				}
				// The processing errors of the Location entity: its status.items once stitched.
				loc := engine.LocationEntity("file", tt.location).Ref().String()
				if errs := processingErrors(t, db, loc); !strings.Contains(errs, tt.errSubstr) {
					t.Fatalf("errors of %s = %q, want them to contain %q", loc, errs, tt.errSubstr)
				}
				lines := 0
				for _, l := range strings.Split(logs.String(), "\n") {
					if strings.Contains(l, "catalog location cannot be read") && strings.Contains(l, tt.location) {
						lines++
					}
				}
				if lines != 1 {
					t.Fatalf("%d warnings name %s, want 1; log:\n%s", lines, tt.location, logs.String())
				}
			})
		}
	})
}

// trustedLayout makes a working directory (the only local root) holding the data directory
// (with secret.yaml, never to be read), a directory outside the roots holding sub, and a
// reader over them.
func trustedLayout(t *testing.T, sub string) (work, outside, data string, reader *urlreader.Reader) {
	t.Helper()
	work, outside = t.TempDir(), t.TempDir()
	data = filepath.Join(work, ".portico")
	for _, d := range []string{data, filepath.Join(outside, sub)} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, filepath.Join(data, "secret.yaml"), component("from-data-dir", "team"))
	reader, err := urlreader.New(urlreader.Options{LocalRoots: []string{work}, DeniedDirs: []string{data}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = reader.Close() })
	return work, outside, data, reader
}

// TestNestedReadsOfTrustedLocations: everything under a config location is trusted, as in
// Backstage: a kind: Location's targets and the $text/$json/$yaml placeholders of a file read
// from catalog.locations outside backend.reading.localRoots are read too (the data directory
// excepted). The same nested reads under a location registered through the API keep the local
// roots, so registering a file inside the roots cannot reach outside them.
func TestNestedReadsOfTrustedLocations(t *testing.T) {
	databasetest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		migrate(t, db)
		work, outside, data, reader := trustedLayout(t, "teams")
		if err := os.MkdirAll(filepath.Join(work, "api"), 0o755); err != nil {
			t.Fatal(err)
		}
		// A nested location, a placeholder and a nested location into the data directory under
		// each root location.
		withReads := func(prefix, nestedTarget, placeholderTarget string) []string {
			location := func(name, target string) string {
				return "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: " + name + "\nspec:\n  type: file\n  target: " + target + "\n"
			}
			return []string{
				location(prefix+"-teams", nestedTarget),
				location(prefix+"-data", filepath.Join(data, "secret.yaml")),
				// The descriptor claims the config location as its origin: the engine's own
				// annotation wins, so the claim earns no trust.
				"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: " + prefix + "-documented\n  annotations:\n    backstage.io/managed-by-origin-location: file:" + filepath.Join(outside, "all.yaml") +
					"\nspec:\n  type: service\n  lifecycle: production\n  owner: team\n  readme: {$text: " + placeholderTarget + "}\n",
			}
		}
		writeFile(t, filepath.Join(outside, "all.yaml"), withReads("config", "./teams/team.yaml", "./README.txt")...)
		writeFile(t, filepath.Join(outside, "teams", "team.yaml"), component("config-nested", "team"))
		writeFile(t, filepath.Join(outside, "README.txt"), "read from beside the config location")
		writeFile(t, filepath.Join(outside, "api.yaml"), component("api-nested", "team"))
		writeFile(t, filepath.Join(outside, "API.txt"), "never read")
		writeFile(t, filepath.Join(work, "api", "all.yaml"), withReads("api", filepath.Join(outside, "api.yaml"), "../../"+filepath.Base(outside)+"/API.txt")...)
		e := newEngine(t, db, newClock(), work, func(o *engine.Options) {
			o.Reader = reader
			o.Locations = []engine.ConfigLocation{{Type: "file", Target: filepath.Join(outside, "all.yaml")}}
		})
		if _, err := e.AddLocation(t.Context(), "file", filepath.Join(work, "api", "all.yaml"), false); err != nil {
			t.Fatalf("AddLocation: %v", err)
		}
		run(t, e)

		got := finalEntities(t, db)
		readme := func(ref string) string {
			spec, _ := got[ref]["spec"].(map[string]any)
			s, _ := spec["readme"].(string)
			return s
		}
		tests := []struct {
			name, check string
			ok          bool
		}{
			{"config: nested Location target outside the roots is read", "component:default/config-nested", true},
			{"config: relative placeholder outside the roots is read", "config-documented", readme("component:default/config-documented") == "read from beside the config location"},
			{"config: nested target in the data directory stays unreadable", "component:default/from-data-dir", false},
			{"API: nested Location target outside the roots is refused", "component:default/api-nested", false},
			{"API: placeholder outside the roots is refused", "api-documented", got["component:default/api-documented"] == nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				if strings.Contains(tt.check, ":") {
					if _, present := got[tt.check]; present != tt.ok {
						t.Fatalf("%s present = %v, want %v (catalog: %v)", tt.check, present, tt.ok, refsOf(got))
					}
				} else if !tt.ok {
					t.Fatalf("%s: readme %q, catalog %v", tt.check, readme("component:default/"+tt.check), refsOf(got))
				}
			})
		}
		// The refusals are on the Location entities, as Backstage shows read errors.
		for ref, want := range map[string]string{
			"location:default/config-data": "never read",
			"location:default/api-data":    "never read",
			"location:default/api-teams":   "outside the local roots",
		} {
			if errs := processingErrors(t, db, ref); !strings.Contains(errs, want) {
				t.Errorf("errors of %s = %q, want %q", ref, errs, want)
			}
		}
		if errs := processingErrors(t, db, "component:default/api-documented"); !strings.Contains(errs, "outside the local roots") {
			t.Errorf("errors of the API placeholder entity = %q", errs)
		}
	})
}
