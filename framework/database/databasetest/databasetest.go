// Package databasetest opens fresh, isolated plugin databases for tests, on
// SQLite always and on PostgreSQL when PORTICO_TEST_POSTGRES_URL is set, and
// removes them when the test ends. Store conformance suites build on
// [ForEachDialect]:
//
//	func TestStore(t *testing.T) {
//		databasetest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
//			store, err := catalogstore.New(t.Context(), db)
//			...
//		})
//	}
//
// Suites that need several handles on ONE database (two replicas) use
// [ForEachBackend] and open their own managers with [NewManager]: managers
// built from the same Options reach the same database.
package databasetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/portico-dev/portico/framework/database"
)

// EnvPostgresURL names the variable holding the PostgreSQL server URL used
// by tests, e.g. postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable.
const EnvPostgresURL = "PORTICO_TEST_POSTGRES_URL"

// DefaultPluginID is the plugin ID [ForEachDialect] opens.
const DefaultPluginID = "test"

// cleanupTimeout bounds dropping a test's databases.
const cleanupTimeout = 30 * time.Second

// Backend is one way to run a suite: a name for the subtest and the Options
// that reach a fresh database.
type Backend struct {
	Name    string
	Options database.Options
}

// ForEachDialect runs body in a subtest per dialect ("sqlite", "postgres"),
// each on a fresh database of plugin [DefaultPluginID]. The postgres subtest
// skips when [EnvPostgresURL] is unset.
func ForEachDialect(t *testing.T, body func(t *testing.T, db *database.DB)) {
	t.Helper()
	ForEachBackend(t, func(t *testing.T, opts database.Options) {
		t.Helper()
		body(t, OpenWith(t, opts, DefaultPluginID))
	})
}

// ForEachBackend runs body in a subtest per dialect with Options reaching a
// fresh place: a temporary directory for SQLite, a unique database prefix on
// the test server for PostgreSQL (skipped when [EnvPostgresURL] is unset).
func ForEachBackend(t *testing.T, body func(t *testing.T, opts database.Options)) {
	t.Helper()
	t.Run(database.SQLite, func(t *testing.T) {
		t.Helper()
		body(t, SQLiteOptions(t))
	})
	t.Run(database.Postgres, func(t *testing.T) {
		t.Helper()
		body(t, PostgresOptions(t))
	})
}

// Open returns a fresh database of pluginID for each available dialect:
// SQLite always, PostgreSQL when [EnvPostgresURL] is set.
func Open(t testing.TB, pluginID string) []*database.DB {
	t.Helper()
	dbs := []*database.DB{OpenSQLite(t, pluginID)}
	if os.Getenv(EnvPostgresURL) != "" {
		dbs = append(dbs, OpenPostgres(t, pluginID))
	}
	return dbs
}

// OpenSQLite returns a fresh file-backed SQLite database of pluginID in a
// temporary directory.
func OpenSQLite(t testing.TB, pluginID string) *database.DB {
	t.Helper()
	return OpenWith(t, SQLiteOptions(t), pluginID)
}

// OpenPostgres returns a fresh PostgreSQL database of pluginID, dropped when
// the test ends, or skips the test when [EnvPostgresURL] is unset.
func OpenPostgres(t testing.TB, pluginID string) *database.DB {
	t.Helper()
	return OpenWith(t, PostgresOptions(t), pluginID)
}

// SQLiteOptions returns Options for SQLite files in a temporary directory.
func SQLiteOptions(t testing.TB) database.Options {
	t.Helper()
	return database.Options{Client: database.ClientSQLite, Directory: t.TempDir()}
}

// PostgresOptions returns Options for per-plugin databases on the test
// server under a unique prefix; every database with that prefix is dropped
// when the test ends. It skips the test when [EnvPostgresURL] is unset.
func PostgresOptions(t testing.TB) database.Options {
	t.Helper()
	serverURL := PostgresURL(t)
	prefix := "portico_t_" + randomHex(t) + "_"
	t.Cleanup(func() { dropDatabases(t, serverURL, prefix) })
	return database.Options{
		Client:       database.ClientPostgres,
		ConnString:   serverURL,
		Prefix:       prefix,
		EnsureExists: true,
	}
}

