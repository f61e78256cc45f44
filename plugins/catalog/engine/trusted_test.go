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
		work := t.TempDir() // the working directory: the only local root
		outside := t.TempDir()
		data := filepath.Join(work, ".portico")
		if err := os.MkdirAll(filepath.Join(outside, "examples"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(data, 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(outside, "examples", "entities.yaml"), component("from-glob", "team"))
		writeFile(t, filepath.Join(outside, "org.yaml"), component("from-file", "team"))
		writeFile(t, filepath.Join(outside, "api-registered.yaml"), component("from-api", "team"))
		writeFile(t, filepath.Join(data, "secret.yaml"), component("from-data-dir", "team"))
		reader, err := urlreader.New(urlreader.Options{LocalRoots: []string{work}, DeniedDirs: []string{data}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = reader.Close() })
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
