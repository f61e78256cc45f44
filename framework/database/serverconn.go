package database

import (
	"context"
	"errors"
	"io"
	"net"

	"github.com/jackc/pgx/v5/pgconn"
)

// serverConnError marks an error of the network connection to the database server, so
// [IsUnavailable] can tell it from the same error (connection refused or reset) of any other
// client of the process: an HTTP read of an unreachable host is not the database going away.
// Its text is the original's, and errors.Is/As see through it.
type serverConnError struct{ err error }

func (e *serverConnError) Error() string { return e.err.Error() }
func (e *serverConnError) Unwrap() error { return e.err }

// Timeout and Temporary keep the net.Error behaviour of the wrapped error for code (crypto/tls)
// that checks it with a type assertion.
func (e *serverConnError) Timeout() bool {
	ne, ok := errors.AsType[net.Error](e.err)
	return ok && ne.Timeout()
}

func (e *serverConnError) Temporary() bool {
	var t interface{ Temporary() bool }
	return errors.As(e.err, &t) && t.Temporary()
}

// markServerErr wraps err as a database connection's error, leaving io.EOF as it is (readers
// compare it with ==).
func markServerErr(err error) error {
	if err == nil || err == io.EOF {
		return err
	}
	return &serverConnError{err: err}
}

// serverConn is a connection to the PostgreSQL server whose errors are marked.
type serverConn struct{ net.Conn }

func (c serverConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	return n, markServerErr(err)
}

func (c serverConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	return n, markServerErr(err)
}

// markedDial wraps a pgconn dial function so that dial, read and write errors of the
// connections it makes are marked as the database server's.
func markedDial(dial pgconn.DialFunc) pgconn.DialFunc {
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, markServerErr(err)
		}
		return serverConn{Conn: c}, nil
	}
}
