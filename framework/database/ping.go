package database

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strconv"

	"github.com/jackc/pgx/v5"
)

// Ping checks that the configured server is reachable (PostgreSQL) or that the data directory
// can be created (SQLite files), so a backend fails at start with one clear line rather than
// when the first plugin opens its database.
func (m *Manager) Ping(ctx context.Context) error {
	o := m.opts
	switch o.client() {
	case ClientPostgres:
		cfg, err := pgx.ParseConfig(o.ConnString)
		if err != nil {
			return fmt.Errorf("invalid postgres connection string")
		}
		if cfg.ConnectTimeout == 0 {
			cfg.ConnectTimeout = pgDefaultConnTimeout
		}
		if cfg.Database == "" {
			cfg.Database = pgAdminDatabase // as ForPlugin's administration connection does
		}
		addr := net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port)))
		conn, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			return asConnectError(addr, err)
		}
		return conn.Close(ctx)
	default:
		if o.Memory || o.Directory == "" {
			return nil
		}
		abs, err := filepath.Abs(o.Directory)
		if err != nil {
			return fmt.Errorf("sqlite directory: %w", err)
		}
		return checkSQLiteDir("", abs)
	}
}
