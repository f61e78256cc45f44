package store

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/plugins/catalog/model"
)

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
	err := s.scanIn(ctx, s.db, `SELECT rs.entity_id, rs.processed_entity, rs.errors,
			(SELECT COUNT(*) FROM refresh_state_references r WHERE r.target_entity_ref = rs.entity_ref)
			FROM refresh_state rs WHERE rs.entity_id IN (%s)`, ids, func(rows *sql.Rows) error {
		var id string
		st := &StitchState{}
		if err := rows.Scan(&id, &st.Processed, &st.Errors, &st.Incoming); err != nil {
			return err
		}
		states[id] = st
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	err = s.scanIn(ctx, s.db, `SELECT DISTINCT source_entity_ref, type, target_entity_ref FROM relations
			WHERE source_entity_ref IN (%s)`, refs, func(rows *sql.Rows) error {
		var src string
		var r model.Relation
		if err := rows.Scan(&src, &r.Type, &r.TargetRef); err != nil {
			return err
		}
		rels[src] = append(rels[src], r)
		return nil
	})
	if err != nil {
		return nil, nil, err
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
	return collect(ctx, s.db, s.q(`SELECT entity_id, final_entity FROM final_entities
		WHERE final_entity IS NOT NULL AND search_text IS NULL LIMIT ?`), []any{sqlChunk},
		func(rows *sql.Rows, d *TextDocument) error { return rows.Scan(&d.ID, &d.Final) })
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