// CreatePostgresDatabase creates an empty database with a unique name on the
// test server and returns a connection string for it; it is dropped when the
// test ends. It skips the test when [EnvPostgresURL] is unset.
func CreatePostgresDatabase(t testing.TB) string {
	t.Helper()
	serverURL := PostgresURL(t)
	name := "portico_t_" + randomHex(t) + "_db"
	t.Cleanup(func() { dropDatabases(t, serverURL, name) })
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, serverURL)
	if err != nil {
		t.Fatalf("connect to test postgres: %v", err)
	}
	defer func() { _ = conn.Close(ctx) }()
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	return withDatabase(t, serverURL, name)
}

// PostgresURL returns the test server's URL or skips the test.
func PostgresURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvPostgresURL)
	if u == "" {
		t.Skip(EnvPostgresURL + " is not set: skipping PostgreSQL test")
	}
	return u
}

// NewManager returns a Manager for opts that is closed when the test ends.
func NewManager(t testing.TB, opts database.Options) *database.Manager {
	t.Helper()
	m, err := database.NewManager(opts, nil)
	if err != nil {
		t.Fatalf("database.NewManager: %v", err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("close database manager: %v", err)
		}
	})
	return m
}

// ForPlugins opens the database of each plugin ID through m.
func ForPlugins(t testing.TB, m *database.Manager, pluginIDs ...string) []*database.DB {
	t.Helper()
	dbs := make([]*database.DB, len(pluginIDs))
	for i, id := range pluginIDs {
		db, err := m.ForPlugin(t.Context(), id)
		if err != nil {
			t.Fatalf("open plugin %s: %v", id, err)
		}
		dbs[i] = db
	}
	return dbs
}

// Column runs query (? placeholders, rebound for db's dialect) and returns its one column.
func Column[T any](t testing.TB, db *database.DB, query string, args ...any) []T {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), db.Dialect.Rebind(query), args...)
	if err != nil {
		t.Fatalf("query %s: %v", query, err)
	}
	defer func() { _ = rows.Close() }()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			t.Fatalf("scan %s: %v", query, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("query %s: %v", query, err)
	}
	return out
}

// OpenWith returns the database of pluginID through a new Manager for opts (closed when the
// test ends), failing the test when it cannot be opened.
func OpenWith(t testing.TB, opts database.Options, pluginID string) *database.DB {
	t.Helper()
	db, err := NewManager(t, opts).ForPlugin(t.Context(), pluginID)
	if err != nil {
		t.Fatalf("open %s database for plugin %s: %v", opts.Client, pluginID, err)
	}
	return db
}

// dropDatabases drops every database whose name starts with prefix,
// disconnecting whoever still uses it.
func dropDatabases(t testing.TB, serverURL, prefix string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, serverURL)
	if err != nil {
		t.Errorf("drop test databases: %v", err)
		return
	}
	defer func() { _ = conn.Close(ctx) }()
	rows, err := conn.Query(ctx, "SELECT datname FROM pg_database WHERE starts_with(datname, $1)", prefix)
	if err != nil {
		t.Errorf("list test databases: %v", err)
		return
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Errorf("list test databases: %v", err)
		return
	}
	for _, name := range names {
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
	}
}

// withDatabase returns the connection string base pointing at database
// name instead, for URL and key=value forms alike.
func withDatabase(t testing.TB, base, name string) string {
	t.Helper()
	if strings.HasPrefix(base, "postgres://") || strings.HasPrefix(base, "postgresql://") {
		u, err := url.Parse(base)
		if err != nil {
			t.Fatalf("parse %s: %v", EnvPostgresURL, err)
		}
		u.Path = "/" + name
		return u.String()
	}
	// In key=value strings the last occurrence of a key wins.
	return base + " dbname=" + name
}

func randomHex(t testing.TB) string {
	t.Helper()
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("random name: %v", err)
	}
	return hex.EncodeToString(b)
}
