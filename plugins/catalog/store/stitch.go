package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"slices"
	"sort"
	"time"
	"unicode/utf8"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/plugins/catalog/model"
)

// ClaimStitch claims up to limit entities queued for stitching under ticket, until the lease
// ends; they are ordered by id.
func (s *Store) ClaimStitch(ctx context.Context, ticket string, lease time.Duration, limit int) ([]StitchClaim, error) {
	now := s.now()
	var claims []StitchClaim
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, s.q(`UPDATE final_entities SET stitch_ticket = ?, next_stitch_at = ?
			WHERE entity_id IN (SELECT entity_id FROM final_entities WHERE next_stitch_at <= ?
				ORDER BY next_stitch_at LIMIT ? `+s.db.Dialect.ForUpdateSkipLocked()+`)
			RETURNING entity_id, entity_ref, hash`),
			ticket, database.NewNullTime(now.Add(lease)), database.NewNullTime(now), limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c StitchClaim
			if err := rows.Scan(&c.ID, &c.Ref, &c.Hash); err != nil {
				return err
			}
			claims = append(claims, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("claim stitching: %w", err)
	}
	sort.Slice(claims, func(i, j int) bool { return claims[i].ID < claims[j].ID })
	return claims, nil
}

// StitchInputs reads what stitching the claimed entities needs: their processing state by
// id (absent when the entity is gone) and the relations whose source they are, by ref.
// It reads outside any transaction, so SQLite's single writer is held briefly.
func (s *Store) StitchInputs(ctx context.Context, claims []StitchClaim) (map[string]*StitchState, map[string][]model.Relation, error) {
	ids := make([]string, len(claims))
	refs := make([]string, len(claims))
	for i, c := range claims {
		ids[i], refs[i] = c.ID, c.Ref
	}
	states := make(map[string]*StitchState, len(claims))
	rels := make(map[string][]model.Relation, len(claims))
	for _, c := range chunks(ids, sqlChunk) {
		rows, err := s.db.QueryContext(ctx, s.q(`SELECT rs.entity_id, rs.processed_entity, rs.errors,
			(SELECT COUNT(*) FROM refresh_state_references r WHERE r.target_entity_ref = rs.entity_ref)
			FROM refresh_state rs WHERE rs.entity_id IN (`+placeholders(len(c))+`)`), anys(c)...)
		if err != nil {
			return nil, nil, err
		}
		for rows.Next() {
			var id string
			st := &StitchState{}
			if err := rows.Scan(&id, &st.Processed, &st.Errors, &st.Incoming); err != nil {
				rows.Close()
				return nil, nil, err
			}
			states[id] = st
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, nil, err
		}
	}
	for _, c := range chunks(refs, sqlChunk) {
		rows, err := s.db.QueryContext(ctx, s.q(`SELECT DISTINCT source_entity_ref, type, target_entity_ref FROM relations
			WHERE source_entity_ref IN (`+placeholders(len(c))+`)`), anys(c)...)
		if err != nil {
			return nil, nil, err
		}
		for rows.Next() {
			var src string
			var r model.Relation
			if err := rows.Scan(&src, &r.Type, &r.TargetRef); err != nil {
				rows.Close()
				return nil, nil, err
			}
			rels[src] = append(rels[src], r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, nil, err
		}
	}
	return states, rels, nil
}

// PostponeStitch moves a claimed entity's stitch to retry, unless it was re-marked meanwhile.
func (s *Store) PostponeStitch(ctx context.Context, ticket, id string, retry time.Time) error {
	_, err := s.db.ExecContext(ctx, s.q("UPDATE final_entities SET next_stitch_at = ? WHERE entity_id = ? AND stitch_ticket = ?"),
		database.NewNullTime(retry), id, ticket)
	return err
}

// WriteStitch writes a stitched batch in one transaction: final entities whose content
// changed, their search rows (search written directly, pending staged, see StagesSearch),
// and the cleared marks. A row re-marked or taken over meanwhile (another ticket) is left to
// the newer stitch. It returns how many final entities it wrote.
func (s *Store) WriteStitch(ctx context.Context, ticket string, results []StitchResult, search, pending []SearchRow) (int, error) {
	now := database.NewNullTime(s.now())
	var n int
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var clear, gone, written []string
		dropped := map[string]bool{}
		for _, r := range results {
			switch {
			case r.Gone:
				gone = append(gone, r.Claim.ID)
			case r.Skip:
				clear = append(clear, r.Claim.ID)
			default:
				res, err := tx.ExecContext(ctx, s.q(`UPDATE final_entities SET final_entity = ?, hash = ?, search_text = ?, last_updated_at = ?,
					next_stitch_at = NULL WHERE entity_id = ? AND stitch_ticket = ?`), string(r.Final), r.Hash, r.Text, now, r.Claim.ID, ticket)
				if err != nil {
					return err
				}
				if n, _ := res.RowsAffected(); n == 0 {
					dropped[r.Claim.ID] = true
					continue // re-marked or taken over meanwhile: the newer stitch writes
				}
				written = append(written, r.Claim.ID)
			}
		}
		if err := s.execIn(ctx, tx, "UPDATE final_entities SET next_stitch_at = NULL WHERE stitch_ticket = ? AND entity_id IN (%s)", clear, ticket); err != nil {
			return err
		}
		if err := s.execIn(ctx, tx, "DELETE FROM final_entities WHERE stitch_ticket = ? AND entity_id IN (%s)", gone, ticket); err != nil {
			return err
		}
		if err := s.deleteSearchRows(ctx, tx, append(gone, written...)); err != nil {
			return err
		}
		if err := s.insertSearchRows(ctx, tx, "search", search, dropped); err != nil {
			return err
		}
		if err := s.insertSearchRows(ctx, tx, "search_pending", pending, dropped); err != nil {
			return err
		}
		n = len(written)
		return nil
	})
	return n, err
}

