package database

import (
	"context"
	"fmt"
	"path/filepath"
)

// Check tells whether every database the manager opened can serve requests now: each pool
// answers a ping (a round trip to PostgreSQL), and the directory of each SQLite file keeps at
// least minFreeBytes free (SQLite fails every write with SQLITE_FULL once the disk is full,
// while its pings still succeed; 0 skips the check). ctx bounds the pings. The error names
// the plugin and the kind of problem only: readiness shows it to anyone.
func (m *Manager) Check(ctx context.Context, minFreeBytes uint64) error {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return fmt.Errorf("database: %w", ErrClosed)
	}
	var dbs []*DB
	for _, e := range m.dbs {
		select {
		case <-e.done:
			if e.db != nil {
				dbs = append(dbs, e.db)
			}
		default: // still opening
		}
	}
	m.mu.Unlock()
	for _, db := range dbs {
		if err := db.PingContext(ctx); err != nil {
			m.logger.WarnContext(ctx, "database ping failed", "plugin", db.PluginID, "err", err)
			return fmt.Errorf("database of plugin %s is unavailable", db.PluginID)
		}
		if db.file == "" || minFreeBytes == 0 {
			continue
		}
		free, err := diskFree(filepath.Dir(db.file))
		if err != nil {
			m.logger.WarnContext(ctx, "database disk space unknown", "plugin", db.PluginID, "err", err)
			continue
		}
		if free < minFreeBytes {
			return fmt.Errorf("disk of the database of plugin %s is full (%d MiB free, at least %d MiB needed)",
				db.PluginID, free>>20, minFreeBytes>>20)
		}
	}
	return nil
}
