package engine

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"sync"
)

// Staged search rows (SQLite).
//
// Every stitched entity writes about thirty search rows, and search's (key, value) indexes
// order them by value: the rows of one batch land all over those indexes, so each batch
// rewrites most of their pages (and SQLite writes every page a transaction dirties to its
// log, then again to the file). A first ingestion of N entities in batches of B therefore
// writes on the order of N²/B pages (docs/performance.md, "Search rows"). So an entity stitched for the first time (it has no search rows yet) has its rows
// appended to search_pending, which is indexed by entity only, and the staged rows are folded
// into search in one pass: when they are at least half as many as the rows already indexed,
// the fold drops search's indexes, appends the rows and builds the indexes again (a sort
// each, as SQLite builds an index from scratch); otherwise it inserts them sorted by
// (key, value), so each index page is written once. The fold's sorts spill to temporary
// files: sorting in memory, as the pool's temp_store would have it, held every row at once.
//
// Folds run when a stitching round ends, and mid-round once the rows staged since the last
// fold reach Options.SearchFoldRows and twice the rows then indexed (so a very long first
// ingestion becomes filterable in steps while the folds' total work stays proportional to
// the catalog). Until its fold, an entity stitched for the first time is served by name, uid
// and unfiltered lists, but filters, ordering and full-text search do not see it yet; the end
// of the round closes that gap. Re-stitched entities (they already have rows) write search
// directly, so an entity once filterable never drops out of a filter.
//
// PostgreSQL writes search directly: its indexes log row changes rather than whole pages
// per transaction, and dropping an index would lock out the other replicas' readers.

// searchIndexes are search's indexes as the migrations leave them (0003, 0005);
// a rebuilding fold recreates exactly these. TestStagedSearchRows compares them with the
// migrated schema.
func searchIndexes() []struct{ name, def string } {
	return []struct{ name, def string }{
		{"search_key_value_original", "CREATE INDEX search_key_value_original ON search (key, value, original_value, entity_id)"},
		{"search_entity_key_value", "CREATE INDEX search_entity_key_value ON search (entity_id, key, value)"},
	}
}

// searchStaging tracks the rows this engine staged since its last fold.
type searchStaging struct {
	mu     sync.Mutex
	staged int // rows staged since the last fold
	folded int // rows search held after the last fold (0: not known yet)
}

// stagesSearch reports whether first stitches stage their search rows.
func (e *Engine) stagesSearch() bool { return !e.db.Dialect.IsPostgres() }

// staged records n rows staged and reports whether a fold is due mid-round.
func (e *Engine) staged(n int) bool {
	s := &e.staging
	s.mu.Lock()
	defer s.mu.Unlock()
	s.staged += n
	return s.staged >= max(e.opts.SearchFoldRows, 2*s.folded)
}

// foldPendingSearch moves every staged search row into search (see the comment above).
func (e *Engine) foldPendingSearch(ctx context.Context) error {
	if !e.stagesSearch() {
		return nil
	}
	var has bool
	if err := e.db.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM search_pending)").Scan(&has); err != nil {
		return fmt.Errorf("fold search rows: %w", err)
	}
	if !has {
		return nil
	}
	// The fold sorts millions of rows. With the pool's temp_store MEMORY, SQLite's sorter
	// keeps every row in memory (docs/performance.md, "Search fold"); with temporary
	// files it sorts runs of cache_size bytes and merges them from disk. temp_store can only
	// change outside a transaction, so the fold takes a connection of its own for it.
	conn, err := e.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("fold search rows: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA temp_store = FILE"); err != nil {
		return fmt.Errorf("fold search rows: %w", err)
	}
	defer func() {
		// Back to the pool's setting; a connection that cannot be reset is not reused.
		if _, err := conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA temp_store = MEMORY"); err != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	var total int
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
			for _, ix := range searchIndexes() {
				if _, err := tx.ExecContext(ctx, "DROP INDEX IF EXISTS "+ix.name); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO search ("+cols+") SELECT "+cols+" FROM search_pending"); err != nil {
				return err
			}
			for _, ix := range searchIndexes() {
				if _, err := tx.ExecContext(ctx, ix.def); err != nil {
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
		return fmt.Errorf("fold search rows: %w", err)
	}
	s := &e.staging
	s.mu.Lock()
	s.staged, s.folded = 0, total
	s.mu.Unlock()
	return nil
}
