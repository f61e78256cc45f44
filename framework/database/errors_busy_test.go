package database_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/database/databasetest"
)

func TestIsBusy(t *testing.T) {
	if database.IsBusy(nil) || database.IsBusy(errors.New("x")) {
		t.Fatal("plain errors are not busy")
	}
	// Hold SQLite's write lock on one connection and let another one time out on it.
	file := filepath.Join(t.TempDir(), "busy.sqlite")
	db := databasetest.ForPlugins(t, databasetest.NewManager(t, database.Options{Filename: file}), "busy")[0]
	if _, err := db.ExecContext(t.Context(), "CREATE TABLE t (x INTEGER)"); err != nil {
		t.Fatal(err)
	}
	holder, err := db.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback()
	if _, err := holder.ExecContext(t.Context(), "INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	other, err := sql.Open("sqlite", fmt.Sprintf("file:%s?_pragma=busy_timeout(50)&_txlock=immediate", file))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	_, err = other.ExecContext(ctx, "INSERT INTO t VALUES (2)")
	if !database.IsBusy(err) {
		t.Fatalf("IsBusy(%v) = false", err)
	}
}
