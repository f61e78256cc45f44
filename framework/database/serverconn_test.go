package database_test

import (
	"context"
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/database/databasetest"
)

// resetProxy forwards TCP connections to a server and can cut them all with a reset, as a
// network failure or a crashed server does. forwarded receives a value each time bytes went
// from a client to the server.
type resetProxy struct {
	ln        net.Listener
	target    string
	forwarded chan struct{}
	mu        sync.Mutex
	conns     []*net.TCPConn
}

func newResetProxy(t *testing.T, target string) *resetProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &resetProxy{ln: ln, target: target, forwarded: make(chan struct{}, 1)}
	t.Cleanup(func() { _ = ln.Close(); p.reset() })
	go p.serve()
	return p
}

func (p *resetProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c.(*net.TCPConn))
		p.mu.Unlock()
		go func() {
			defer s.Close()
			buf := make([]byte, 32<<10)
			for {
				n, err := c.Read(buf)
				if n > 0 {
					if _, werr := s.Write(buf[:n]); werr != nil {
						return
					}
					select {
					case p.forwarded <- struct{}{}:
					default:
					}
				}
				if err != nil {
					return
				}
			}
		}()
		go func() { _, _ = io.Copy(c, s) }()
	}
}

// reset closes every client connection with RST and refuses new ones.
func (p *resetProxy) reset() {
	_ = p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		_ = c.SetLinger(0)
		_ = c.Close()
	}
	p.conns = nil
}

// TestPostgresConnectionResetIsUnavailable: a PostgreSQL connection reset in the middle of a
// statement surfaces as a bare network error (ECONNRESET, no PostgreSQL error); it is still
// the database's, because the pool's dialer marks its connections' errors, while the same
// error of another client is not (TestIsUnavailable).
func TestPostgresConnectionResetIsUnavailable(t *testing.T) {
	opts := databasetest.PostgresOptions(t)
	u, err := url.Parse(opts.ConnString)
	if err != nil {
		t.Fatal(err)
	}
	p := newResetProxy(t, u.Host)
	u.Host = p.ln.Addr().String()
	opts.ConnString = u.String()
	m := databasetest.NewManager(t, opts)
	db, err := m.ForPlugin(t.Context(), "reset")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := db.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.PingContext(t.Context()); err != nil {
		t.Fatal(err)
	}
	select { // forget the bytes of the connection's start
	case <-p.forwarded:
	default:
	}
	done := make(chan error, 1)
	go func() {
		var n int
		done <- conn.QueryRowContext(context.WithoutCancel(t.Context()), "SELECT 1 FROM pg_sleep($1)", 3).Scan(&n)
	}()
	select {
	case <-p.forwarded:
	case <-time.After(10 * time.Second):
		t.Fatal("the statement never reached the proxy")
	}
	p.reset()
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the statement did not fail after the reset")
	}
	if err == nil {
		t.Fatal("the statement succeeded through a reset connection")
	}
	if !database.IsUnavailable(err) {
		t.Errorf("IsUnavailable(%v) = false for a reset database connection", err)
	}
}
