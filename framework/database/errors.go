package database

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrNewerSchema is returned by [DB.Migrate] when the database holds a
// migration version newer than any this binary knows: it was migrated by a
// newer release and must not be used by this one.
var ErrNewerSchema = errors.New("database schema is newer than this binary")

// ErrClosed is returned by [Manager.ForPlugin] after [Manager.Close].
var ErrClosed = errors.New("database manager is closed")

// PostgreSQL error codes used here.
const (
	pgUniqueViolation   = "23505"
	pgDuplicateDatabase = "42P04"
	pgDuplicateSchema   = "42P06"
)

// IsUniqueViolation reports whether err is a unique or primary key
// constraint violation, on either server.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	if pgErr, ok := errors.AsType[*pgconn.PgError](err); ok {
		return pgErr.Code == pgUniqueViolation
	}
	if sqErr, ok := errors.AsType[*sqlite.Error](err); ok {
		switch sqErr.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return true
		}
	}
	return false
}

func pgCode(err error) string {
	if pgErr, ok := errors.AsType[*pgconn.PgError](err); ok {
		return pgErr.Code
	}
	return ""
}

// connectError reports a failed PostgreSQL connection on one line, naming
// the server, while keeping the driver's error for errors.Is/As.
type connectError struct {
	addr string
	err  error
}

func (e *connectError) Error() string {
	msg := strings.Join(strings.Fields(strings.ReplaceAll(e.err.Error(), "\n", "; ")), " ")
	return fmt.Sprintf("connect to postgres at %s: %s", e.addr, msg)
}

func (e *connectError) Unwrap() error { return e.err }

// asConnectError wraps err when it happened while connecting; server errors
// (a failing statement) pass through unchanged.
func asConnectError(addr string, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := errors.AsType[*pgconn.PgError](err); ok {
		if _, isConnect := errors.AsType[*pgconn.ConnectError](err); !isConnect {
			return err
		}
	}
	return &connectError{addr: addr, err: err}
}

// IsBusy reports whether err means the database was too busy to take the operation (SQLite's
// write lock still held by another connection after the busy timeout, or a PostgreSQL
// serialization or lock-not-available failure): the operation may simply be retried.
func IsBusy(err error) bool {
	if err == nil {
		return false
	}
	switch pgCode(err) {
	case "40001", "40P01", "55P03":
		return true
	}
	if sqErr, ok := errors.AsType[*sqlite.Error](err); ok {
		switch sqErr.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return true
		}
	}
	return false
}
