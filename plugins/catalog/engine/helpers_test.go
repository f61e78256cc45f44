package engine_test

import (
	"context"
	"encoding/json"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/urlreader"
	"github.com/portico-dev/portico/internal/fakeclock"
	"github.com/portico-dev/portico/plugins/catalog/engine"
	"github.com/portico-dev/portico/plugins/catalog/store/migrations"
)

// fakeClock is the settable clock shared by engines in a test.
type fakeClock = fakeclock.Clock

func newClock() *fakeClock {
	return fakeclock.New(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
}

func migrate(t testing.TB, db *database.DB) {
	t.Helper()
	sub, err := fs.Sub(migrations.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(context.Background(), sub); err != nil {
		t.Fatalf("migrate: %v", err)
	}
}

func newReader(t testing.TB, roots ...string) *urlreader.Reader {
	t.Helper()
	r, err := urlreader.New(urlreader.Options{LocalRoots: roots, MaxBytes: 512 << 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return r
}

func allKinds() []engine.Rule {
	return []engine.Rule{{Allow: []string{"Component", "API", "Resource", "System", "Domain", "Group", "User", "Location", "Template"}}}
}

// newEngine builds an engine over db reading files under root.
func newEngine(t testing.TB, db *database.DB, clock *fakeClock, root string, mod func(*engine.Options)) *engine.Engine {
	t.Helper()
	opts := engine.Options{
		DB:       db,
		Reader:   newReader(t, root),
		Clock:    clock.Now,
		Random:   func() float64 { return 0 },
		Rules:    allKinds(),
		WorkerID: "w1",
		// The tests register file locations under root as an operator who allows them would.
		AllowedLocationTypes: []string{"url", "file"},
	}
	if mod != nil {
		mod(&opts)
	}
	e, err := engine.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func absTestdata(t testing.TB, parts ...string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join(append([]string{"testdata"}, parts...)...))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// finalEntities returns the stitched entities by ref.
func finalEntities(t testing.TB, db *database.DB) map[string]map[string]any {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), "SELECT entity_ref, final_entity FROM final_entities WHERE final_entity IS NOT NULL")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]map[string]any{}
	for rows.Next() {
		var ref, body string
		if err := rows.Scan(&ref, &body); err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(body), &m); err != nil {
			t.Fatal(err)
		}
		out[ref] = m
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func refsOf(m map[string]map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func count(t testing.TB, db *database.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), db.Dialect.Rebind(query), args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func annotation(e map[string]any, key string) string {
	md, _ := e["metadata"].(map[string]any)
	ann, _ := md["annotations"].(map[string]any)
	s, _ := ann[key].(string)
	return s
}

func statusMessages(e map[string]any) []string {
	st, _ := e["status"].(map[string]any)
	items, _ := st["items"].([]any)
	var out []string
	for _, it := range items {
		m, _ := it.(map[string]any)
		s, _ := m["message"].(string)
		out = append(out, s)
	}
	return out
}

func processingErrors(t testing.TB, db *database.DB, ref string) string {
	t.Helper()
	var s *string
	if err := db.QueryRowContext(context.Background(), db.Dialect.Rebind("SELECT errors FROM refresh_state WHERE entity_ref = ?"), ref).Scan(&s); err != nil {
		t.Fatalf("errors of %s: %v", ref, err)
	}
	if s == nil {
		return ""
	}
	return *s
}

func replaceAll(s string, pairs ...string) string {
	return strings.NewReplacer(pairs...).Replace(s)
}
