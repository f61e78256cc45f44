package database_test

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/database/databasetest"
)

// migrations builds an FS with the same files for both dialects.
func migrations(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, body := range files {
		for _, dir := range []string{database.SQLite, database.Postgres} {
			fsys[dir+"/"+name] = &fstest.MapFile{Data: []byte(body)}
		}
	}
	return fsys
}

func appliedVersions(t *testing.T, db *database.DB, namespace string) []int {
	t.Helper()
	return databasetest.Column[int](t, db,
		`SELECT version FROM portico_migrations WHERE plugin_id = ? AND namespace = ? ORDER BY version`, db.PluginID, namespace)
}

// wantApplied checks the versions recorded as applied in namespace.
func wantApplied(t *testing.T, db *database.DB, namespace string, want ...int) {
	t.Helper()
	if got := appliedVersions(t, db, namespace); !equalInts(got, want) {
		t.Errorf("%s applied = %v, want %v", namespace, got, want)
	}
}

func tableExists(t *testing.T, db *database.DB, table string) bool {
	t.Helper()
	_, err := db.ExecContext(t.Context(), "SELECT 1 FROM "+table+" WHERE 1 = 0")
	return err == nil
}

func countRows(t *testing.T, db *database.DB, table string) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(t.Context(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

func TestMigrate(t *testing.T) {
	v1 := migrations(map[string]string{
		"0001_init.sql":  "CREATE TABLE a (id INTEGER PRIMARY KEY);\nINSERT INTO a (id) VALUES (1);",
		"0002_b.sql":     "CREATE TABLE b (id INTEGER PRIMARY KEY);",
		"README.md":      "not a migration",
		"0003_empty.sql": "  \n",
	})
	databasetest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := t.Context()
		t.Run("applies in order and records", func(t *testing.T) {
			if err := db.Migrate(ctx, v1); err != nil {
				t.Fatalf("Migrate: %v", err)
			}
			wantApplied(t, db, database.DefaultNamespace, 1, 2, 3)
			if !tableExists(t, db, "a") || !tableExists(t, db, "b") {
				t.Error("tables a and b should exist")
			}
			var name string
			var at database.NullTime
			if err := db.QueryRowContext(ctx, `SELECT name, applied_at FROM portico_migrations WHERE version = 2`).Scan(&name, &at); err != nil {
				t.Fatal(err)
			}
			if name != "b" || !at.Valid {
				t.Errorf("row for version 2 = (%q, %v), want (b, a time)", name, at)
			}
		})
		t.Run("second run applies nothing", func(t *testing.T) {
			if err := db.Migrate(ctx, v1); err != nil {
				t.Fatalf("Migrate again: %v", err)
			}
			if n := countRows(t, db, "a"); n != 1 {
				t.Errorf("table a has %d rows, want 1 (migration 1 ran twice?)", n)
			}
		})
		// v2 appends 0004 to v1 (0001 without its insert: applied versions never run again).
		v2 := map[string]string{
			"0001_init.sql":  "CREATE TABLE a (id INTEGER PRIMARY KEY);",
			"0002_b.sql":     "CREATE TABLE b (id INTEGER PRIMARY KEY);",
			"0003_empty.sql": "",
			"0004_c.sql":     "CREATE TABLE c (id INTEGER PRIMARY KEY);",
		}
		t.Run("appended migration applies", func(t *testing.T) {
			if err := db.Migrate(ctx, migrations(v2)); err != nil {
				t.Fatalf("Migrate: %v", err)
			}
			wantApplied(t, db, database.DefaultNamespace, 1, 2, 3, 4)
		})
		t.Run("failing migration rolls back fully", func(t *testing.T) {
			bad := maps.Clone(v2)
			bad["0005_bad.sql"] = "CREATE TABLE d (id INTEGER PRIMARY KEY);\nINSERT INTO a (id) VALUES (2);\nINSERT INTO no_such_table VALUES (1);"
			err := db.Migrate(ctx, migrations(bad))
			if err == nil || !strings.Contains(err.Error(), "5_bad") {
				t.Fatalf("Migrate error = %v, want one naming migration 5", err)
			}
			if tableExists(t, db, "d") {
				t.Error("table d exists after the failed migration")
			}
			if n := countRows(t, db, "a"); n != 1 {
				t.Errorf("table a has %d rows, want 1", n)
			}
			wantApplied(t, db, database.DefaultNamespace, 1, 2, 3, 4)
		})
		t.Run("newer database schema is refused", func(t *testing.T) {
			old := migrations(map[string]string{"0001_init.sql": "", "0002_b.sql": ""})
			err := db.Migrate(ctx, old)
			if !errors.Is(err, database.ErrNewerSchema) {
				t.Fatalf("Migrate error = %v, want ErrNewerSchema", err)
			}
		})
		t.Run("unknown applied version is refused", func(t *testing.T) {
			gap := migrations(map[string]string{
				"0001_init.sql": "", "0003_empty.sql": "", "0004_c.sql": "",
			})
			err := db.Migrate(ctx, gap)
			if err == nil || !strings.Contains(err.Error(), "does not know") {
				t.Fatalf("Migrate error = %v, want an unknown applied version", err)
			}
		})
		t.Run("namespaces keep separate histories", func(t *testing.T) {
			other := migrations(map[string]string{"0001_tasks.sql": "CREATE TABLE IF NOT EXISTS tasks (id TEXT PRIMARY KEY);"})
			if err := db.MigrateNamespace(ctx, "scheduler", other); err != nil {
				t.Fatalf("MigrateNamespace: %v", err)
			}
			wantApplied(t, db, "scheduler", 1)
			wantApplied(t, db, database.DefaultNamespace, 1, 2, 3, 4)
		})
	})
}

