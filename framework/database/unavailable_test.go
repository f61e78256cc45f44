package database_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/database/databasetest"
)

// TestIsUnavailable provokes real failures on real databases and checks which of them
// mean "the database cannot serve this now" (503) rather than a request's own fault.
func TestIsUnavailable(t *testing.T) {
	type tc struct {
		name string
		err  func(t *testing.T) error
		want bool
	}
	sqliteFile := func(t *testing.T) *database.DB {
		db := databasetest.OpenSQLite(t, "unavail")
		if _, err := db.ExecContext(t.Context(), "CREATE TABLE t (x TEXT PRIMARY KEY)"); err != nil {
			t.Fatal(err)
		}
		return db
	}
	cases := []tc{
		{name: "nil", err: func(*testing.T) error { return nil }},
		{name: "plain error", err: func(*testing.T) error { return errors.New("boom") }},
		{name: "no rows", err: func(*testing.T) error { return fmt.Errorf("get: %w", sql.ErrNoRows) }},
		{name: "cancelled request", err: func(*testing.T) error { return fmt.Errorf("list: %w", context.Canceled) }},
		{name: "manager closed", err: func(*testing.T) error { return fmt.Errorf("open: %w", database.ErrClosed) }, want: true},
		{name: "sqlite pool closed", want: true, err: func(t *testing.T) error {
			db := sqliteFile(t)
			if err := db.DB.Close(); err != nil {
				t.Fatal(err)
			}
			_, err := db.ExecContext(t.Context(), "INSERT INTO t VALUES ('a')")
			return fmt.Errorf("insert: %w", err)
		}},
		{name: "sqlite disk full (SQLITE_FULL)", want: true, err: func(t *testing.T) error {
			db := sqliteFile(t)
			conn, pages := pinnedInt(t, db, "PRAGMA page_count")
			if _, err := conn.ExecContext(t.Context(), fmt.Sprintf("PRAGMA max_page_count = %d", pages)); err != nil {
				t.Fatal(err)
			}
			for i := range 10000 {
				if _, err := conn.ExecContext(t.Context(), "INSERT INTO t VALUES (?)", strings.Repeat(fmt.Sprint(i), 200)); err != nil {
					return err
				}
			}
			t.Fatal("the database never filled up")
			return nil
		}},
		{name: "sqlite unique violation", err: func(t *testing.T) error {
			db := sqliteFile(t)
			_, _ = db.ExecContext(t.Context(), "INSERT INTO t VALUES ('a')")
			_, err := db.ExecContext(t.Context(), "INSERT INTO t VALUES ('a')")
			return err
		}},
		{name: "sqlite syntax error", err: func(t *testing.T) error {
			_, err := sqliteFile(t).ExecContext(t.Context(), "SELEC 1")
			return err
		}},
		// The same failures from other clients of the process are not the database's.
		{name: "http read of a host that refuses connections", err: func(t *testing.T) error {
			srv := httptest.NewServer(http.NotFoundHandler())
			srv.Close()
			_, err := srv.Client().Get(srv.URL) //nolint:bodyclose // it fails
			if err == nil {
				t.Fatal("the closed server answered")
			}
			return fmt.Errorf("read %s: %w", srv.URL, err)
		}},
		{name: "http body cut short (io.ErrUnexpectedEOF)", err: func(t *testing.T) error {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Length", "100")
				_, _ = w.Write([]byte("short"))
			}))
			defer srv.Close()
			resp, err := srv.Client().Get(srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			_, err = io.ReadAll(resp.Body)
			return err
		}},
		{name: "disk full under a workspace", err: func(*testing.T) error {
			return fmt.Errorf("write skeleton: %w", &fs.PathError{Op: "write", Path: "/work/x", Err: syscall.ENOSPC})
		}},
		{name: "postgres refused", want: true, err: func(t *testing.T) error {
			m, err := database.NewManager(database.Options{Client: database.ClientPostgres,
				ConnString: "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=5"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			return m.Ping(t.Context())
		}},
	}
	if url := os.Getenv(databasetest.EnvPostgresURL); url != "" {
		cases = append(cases,
			tc{name: "postgres administrator shutdown (57P01)", want: true, err: func(t *testing.T) error {
				db := databasetest.OpenPostgres(t, "unavail")
				conn, pid := pinnedInt(t, db, "SELECT pg_backend_pid()")
				admin, err := pgx.Connect(t.Context(), url)
				if err != nil {
					t.Fatal(err)
				}
				defer admin.Close(context.Background())
				if _, err := admin.Exec(t.Context(), "SELECT pg_terminate_backend($1)", pid); err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
				defer cancel()
				_, err = conn.ExecContext(ctx, "SELECT 1")
				return err
			}},
			tc{name: "postgres unique violation", err: func(t *testing.T) error {
				db := databasetest.OpenPostgres(t, "unavail")
				if _, err := db.ExecContext(t.Context(), "CREATE TABLE t (x TEXT PRIMARY KEY)"); err != nil {
					t.Fatal(err)
				}
				_, _ = db.ExecContext(t.Context(), "INSERT INTO t VALUES ('a')")
				_, err := db.ExecContext(t.Context(), "INSERT INTO t VALUES ('a')")
				return err
			}},
		)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.err(t)
			if c.want && err == nil {
				t.Fatal("the failure did not happen")
			}
			if got := database.IsUnavailable(err); got != c.want {
				t.Errorf("IsUnavailable(%v) = %v, want %v", err, got, c.want)
			}
		})
	}
}

// TestManagerCheck: readiness asks the manager whether its databases can serve requests.
func TestManagerCheck(t *testing.T) {
	databasetest.ForEachBackend(t, func(t *testing.T, opts database.Options) {
		m := databasetest.NewManager(t, opts)
		db, err := m.ForPlugin(t.Context(), "checked")
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Check(t.Context(), 1<<20); err != nil {
			t.Fatalf("Check on a healthy database: %v", err)
		}
		if opts.Client != database.ClientPostgres {
			err := m.Check(t.Context(), 1<<62)
			if err == nil || !strings.Contains(err.Error(), "disk of the database of plugin checked is full") {
				t.Errorf("Check with less free space than required = %v, want a full disk", err)
			}
		}
		if err := db.DB.Close(); err != nil {
			t.Fatal(err)
		}
		err = m.Check(t.Context(), 0)
		if err == nil || !strings.Contains(err.Error(), "database of plugin checked is unavailable") {
			t.Errorf("Check on a closed pool = %v, want unavailable", err)
		}
		if err != nil && strings.Contains(err.Error(), "postgres://") {
			t.Errorf("Check's message shows the connection string: %v", err)
		}
	})
}

// pinnedInt takes one connection of db, closed when the test ends, and reads an integer with
// query on it (a setting or an id of that connection).
func pinnedInt(t *testing.T, db *database.DB, query string) (*sql.Conn, int) {
	t.Helper()
	conn, err := db.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	var n int
	if err := conn.QueryRowContext(t.Context(), query).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return conn, n
}
