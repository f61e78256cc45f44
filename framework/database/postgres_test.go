package database_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/database/databasetest"
)

func databaseExists(t *testing.T, admin *database.DB, name string) bool {
	t.Helper()
	var exists bool
	if err := admin.QueryRowContext(t.Context(), `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	return exists
}

func TestPostgresEnsureExists(t *testing.T) {
	opts := databasetest.PostgresOptions(t)
	admin, err := databasetest.NewManager(t, database.Options{
		Client: database.ClientPostgres, ConnString: databasetest.PostgresURL(t), Prefix: opts.Prefix, EnsureExists: true,
	}).ForPlugin(t.Context(), "admin")
	if err != nil {
		t.Fatal(err)
	}

	t.Run("missing database without ensureExists fails", func(t *testing.T) {
		o := opts
		o.EnsureExists = false
		_, err := databasetest.NewManager(t, o).ForPlugin(t.Context(), "absent")
		if err == nil {
			t.Fatal("ForPlugin succeeded on a missing database")
		}
		if databaseExists(t, admin, opts.Prefix+"absent") {
			t.Error("database created without ensureExists")
		}
	})
	t.Run("ensureExists creates the prefixed database", func(t *testing.T) {
		db := databasetest.OpenWith(t, opts, "catalog")
		if !databaseExists(t, admin, opts.Prefix+"catalog") {
			t.Errorf("database %scatalog missing", opts.Prefix)
		}
		var current string
		if err := db.QueryRowContext(t.Context(), `SELECT current_database()`).Scan(&current); err != nil {
			t.Fatal(err)
		}
		if current != opts.Prefix+"catalog" {
			t.Errorf("current_database() = %q", current)
		}
	})
	t.Run("replicas creating the same database together", func(t *testing.T) {
		openTogether(t, opts, "racing")
	})
	t.Run("per-plugin connection naming a database is used as is", func(t *testing.T) {
		conn := databasetest.CreatePostgresDatabase(t)
		o := opts
		o.PerPlugin = map[string]database.Options{"search": {ConnString: conn}}
		db, err := databasetest.NewManager(t, o).ForPlugin(t.Context(), "search")
		if err != nil {
			t.Fatal(err)
		}
		var current string
		if err := db.QueryRowContext(t.Context(), `SELECT current_database()`).Scan(&current); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(current, "portico_t_") || strings.HasPrefix(current, opts.Prefix) {
			t.Errorf("current_database() = %q, want the override's database", current)
		}
	})
}

func TestPostgresSchemaMode(t *testing.T) {
	conn := databasetest.CreatePostgresDatabase(t)
	opts := database.Options{
		Client: database.ClientPostgres, ConnString: conn, DivisionMode: database.DivisionSchema, EnsureExists: true,
	}
	m := databasetest.NewManager(t, opts)
	dbs := databasetest.ForPlugins(t, m, "alpha", "beta")
	alpha, beta := dbs[0], dbs[1]
	for _, tt := range []struct {
		db     *database.DB
		schema string
	}{{alpha, "alpha"}, {beta, "beta"}} {
		var schema, dbName string
		if err := tt.db.QueryRowContext(t.Context(), `SELECT current_schema(), current_database()`).Scan(&schema, &dbName); err != nil {
			t.Fatal(err)
		}
		if schema != tt.schema {
			t.Errorf("current_schema() = %q, want %q", schema, tt.schema)
		}
		if !strings.Contains(conn, dbName) {
			t.Errorf("current_database() = %q, want the configured one", dbName)
		}
	}
	fsys := migrations(map[string]string{"0001_init.sql": "CREATE TABLE items (id INTEGER PRIMARY KEY);"})
	for _, db := range []*database.DB{alpha, beta} {
		if err := db.Migrate(t.Context(), fsys); err != nil {
			t.Fatalf("%s: Migrate: %v", db.PluginID, err)
		}
	}
	mustExec(t, alpha, `INSERT INTO items (id) VALUES (1)`)
	if n := countRows(t, beta, "items"); n != 0 {
		t.Errorf("beta.items has %d rows, want 0", n)
	}
	var tables int
	if err := alpha.QueryRowContext(t.Context(),
		`SELECT count(*) FROM information_schema.tables WHERE table_name = 'portico_migrations' AND table_schema IN ('alpha', 'beta')`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 2 {
		t.Errorf("found %d portico_migrations tables, want one per schema", tables)
	}

	t.Run("replicas creating the same schema together", func(t *testing.T) {
		openTogether(t, opts, "gamma")
	})
}

// TestPostgresUnreachable needs no server: nothing listens on port 1.
func TestPostgresUnreachable(t *testing.T) {
	tests := []struct {
		name     string
		conn     string
		wantAddr string
	}{
		{name: "ip", conn: "postgres://postgres@127.0.0.1:1/x?sslmode=disable&connect_timeout=5", wantAddr: "127.0.0.1:1"},
		{name: "hostname with several addresses", conn: "host=localhost port=1 user=postgres password=hunter2 sslmode=disable connect_timeout=5", wantAddr: "localhost:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, ensure := range []bool{true, false} {
				m := databasetest.NewManager(t, database.Options{Client: database.ClientPostgres, ConnString: tt.conn, EnsureExists: ensure})
				_, err := m.ForPlugin(t.Context(), "catalog")
				if err == nil {
					t.Fatal("ForPlugin succeeded against a closed port")
				}
				msg := err.Error()
				if !strings.Contains(msg, tt.wantAddr) {
					t.Errorf("ensure=%v: error %q does not name %s", ensure, msg, tt.wantAddr)
				}
				if strings.Contains(msg, "\n") {
					t.Errorf("ensure=%v: error spans several lines: %q", ensure, msg)
				}
				if strings.Contains(msg, "hunter2") {
					t.Errorf("ensure=%v: error leaks the password: %q", ensure, msg)
				}
			}
		})
	}
	t.Run("bad connection string hides it", func(t *testing.T) {
		m := databasetest.NewManager(t, database.Options{Client: database.ClientPostgres, ConnString: "postgres://u:hunter2@host:notaport/db"})
		_, err := m.ForPlugin(t.Context(), "catalog")
		if err == nil || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error = %v, want one without the password", err)
		}
	})
}

// openTogether opens pluginID's database from four replicas (managers) at once; each must
// succeed, whichever creates the database or schema.
func openTogether(t *testing.T, opts database.Options, pluginID string) {
	t.Helper()
	const replicas = 4
	var wg sync.WaitGroup
	errs := make([]error, replicas)
	for i := range replicas {
		m := databasetest.NewManager(t, opts)
		wg.Go(func() { _, errs[i] = m.ForPlugin(t.Context(), pluginID) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: %v", i, err)
		}
	}
}