// deleteSearchRows deletes the search rows of entities, staged ones too.
func (s *Store) deleteSearchRows(ctx context.Context, tx *sql.Tx, ids []string) error {
	if err := s.execIn(ctx, tx, "DELETE FROM search WHERE entity_id IN (%s)", ids); err != nil {
		return err
	}
	if !s.StagesSearch() {
		return nil
	}
	return s.execIn(ctx, tx, "DELETE FROM search_pending WHERE entity_id IN (%s)", ids)
}

// insertSearchRows inserts rows into table (search or search_pending), except those of the
// dropped entities.
func (s *Store) insertSearchRows(ctx context.Context, tx *sql.Tx, table string, rows []SearchRow, dropped map[string]bool) error {
	if len(dropped) > 0 {
		rows = slices.DeleteFunc(slices.Clone(rows), func(r SearchRow) bool { return dropped[r.ID] })
	}
	return s.insertEach(ctx, tx, s.appendOnlyInsert()+" "+table+" (entity_id, key, value, original_value) VALUES", "", 4, len(rows),
		func(args []any, i int) []any {
			r := &rows[i]
			return append(args, r.ID, r.Key, nullPtr(r.Value), nullPtr(r.Original))
		})
}

// MissingTextDocuments returns up to one chunk of visible entities (id and final entity)
// without a full-text document.
func (s *Store) MissingTextDocuments(ctx context.Context) ([]TextDocument, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT entity_id, final_entity FROM final_entities
		WHERE final_entity IS NOT NULL AND search_text IS NULL LIMIT ?`), sqlChunk)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []TextDocument
	for rows.Next() {
		var d TextDocument
		if err := rows.Scan(&d.ID, &d.Final); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// SetTextDocuments writes the full-text documents of entities that still have none.
func (s *Store) SetTextDocuments(ctx context.Context, docs []TextDocument) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		for _, d := range docs {
			if _, err := tx.ExecContext(ctx, s.q("UPDATE final_entities SET search_text = ? WHERE entity_id = ? AND search_text IS NULL"), d.Text, d.ID); err != nil {
				return err
			}
		}
		return nil
	})
}

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

// ReclaimLeases releases the processing claims held by worker and the stitching claims whose
// ticket is ticketPrefix followed by ticketIDLen characters, making them due now; epochs are
// bumped so a late write of the previous holder is refused. It returns how many of each.
func (s *Store) ReclaimLeases(ctx context.Context, worker, ticketPrefix string, ticketIDLen int) (processing, stitching int64, err error) {
	now := database.NewNullTime(s.now())
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE refresh_state
			SET claimed_by = NULL, claim_expires_at = NULL, next_update_at = ?, epoch = epoch + 1
			WHERE claimed_by = ?`), now, worker)
		if err != nil {
			return err
		}
		if processing, err = res.RowsAffected(); err != nil {
			return err
		}
		// Only rows still waiting for a claim to end (next_stitch_at in the future) are
		// touched; the ticket's exact shape keeps a worker named "a" off "a/b"'s tickets.
		res, err = tx.ExecContext(ctx, s.q(`UPDATE final_entities SET next_stitch_at = ?
			WHERE next_stitch_at > ? AND length(stitch_ticket) = ? AND substr(stitch_ticket, 1, ?) = ?`),
			now, now, utf8.RuneCountInString(ticketPrefix)+ticketIDLen, utf8.RuneCountInString(ticketPrefix), ticketPrefix)
		if err != nil {
			return err
		}
		stitching, err = res.RowsAffected()
		return err
	})
	return processing, stitching, err
}
