package engine

import (
	"context"
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

// searchStaging tracks the rows this engine staged since its last fold.
type searchStaging struct {
	mu     sync.Mutex
	staged int // rows staged since the last fold
	folded int // rows search held after the last fold (0: not known yet)
}

// staged records n rows staged and reports whether a fold is due mid-round.
func (e *Engine) staged(n int) bool {
	s := &e.staging
	s.mu.Lock()
	defer s.mu.Unlock()
	s.staged += n
	return s.staged >= max(e.opts.SearchFoldRows, 2*s.folded)
}

// foldPendingSearch moves every staged search row into search (store.FoldPendingSearch).
func (e *Engine) foldPendingSearch(ctx context.Context) error {
	total, folded, err := e.st.FoldPendingSearch(ctx)
	if err != nil {
		return fmt.Errorf("fold search rows: %w", err)
	}
	if !folded {
		return nil
	}
	s := &e.staging
	s.mu.Lock()
	s.staged, s.folded = 0, total
	s.mu.Unlock()
	return nil
}
