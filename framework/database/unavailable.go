package database

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// IsUnavailable reports whether err means the database could not serve the operation for a
// reason of the database itself, not of the request: the server cannot be reached or went
// away (connection refused or reset, administrator shutdown, too many connections), the pool
// is closed, the write lock stayed busy past the timeout, the disk is full or read-only, an
// I/O error. Such errors are transient for the client (503, retry later) and worth one log
// line per outage, not one per request. Constraint violations, syntax errors, missing rows
// and cancelled requests are not unavailability. Only errors of the database count: the same
// network or file system error from another client of the process (an HTTP read of a host that
// refuses connections, a full disk under a workspace) is not the database's (fromDatabase).
func IsUnavailable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || !fromDatabase(err) {
		return false
	}
	if errors.Is(err, ErrClosed) || errors.Is(err, sql.ErrConnDone) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, pgconn.ErrConnClosed) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EROFS) {
		return true
	}
	if asAny(err, new(*connectError), new(*pgconn.ConnectError), new(*net.OpError)) {
		return true
	}
	if code := pgCode(err); code != "" {
		switch {
		case strings.HasPrefix(code, "08"), // connection exception
			strings.HasPrefix(code, "53"),  // insufficient resources: disk full, out of memory, too many connections
			strings.HasPrefix(code, "57P"), // operator intervention: admin/crash shutdown, cannot connect now
			code == "25006":                // read-only transaction (a standby)
			return true
		}
		return false
	}
	if sqErr, ok := errors.AsType[*sqlite.Error](err); ok {
		switch sqErr.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR,
			sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_NOMEM, sqlite3.SQLITE_PROTOCOL:
			return true
		}
		return false
	}
	return isClosedPool(err)
}

// fromDatabase reports whether err came from a database: database/sql, a driver, the server,
// this package, or a connection to the server (serverConnError, set by the dialer of every
// PostgreSQL pool). SQLite's failures reach callers as *sqlite.Error.
func fromDatabase(err error) bool {
	if errors.Is(err, ErrClosed) || errors.Is(err, sql.ErrConnDone) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, pgconn.ErrConnClosed) || isClosedPool(err) {
		return true
	}
	return asAny(err, new(*serverConnError), new(*connectError), new(*pgconn.ConnectError), new(*pgconn.PgError),
		new(*sqlite.Error), new(*AccessError))
}

// asAny reports whether err's chain holds an error of one of targets' types (each a pointer to
// a variable of that type, as errors.As takes).
func asAny(err error, targets ...any) bool {
	for _, target := range targets {
		if errors.As(err, target) {
			return true
		}
	}
	return false
}

// isClosedPool: database/sql reports a closed pool with an unexported error.
func isClosedPool(err error) bool {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if e.Error() == "sql: database is closed" {
			return true
		}
	}
	return false
}
