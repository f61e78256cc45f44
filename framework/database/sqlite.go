package database

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// SQLite connection settings.
//
// Pool: WAL lets any number of readers run beside one writer, and every
// transaction begins IMMEDIATE (it takes the write lock up front), so two
// transactions never deadlock upgrading a read lock; a writer waits for the
// lock in SQLite's busy handler for up to sqliteBusyTimeoutMS. A pool of a
// few connections therefore buys read parallelism while writes queue; more
// connections would only add writers spinning in the busy handler, so the
// default stays small. Connections are kept (no idle expiry) because each
// one is configured with pragmas when opened.
//
// Reads: a database's connections share a page-cache budget of
// sqliteCacheBudgetKiB, split evenly (each SQLite connection has its own
// cache). The budget is per database, not per connection: with 32 MiB on
// each of the catalog's four pool connections, the caches held over 100 MB of
// a served 10k-entity ingestion's 250 MB peak RSS. During an ingestion a
// reader's cache is dropped at each commit of the writer anyway (WAL), so
// large per-connection caches bought little; figures in docs/performance.md.
// The temporary b-trees of sorts and groupings stay in memory. Files are read
// with pread, not through a memory map: mapped pages count in the process's
// resident memory (a 256 MiB map added 155 MB to the peak RSS of a
// 100k-entity ingestion) and the map bought no measurable speed.
const (
	sqliteBusyTimeoutMS   = 10000
	sqliteDefaultMaxConns = 4
	sqliteCacheBudgetKiB  = 16 << 10
	sqliteMinCacheKiB     = 2 << 10 // SQLite's default
)

// sqliteCacheKiB is the page cache of each of a pool's maxConns connections.
func sqliteCacheKiB(maxConns int) int {
	return max(sqliteMinCacheKiB, sqliteCacheBudgetKiB/max(1, maxConns))
}

// openSQLite opens the plugin's SQLite database described by o.
func (m *Manager) openSQLite(ctx context.Context, pluginID string, o Options) (*DB, error) {
	params := url.Values{}
	params.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", sqliteBusyTimeoutMS))
	params.Add("_pragma", "foreign_keys(1)")
	maxConns := o.MaxOpenConns
	if maxConns == 0 {
		maxConns = sqliteDefaultMaxConns
	}
	params.Add("_pragma", fmt.Sprintf("cache_size(-%d)", sqliteCacheKiB(maxConns)))
	params.Add("_pragma", "temp_store(MEMORY)")
	params.Set("_txlock", "immediate")
	params.Set("_time_format", "sqlite")
	params.Set("_timezone", "UTC")

	var dsn, where string
	if o.Memory {
		// A shared-cache name makes every connection of the pool see the same
		// in-memory database; the manager's ID keeps two managers apart.
		params.Set("mode", "memory")
		params.Set("cache", "shared")
		dsn = "file:portico-" + m.id + "-" + o.Prefix + pluginID + "?" + params.Encode()
		where = "memory"
	} else {
		file := o.Filename
		if file == "" {
			file = filepath.Join(o.Directory, o.Prefix+pluginID+".sqlite")
		}
		abs, err := filepath.Abs(file)
		if err != nil {
			return nil, fmt.Errorf("sqlite file for plugin %s: %w", pluginID, err)
		}
		// SQLite's own errors ("unable to open database file (14)") name neither the file nor
		// the cause; this names both.
		if err := checkSQLiteAccess(abs); err != nil {
			return nil, fmt.Errorf("open sqlite for plugin %s: %w", pluginID, err)
		}
		params.Add("_pragma", "journal_mode(WAL)")
		params.Add("_pragma", "synchronous(NORMAL)")
		// The checkpointer copies the log into the file (checkpoint.go).
		params.Add("_pragma", fmt.Sprintf("wal_autocheckpoint(%d)", checkpointBackstopPages))
		dsn = "file:" + (&url.URL{Path: abs}).EscapedPath() + "?" + params.Encode()
		where = abs
	}

	db := &DB{
		Dialect:        Dialect{Name: SQLite},
		PluginID:       pluginID,
		logger:         m.logger.With("plugin", pluginID),
		skipMigrations: o.SkipMigrations,
	}
	if !o.Memory {
		db.file = where
	}
	if o.Memory {
		keeperDB, err := sql.Open("sqlite", dsn)
		if err != nil {
			return nil, fmt.Errorf("open in-memory sqlite for plugin %s: %w", pluginID, err)
		}
		keeper, err := keeperDB.Conn(ctx)
		if err != nil {
			_ = keeperDB.Close()
			return nil, fmt.Errorf("open in-memory sqlite for plugin %s: %w", pluginID, err)
		}
		db.keeper, db.keeperDB = keeper, keeperDB
	}
	sqlDB, err := sql.Open("sqlite", dsn)
	if err == nil {
		sqlDB.SetMaxOpenConns(maxConns)
		sqlDB.SetMaxIdleConns(maxConns)
		sqlDB.SetConnMaxLifetime(0)
		sqlDB.SetConnMaxIdleTime(0)
		db.DB = sqlDB
		err = sqlDB.PingContext(ctx)
	}
	if err != nil {
		if db.DB != nil {
			_ = db.close()
		} else if db.keeper != nil {
			_ = db.keeper.Close()
			_ = db.keeperDB.Close()
		}
		return nil, fmt.Errorf("open sqlite %s for plugin %s: %w", strings.TrimSpace(where), pluginID, err)
	}
	if !o.Memory {
		cp, err := startCheckpointer(dsn, db.logger)
		if err != nil {
			_ = db.close()
			return nil, fmt.Errorf("open sqlite %s for plugin %s: %w", where, pluginID, err)
		}
		db.checkpointer = cp
	}
	db.logger.DebugContext(ctx, "opened database", "client", "sqlite", "location", where)
	return db, nil
}
