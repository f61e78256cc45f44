package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
)

// Staged search rows (SQLite). The engine decides when to fold (its staging counters and
// docs/performance.md, "Search rows"); the store stages and folds.

// SearchIndex is one of search's indexes as the migrations leave them (0003, 0005).
type SearchIndex struct{ Name, Def string }

// SearchIndexes are the indexes a rebuilding fold recreates. TestStagedSearchRows compares
// them with the migrated schema.
func SearchIndexes() []SearchIndex {
	return []SearchIndex{
		{"search_key_value_original", "CREATE INDEX search_key_value_original ON search (key, value, original_value, entity_id)"},
		{"search_entity_key_value", "CREATE INDEX search_entity_key_value ON search (entity_id, key, value)"},
	}
}

// StagesSearch reports whether first stitches stage their search rows (SQLite).
func (s *Store) StagesSearch() bool { return !s.db.Dialect.IsPostgres() }

// FoldPendingSearch moves every staged search row into search: when they are at least half
// as many as the rows already indexed, it drops search's indexes, appends the rows and builds
// the indexes again; otherwise it inserts them sorted by (key, value). It returns the rows
// search then holds (an estimate) and false when nothing was staged.
func (s *Store) FoldPendingSearch(ctx context.Context) (total int, folded bool, err error) {
	if !s.StagesSearch() {
		return 0, false, nil
	}
	var has bool
	if err := s.db.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM search_pending)").Scan(&has); err != nil {
		return 0, false, err
	}
	if !has {
		return 0, false, nil
	}
	// The fold sorts millions of rows. With the pool's temp_store MEMORY, SQLite's sorter
	// keeps every row in memory (docs/performance.md, "Search fold"); with temporary
	// files it sorts runs of cache_size bytes and merges them from disk. temp_store can only
	// change outside a transaction, so the fold takes a connection of its own for it.
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return 0, false, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA temp_store = FILE"); err != nil {
		return 0, false, err
	}
	defer func() {
		// Back to the pool's setting; a connection that cannot be reset is not reused.
		if _, err := conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA temp_store = MEMORY"); err != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	err = inConnTx(ctx, conn, func(tx *sql.Tx) error {
		var pending, indexed int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM search_pending").Scan(&pending); err != nil {
			return err
		}
		// The largest rowid counts the indexed rows without reading them (rows are appended;
		// deletes only make it an overestimate, which favours the sorted insert).
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(rowid), 0) FROM search").Scan(&indexed); err != nil {
			return err
		}
		const cols = "entity_id, key, value, original_value"
		if 2*pending >= indexed {
			for _, ix := range SearchIndexes() {
				if _, err := tx.ExecContext(ctx, "DROP INDEX IF EXISTS "+ix.Name); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO search ("+cols+") SELECT "+cols+" FROM search_pending"); err != nil {
				return err
			}
			for _, ix := range SearchIndexes() {
				if _, err := tx.ExecContext(ctx, ix.Def); err != nil {
					return err
				}
			}
		} else {
			if _, err := tx.ExecContext(ctx, "INSERT INTO search ("+cols+") SELECT "+cols+
				" FROM search_pending ORDER BY key, value, original_value, entity_id"); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM search_pending"); err != nil {
			return err
		}
		total = indexed + pending
		return nil
	})
	if err != nil {
		return 0, false, err
	}
	return total, true, nil
}
