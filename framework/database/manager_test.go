package database_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/database/databasetest"
)

func TestManagerIsolatesPlugins(t *testing.T) {
	databasetest.ForEachBackend(t, func(t *testing.T, opts database.Options) {
		m := databasetest.NewManager(t, opts)
		dbs := databasetest.ForPlugins(t, m, "alpha", "beta")
		alpha, beta := dbs[0], dbs[1]
		mustExec(t, alpha, `CREATE TABLE secrets (v TEXT)`)
		if tableExists(t, beta, "secrets") {
			t.Error("plugin beta sees plugin alpha's table")
		}
		// Both may own a table of the same name.
		mustExec(t, beta, `CREATE TABLE secrets (v TEXT)`)
		mustExec(t, beta, `INSERT INTO secrets (v) VALUES ('b')`)
		if n := countRows(t, alpha, "secrets"); n != 0 {
			t.Errorf("alpha's secrets has %d rows, want 0", n)
		}
		again, err := m.ForPlugin(t.Context(), "alpha")
		if err != nil {
			t.Fatal(err)
		}
		if again != alpha {
			t.Error("ForPlugin returned a new *DB for the same plugin")
		}
		if alpha.PluginID != "alpha" {
			t.Errorf("PluginID = %q", alpha.PluginID)
		}
	})
}

func TestManagerConcurrentForPlugin(t *testing.T) {
	databasetest.ForEachBackend(t, func(t *testing.T, opts database.Options) {
		m := databasetest.NewManager(t, opts)
		const n = 8
		got := make([]*database.DB, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { got[i], errs[i] = m.ForPlugin(t.Context(), "shared") })
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("call %d: %v", i, errs[i])
			}
			if got[i] != got[0] {
				t.Fatalf("call %d got a different *DB", i)
			}
		}
	})
}

func TestManagerRejectsBadUse(t *testing.T) {
	m, err := database.NewManager(database.Options{Directory: t.TempDir()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.ForPlugin(t.Context(), "../etc"); err == nil {
		t.Error("ForPlugin accepted a path as plugin id")
	}
	if _, err := m.ForPlugin(t.Context(), "ok"); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := m.ForPlugin(t.Context(), "ok"); !errors.Is(err, database.ErrClosed) {
		t.Errorf("ForPlugin after Close = %v, want ErrClosed", err)
	}
}

// TestFilenameSharedByPlugins puts two plugins in one SQLite file: each
// keeps its own migration history even with the same version numbers.
func TestFilenameSharedByPlugins(t *testing.T) {
	dir := t.TempDir()
	m := databasetest.NewManager(t, database.Options{Directory: dir, Filename: "all.sqlite"})
	for _, id := range []string{"alpha", "beta"} {
		db, err := m.ForPlugin(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		fsys := migrations(map[string]string{"0001_init.sql": "CREATE TABLE " + id + "_items (id INTEGER);"})
		if err := db.Migrate(t.Context(), fsys); err != nil {
			t.Fatalf("%s: Migrate: %v", id, err)
		}
	}
	db, _ := m.ForPlugin(t.Context(), "alpha")
	if !tableExists(t, db, "beta_items") {
		t.Error("plugins in one file should share the file")
	}
	if got := appliedVersions(t, db, database.DefaultNamespace); !equalInts(got, []int{1}) {
		t.Errorf("alpha applied = %v, want [1]", got)
	}
}