func TestMigratePendingBelowApplied(t *testing.T) {
	databasetest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		if err := db.Migrate(t.Context(), migrations(map[string]string{"0001_a.sql": "", "0003_c.sql": ""})); err != nil {
			t.Fatal(err)
		}
		err := db.Migrate(t.Context(), migrations(map[string]string{"0001_a.sql": "", "0002_b.sql": "", "0003_c.sql": ""}))
		if err == nil || !strings.Contains(err.Error(), "append new migrations") {
			t.Fatalf("Migrate error = %v, want refusal of 0002 below 0003", err)
		}
	})
}

func TestReadMigrationsRejects(t *testing.T) {
	tests := []struct {
		name    string
		fsys    fstest.MapFS
		wantErr string
	}{
		{name: "no dialect directory", fsys: fstest.MapFS{"other/0001_a.sql": {}}, wantErr: "read migrations"},
		{name: "no number", fsys: fstest.MapFS{"sqlite/init.sql": {}}, wantErr: "want <positive number>_<name>.sql"},
		{name: "zero", fsys: fstest.MapFS{"sqlite/0000_a.sql": {}}, wantErr: "positive"},
		{name: "no name", fsys: fstest.MapFS{"sqlite/0001_.sql": {}}, wantErr: "want"},
		{name: "duplicate version", fsys: fstest.MapFS{"sqlite/0001_a.sql": {}, "sqlite/1_b.sql": {}}, wantErr: "share version 1"},
		{name: "duplicate common version", fsys: fstest.MapFS{"common/0001_a.sql": {}, "common/1_b.sql": {}}, wantErr: "share version 1"},
		{name: "override under another name", fsys: fstest.MapFS{"common/0001_a.sql": {}, "sqlite/0001_b.sql": {}}, wantErr: "under different names"},
		{name: "bad template", fsys: fstest.MapFS{"common/0001_a.sql": {Data: []byte("{{if .Postgres}}")}}, wantErr: "migration file common/0001_a.sql"},
		{name: "unknown template field", fsys: fstest.MapFS{"common/0001_a.sql": {Data: []byte("{{.MySQL}}")}}, wantErr: "MySQL"},
		{name: "bad common name", fsys: fstest.MapFS{"common/init.sql": {}, "sqlite/0001_a.sql": {}}, wantErr: "common/init.sql"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := database.ReadMigrations(tt.fsys, database.Dialect{Name: database.SQLite})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("ReadMigrations error = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
	t.Run("sorted numerically", func(t *testing.T) {
		got, err := database.ReadMigrations(fstest.MapFS{
			"postgres/10_j.sql": {}, "postgres/0002_b.sql": {}, "postgres/1_a.sql": {}, "postgres/sub/3_x.sql": {},
		}, database.Dialect{Name: database.Postgres})
		if err != nil {
			t.Fatal(err)
		}
		var versions []int
		for _, m := range got {
			versions = append(versions, int(m.Version))
		}
		if !equalInts(versions, []int{1, 2, 10}) {
			t.Errorf("versions = %v, want [1 2 10]", versions)
		}
	})
}

func TestSkipMigrations(t *testing.T) {
	databasetest.ForEachBackend(t, func(t *testing.T, opts database.Options) {
		opts.SkipMigrations = true
		db := databasetest.OpenWith(t, opts, "skipper")
		if err := db.Migrate(t.Context(), migrations(map[string]string{"0001_a.sql": "CREATE TABLE a (id INTEGER);"})); err != nil {
			t.Fatalf("Migrate: %v", err)
		}
		if tableExists(t, db, "a") || tableExists(t, db, "portico_migrations") {
			t.Error("SkipMigrations still created tables")
		}
	})
}

// TestConcurrentMigrate starts several managers (replicas) on one database
// at once: every Migrate succeeds and each migration runs exactly once.
func TestConcurrentMigrate(t *testing.T) {
	const replicas = 4
	fsys := migrations(map[string]string{
		"0001_init.sql": "CREATE TABLE runs (n INTEGER NOT NULL);\nINSERT INTO runs (n) VALUES (1);",
		"0002_more.sql": "INSERT INTO runs (n) VALUES (2);",
		"0003_idx.sql":  "CREATE INDEX runs_n ON runs (n);",
	})
	databasetest.ForEachBackend(t, func(t *testing.T, opts database.Options) {
		dbs := make([]*database.DB, replicas)
		for i := range dbs {
			db := databasetest.OpenWith(t, opts, "racer")
			dbs[i] = db
		}
		var wg sync.WaitGroup
		errs := make([]error, replicas)
		for i, db := range dbs {
			wg.Go(func() { errs[i] = db.Migrate(t.Context(), fsys) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("replica %d: Migrate: %v", i, err)
			}
		}
		if n := countRows(t, dbs[0], "runs"); n != 2 {
			t.Errorf("runs has %d rows, want 2 (each migration exactly once)", n)
		}
		wantApplied(t, dbs[0], database.DefaultNamespace, 1, 2, 3)
	})
}

func TestMigrateCommonFiles(t *testing.T) {
	timeType := "{{if .Postgres}}TIMESTAMPTZ{{else}}TEXT{{end}}"
	databasetest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		ctx := t.Context()
		// The layout before common/: every file once per dialect.
		old := migrations(map[string]string{
			"0001_init.sql": "CREATE TABLE a (id INTEGER PRIMARY KEY, at TEXT);",
			"0002_b.sql":    "CREATE TABLE b (id INTEGER PRIMARY KEY);",
		})
		if err := db.Migrate(ctx, old); err != nil {
			t.Fatalf("Migrate old layout: %v", err)
		}
		// The same versions moved to common/, one still overridden per dialect, and a new one.
		moved := fstest.MapFS{
			"common/0001_init.sql": {Data: []byte("CREATE TABLE a (id INTEGER PRIMARY KEY, at " + timeType + ");")},
			"common/0002_b.sql":    {Data: []byte("this would fail if it ran again")},
			"common/0003_c.sql":    {Data: []byte("CREATE TABLE c (id INTEGER PRIMARY KEY, at " + timeType + ");")},
			"sqlite/0002_b.sql":    {Data: []byte("CREATE TABLE b (id INTEGER PRIMARY KEY);")},
			"postgres/0004_d.sql":  {Data: []byte("CREATE TABLE d (id BIGSERIAL PRIMARY KEY);")},
		}
		if err := db.Migrate(ctx, moved); err != nil {
			t.Fatalf("Migrate common layout over the old one: %v", err)
		}
		want := []int{1, 2, 3}
		if db.Dialect.IsPostgres() {
			want = []int{1, 2, 3, 4}
		}
		wantApplied(t, db, database.DefaultNamespace, want...)
		if !tableExists(t, db, "c") || tableExists(t, db, "d") != db.Dialect.IsPostgres() {
			t.Error("table c should exist on both dialects, table d on PostgreSQL only")
		}
		if _, err := db.ExecContext(ctx, db.Dialect.Rebind("INSERT INTO c (id, at) VALUES (1, ?)"), "2026-01-02T03:04:05Z"); err != nil {
			t.Errorf("insert a time into the rendered column: %v", err)
		}
	})
}

func TestReadMigrationsCommon(t *testing.T) {
	fsys := fstest.MapFS{
		"common/0001_a.sql":   {Data: []byte("CREATE TABLE a (at {{if .Postgres}}TIMESTAMPTZ{{else}}TEXT{{end}});")},
		"common/0002_b.sql":   {Data: []byte("common b")},
		"sqlite/0002_b.sql":   {Data: []byte("sqlite b")},
		"postgres/0003_c.sql": {Data: []byte("postgres c {{not a template}}")},
	}
	tests := []struct {
		dialect string
		want    []string
	}{
		{database.SQLite, []string{"1_a: CREATE TABLE a (at TEXT);", "2_b: sqlite b"}},
		{database.Postgres, []string{"1_a: CREATE TABLE a (at TIMESTAMPTZ);", "2_b: common b", "3_c: postgres c {{not a template}}"}},
	}
	for _, tt := range tests {
		t.Run(tt.dialect, func(t *testing.T) {
			list, err := database.ReadMigrations(fsys, database.Dialect{Name: tt.dialect})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range list {
				got = append(got, fmt.Sprintf("%d_%s: %s", m.Version, m.Name, m.SQL))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("migrations = %q, want %q", got, tt.want)
			}
		})
	}
}
