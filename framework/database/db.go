package database

import (
	"database/sql"
	"log/slog"
)

// DB is one plugin's database: a connection pool plus the dialect of the
// server behind it. It is safe for concurrent use and is closed by the
// [Manager] that made it.
type DB struct {
	*sql.DB
	// Dialect tells stores how to spell the few things that differ.
	Dialect Dialect
	// PluginID is the plugin this database belongs to.
	PluginID string

	// file is the SQLite database file ("" in memory and on PostgreSQL); readiness checks
	// the free space of its directory.
	file           string
	logger         *slog.Logger
	skipMigrations bool
	// keeper holds a connection open for the lifetime of an in-memory
	// SQLite database, which SQLite frees when its last connection closes.
	keeper *sql.Conn
	// keeperDB is the pool the keeper connection came from.
	keeperDB *sql.DB
	// checkpointer copies a file SQLite database's write-ahead log into the
	// database file beside the writer (checkpoint.go).
	checkpointer *checkpointer
}

// close releases the pool and, for in-memory SQLite, the database itself.
func (db *DB) close() error {
	err := db.DB.Close()
	if db.checkpointer != nil {
		_ = db.checkpointer.stop()
	}
	if db.keeper != nil {
		_ = db.keeper.Close()
		_ = db.keeperDB.Close()
	}
	return err
}
