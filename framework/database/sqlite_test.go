package database_test

import (
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/database/databasetest"
)

func TestSQLiteSettings(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "data")
	db, err := databasetest.NewManager(t, database.Options{Directory: dir}).ForPlugin(t.Context(), "catalog")
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(dir)
	if err != nil {
		t.Fatalf("directory not created: %v", err)
	}
	if perm := st.Mode().Perm(); perm != 0o700 {
		t.Errorf("directory mode = %o, want 700", perm)
	}
	if _, err := os.Stat(filepath.Join(dir, "backstage_plugin_catalog.sqlite")); err != nil {
		t.Errorf("plugin file: %v", err)
	}
	tests := []struct {
		pragma string
		want   string
	}{
		{pragma: "journal_mode", want: "wal"},
		{pragma: "foreign_keys", want: "1"},
		{pragma: "synchronous", want: "1"}, // NORMAL
		{pragma: "busy_timeout", want: "10000"},
		{pragma: "wal_autocheckpoint", want: "65536"}, // a backstop: the checkpointer copies the log
		{pragma: "mmap_size", want: "0"},
	}
	// Check on several pool connections, not just the first.
	conns := make([]*sql.Conn, 3)
	for i := range conns {
		c, err := db.Conn(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		conns[i] = c
		defer func() { _ = c.Close() }()
	}
	for _, tt := range tests {
		t.Run(tt.pragma, func(t *testing.T) {
			for i, c := range conns {
				var got string
				if err := c.QueryRowContext(t.Context(), "PRAGMA "+tt.pragma).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if got != tt.want {
					t.Errorf("connection %d: PRAGMA %s = %s, want %s", i, tt.pragma, got, tt.want)
				}
			}
		})
	}
}

// TestSQLiteCheckpointer checks that a file database's log is copied into the database file
// beside the writer: the pool's connections would only checkpoint past 256 MiB of log.
func TestSQLiteCheckpointer(t *testing.T) {
	dir := t.TempDir()
	db, err := databasetest.NewManager(t, database.Options{Directory: dir}).ForPlugin(t.Context(), "catalog")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "backstage_plugin_catalog.sqlite")
	if _, err := db.ExecContext(t.Context(), "CREATE TABLE blobs (b BLOB)"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(t.Context(), "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) INSERT INTO blobs SELECT randomblob(1024) FROM n"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, err := os.Stat(file)
		if err != nil {
			t.Fatal(err)
		}
		if st.Size() >= 2000*1024 {
			return // the rows reached the database file
		}
		if time.Now().After(deadline) {
			t.Fatalf("database file is %d bytes 10 s after 2 MB were committed: the log was not checkpointed", st.Size())
		}
		time.Sleep(50 * time.Millisecond) // polling with a bound
	}
}

// TestSQLiteMemorySharedByPool checks that every connection of a plugin's
// pool sees the same in-memory database, that writers running together do
// not fail, and that other plugins and managers do not see it.
func TestSQLiteMemorySharedByPool(t *testing.T) {
	m := databasetest.NewManager(t, database.Options{Memory: true, MaxOpenConns: 4})
	db, err := m.ForPlugin(t.Context(), "mem")
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, `CREATE TABLE items (id INTEGER PRIMARY KEY, worker INTEGER NOT NULL)`)

	const workers, perWorker = 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			conn, err := db.Conn(t.Context()) // forces distinct connections
			if err != nil {
				errs <- err
				return
			}
			defer func() { _ = conn.Close() }()
			for i := range perWorker {
				tx, err := conn.BeginTx(t.Context(), nil)
				if err != nil {
					errs <- fmt.Errorf("worker %d begin: %w", w, err)
					return
				}
				if _, err := tx.ExecContext(t.Context(), `INSERT INTO items (id, worker) VALUES (?, ?)`, w*1000+i, w); err != nil {
					_ = tx.Rollback()
					errs <- fmt.Errorf("worker %d insert: %w", w, err)
					return
				}
				var n int
				if err := tx.QueryRowContext(t.Context(), `SELECT count(*) FROM items WHERE worker = ?`, w).Scan(&n); err != nil {
					_ = tx.Rollback()
					errs <- fmt.Errorf("worker %d count: %w", w, err)
					return
				}
				if err := tx.Commit(); err != nil {
					errs <- fmt.Errorf("worker %d commit: %w", w, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := countRows(t, db, "items"); n != workers*perWorker {
		t.Errorf("items has %d rows, want %d", n, workers*perWorker)
	}

	other, err := m.ForPlugin(t.Context(), "other")
	if err != nil {
		t.Fatal(err)
	}
	if tableExists(t, other, "items") {
		t.Error("another plugin sees the in-memory table")
	}
	same, err := databasetest.NewManager(t, database.Options{Memory: true}).ForPlugin(t.Context(), "mem")
	if err != nil {
		t.Fatal(err)
	}
	if tableExists(t, same, "items") {
		t.Error("another manager sees the in-memory table")
	}
}

// TestSQLiteSurvivesIdlePool: the in-memory database must outlive its pool
// dropping every idle connection.
func TestSQLiteMemorySurvivesIdlePool(t *testing.T) {
	db, err := databasetest.NewManager(t, database.Options{Memory: true}).ForPlugin(t.Context(), "mem")
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, `CREATE TABLE kept (id INTEGER)`)
	db.SetMaxIdleConns(0) // closes every idle pool connection
	db.SetMaxIdleConns(4)
	if !tableExists(t, db, "kept") {
		t.Error("in-memory database lost when the pool went idle")
	}
}

// TestSQLiteCrashSafety copies the database file and its write-ahead log
// while the database is open (what a power cut leaves on disk) and checks
// that a new manager opens the copy with every committed row.
func TestSQLiteCrashSafety(t *testing.T) {
	dir := t.TempDir()
	m := databasetest.NewManager(t, database.Options{Directory: dir})
	db, err := m.ForPlugin(t.Context(), "durable")
	if err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, `CREATE TABLE log (id INTEGER PRIMARY KEY, msg TEXT NOT NULL)`)
	for i := range 50 {
		mustExec(t, db, `INSERT INTO log (id, msg) VALUES (?, ?)`, i, fmt.Sprintf("entry %d", i))
	}
	file := filepath.Join(dir, "backstage_plugin_durable.sqlite")
	wal, err := os.Stat(file + "-wal")
	if err != nil {
		t.Fatalf("WAL file missing while open: %v", err)
	}
	if wal.Size() == 0 {
		t.Fatal("WAL file is empty: rows were checkpointed, the test proves nothing")
	}

	crashed := t.TempDir()
	for _, suffix := range []string{"", "-wal"} {
		copyFile(t, file+suffix, filepath.Join(crashed, "backstage_plugin_durable.sqlite"+suffix))
	}
	reopened, err := databasetest.NewManager(t, database.Options{Directory: crashed}).ForPlugin(t.Context(), "durable")
	if err != nil {
		t.Fatalf("reopen after crash: %v", err)
	}
	if n := countRows(t, reopened, "log"); n != 50 {
		t.Errorf("after crash: %d rows, want 50", n)
	}
	var check string
	if err := reopened.QueryRowContext(t.Context(), "PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Errorf("integrity_check = %q, %v", check, err)
	}

	// A clean close and reopen works too.
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := databasetest.NewManager(t, database.Options{Directory: dir}).ForPlugin(t.Context(), "durable")
	if err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, again, "log"); n != 50 {
		t.Errorf("after reopen: %d rows, want 50", n)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = in.Close() }()
	out, err := os.Create(to)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
