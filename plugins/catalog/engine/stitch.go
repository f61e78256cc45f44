package engine

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/plugins/catalog/query"
)

// stitchClaim is a final_entities row this worker is stitching.
type stitchClaim struct {
	id, ref string
	hash    sql.NullString
}

// stitchState is what stitching one entity needs from refresh_state.
type stitchState struct {
	processed sql.NullString
	errors    sql.NullString
	incoming  int
}

// stitchBatch is one claimed batch of stitching work, prepared outside any transaction.
type stitchBatch struct {
	ticket  string
	claims  []stitchClaim
	results []stitchResult
	search  []searchRow // search rows of re-stitched entities, in index order
	pending []searchRow // search rows of first stitches, staged (pending.go), in entity order
}

// stitchResult is what stitching one claimed entity produced.
type stitchResult struct {
	claim  stitchClaim
	gone   bool // no refresh_state row: drop the final row
	skip   bool // nothing to write, just clear the mark
	final  []byte
	hash   string
	search []query.Row // moved into the batch's sorted search rows by prepareStitch
	text   string      // the full-text document (query.TextDocument)
}

// stitchAll stitches every queued entity, stitchBatch at a time; it returns the number
// claimed. Marks coalesce: an entity marked by many changes (a group gaining many members) is
// stitched once per batch round, not once per change. Batches are pipelined: the next batch
// is claimed before the current one is written, then read and built while it is written (on
// SQLite the writer is one connection, and the reads and JSON work take the other core).
func (e *Engine) stitchAll(ctx context.Context) (int, error) {
	total := 0
	cur, err := e.claimStitch(ctx)
	if err != nil || cur == nil {
		if err == nil {
			err = e.foldPendingSearch(ctx) // rows a stopped round staged
		}
		return 0, err
	}
	if err := e.prepareStitch(ctx, cur); err != nil {
		return 0, fmt.Errorf("stitch: %w", err)
	}
	for cur != nil {
		next, err := e.claimStitch(ctx)
		if err != nil {
			return total, err
		}
		written := make(chan error, 1)
		go func(b *stitchBatch) { written <- e.writeStitch(ctx, b) }(cur)
		var prepErr error
		if next != nil {
			prepErr = e.prepareStitch(ctx, next)
		}
		if err := <-written; err != nil {
			return total, fmt.Errorf("stitch: %w", err)
		}
		if prepErr != nil {
			return total, fmt.Errorf("stitch: %w", prepErr)
		}
		e.stats.stitchClaimed.Add(int64(len(cur.claims)))
		total += len(cur.claims)
		if e.staged(len(cur.pending)) {
			if err := e.foldPendingSearch(ctx); err != nil {
				return total, err
			}
		}
		cur = next
	}
	return total, e.foldPendingSearch(ctx)
}

// claimStitch claims up to stitchBatch queued entities; nil when none is due.
func (e *Engine) claimStitch(ctx context.Context) (*stitchBatch, error) {
	now := e.now()
	ticket := e.stitchTicket()
	var claims []stitchClaim
	err := e.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, e.q(`UPDATE final_entities SET stitch_ticket = ?, next_stitch_at = ?
			WHERE entity_id IN (SELECT entity_id FROM final_entities WHERE next_stitch_at <= ?
				ORDER BY next_stitch_at LIMIT ? `+e.db.Dialect.ForUpdateSkipLocked()+`)
			RETURNING entity_id, entity_ref, hash`),
			ticket, database.NewNullTime(now.Add(e.opts.Lease)), database.NewNullTime(now), e.stitchBatch())
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c stitchClaim
			if err := rows.Scan(&c.id, &c.ref, &c.hash); err != nil {
				return err
			}
			claims = append(claims, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("claim stitching: %w", err)
	}
	if len(claims) == 0 {
		return nil, nil
	}
	sort.Slice(claims, func(i, j int) bool { return claims[i].id < claims[j].id })
	return &stitchBatch{ticket: ticket, claims: claims}, nil
}

// prepareStitch reads what the batch's entities need and builds their final entities and
// search rows. Reads happen outside the write transaction so SQLite's single writer is held
// briefly.
func (e *Engine) prepareStitch(ctx context.Context, b *stitchBatch) error {
	claims := b.claims
	ids := make([]string, len(claims))
	refs := make([]string, len(claims))
	for i, c := range claims {
		ids[i], refs[i] = c.id, c.ref
	}
	states := make(map[string]*stitchState, len(claims))
	rels := make(map[string][]model.Relation, len(claims))
	for _, c := range chunks(ids, sqlChunk) {
		rows, err := e.db.QueryContext(ctx, e.q(`SELECT rs.entity_id, rs.processed_entity, rs.errors,
			(SELECT COUNT(*) FROM refresh_state_references r WHERE r.target_entity_ref = rs.entity_ref)
			FROM refresh_state rs WHERE rs.entity_id IN (`+placeholders(len(c))+`)`), anys(c)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			st := &stitchState{}
			if err := rows.Scan(&id, &st.processed, &st.errors, &st.incoming); err != nil {
				rows.Close()
				return err
			}
			states[id] = st
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	for _, c := range chunks(refs, sqlChunk) {
		rows, err := e.db.QueryContext(ctx, e.q(`SELECT DISTINCT source_entity_ref, type, target_entity_ref FROM relations
			WHERE source_entity_ref IN (`+placeholders(len(c))+`)`), anys(c)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var s string
			var r model.Relation
			if err := rows.Scan(&s, &r.Type, &r.TargetRef); err != nil {
				rows.Close()
				return err
			}
			rels[s] = append(rels[s], r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}

	type result = stitchResult
	results := make([]result, 0, len(claims))
	for _, c := range claims {
		st := states[c.id]
		switch {
		case st == nil:
			results = append(results, result{claim: c, gone: true})
			continue
		case !st.processed.Valid:
			results = append(results, result{claim: c, skip: true}) // abandoned: never processed OK
			continue
		}
		final, hash, rows, err := e.buildFinal(c, st, rels[c.ref])
		if err != nil {
			e.log.Warn("stitching failed", "entity", c.ref, "err", err)
			results = append(results, result{claim: c, skip: true})
			continue
		}
		if c.hash.Valid && c.hash.String == hash {
			results = append(results, result{claim: c, skip: true})
			continue
		}
		results = append(results, result{claim: c, final: final, hash: hash, search: rows, text: query.TextDocument(rows)})
	}

	var rows, pending []searchRow
	stage := e.stagesSearch()
	for i := range results {
		r := &results[i]
		for _, s := range r.search {
			row := searchRow{id: r.claim.id, key: s.Key, value: s.Value, original: s.StoredOriginal()}
			// An entity never stitched before (no hash) has no search rows yet.
			if stage && !r.claim.hash.Valid {
				pending = append(pending, row)
			} else {
				rows = append(rows, row)
			}
		}
		r.search = nil
	}
	sortSearchRows(rows)
	b.search, b.pending = rows, pending
	b.results = results
	return nil
}

// writeStitch writes a prepared batch. When its transaction fails, the batch is split in
// halves written on their own, down to single entities, so one entity the database refuses
// does not hold back the others: that entity is retried later (stitchFailed). An error that is
// not the data's (the database is down) still ends the write, as recording the retry fails too.
func (e *Engine) writeStitch(ctx context.Context, b *stitchBatch) error {
	err := e.writeStitchTx(ctx, b)
	if err == nil || ctx.Err() != nil || len(b.results) == 0 {
		return err
	}
	if len(b.results) == 1 {
		return e.stitchFailed(ctx, b.ticket, b.results[0].claim, err)
	}
	mid := len(b.results) / 2
	if err := e.writeStitch(ctx, b.part(0, mid)); err != nil {
		return err
	}
	return e.writeStitch(ctx, b.part(mid, len(b.results)))
}

// part is the sub-batch of results i..j with their search rows.
func (b *stitchBatch) part(i, j int) *stitchBatch {
	ids := make(map[string]bool, j-i)
	for _, r := range b.results[i:j] {
		ids[r.claim.id] = true
	}
	keep := func(rows []searchRow) []searchRow {
		var out []searchRow
		for _, r := range rows {
			if ids[r.id] {
				out = append(out, r)
			}
		}
		return out
	}
	return &stitchBatch{ticket: b.ticket, results: b.results[i:j], search: keep(b.search), pending: keep(b.pending)}
}

// stitchFailed leaves the served entity as it was and retries its stitching after the
// processing interval (an hour at most) instead of at once, so it is not retried in a loop.
func (e *Engine) stitchFailed(ctx context.Context, ticket string, c stitchClaim, cause error) error {
	msg := strings.ReplaceAll(cause.Error(), "\x00", `\u0000`)
	e.log.Warn("entity could not be stitched", "entity", c.ref, "err", msg)
	retry := database.NewNullTime(e.now().Add(min(e.opts.ProcessingInterval, maxBackoff)))
	if _, err := e.db.ExecContext(ctx, e.q("UPDATE final_entities SET next_stitch_at = ? WHERE entity_id = ? AND stitch_ticket = ?"),
		retry, c.id, ticket); err != nil {
		return fmt.Errorf("%w (and postponing its stitch: %w)", cause, err)
	}
	return nil
}

// writeStitchTx writes a prepared batch in one transaction: final entities whose content
// changed, their search rows, and the cleared marks. A row re-marked or taken over meanwhile
// (another ticket) is left to the newer stitch.
func (e *Engine) writeStitchTx(ctx context.Context, b *stitchBatch) error {
	ticket, results := b.ticket, b.results
	now := database.NewNullTime(e.now())
	return e.inTx(ctx, func(tx *sql.Tx) error {
		var clear, gone, written []string
		dropped := map[string]bool{}
		for _, r := range results {
			switch {
			case r.gone:
				gone = append(gone, r.claim.id)
			case r.skip:
				clear = append(clear, r.claim.id)
			default:
				res, err := tx.ExecContext(ctx, e.q(`UPDATE final_entities SET final_entity = ?, hash = ?, search_text = ?, last_updated_at = ?,
					next_stitch_at = NULL WHERE entity_id = ? AND stitch_ticket = ?`), string(r.final), r.hash, r.text, now, r.claim.id, ticket)
				if err != nil {
					return err
				}
				if n, _ := res.RowsAffected(); n == 0 {
					dropped[r.claim.id] = true
					continue // re-marked or taken over meanwhile: the newer stitch writes
				}
				written = append(written, r.claim.id)
				e.stats.stitched.Add(1)
			}
		}
		if err := e.execIn(ctx, tx, "UPDATE final_entities SET next_stitch_at = NULL WHERE stitch_ticket = ? AND entity_id IN (%s)", clear, ticket); err != nil {
			return err
		}
		if err := e.execIn(ctx, tx, "DELETE FROM final_entities WHERE stitch_ticket = ? AND entity_id IN (%s)", gone, ticket); err != nil {
			return err
		}
		if err := e.deleteSearchRows(ctx, tx, append(gone, written...)); err != nil {
			return err
		}
		if err := e.insertSearchRows(ctx, tx, "search", b.search, dropped); err != nil {
			return err
		}
		return e.insertSearchRows(ctx, tx, "search_pending", b.pending, dropped)
	})
}

// deleteSearchRows deletes the search rows of entities, staged ones too.
func (e *Engine) deleteSearchRows(ctx context.Context, tx *sql.Tx, ids []string) error {
	if err := e.execIn(ctx, tx, "DELETE FROM search WHERE entity_id IN (%s)", ids); err != nil {
		return err
	}
	if !e.stagesSearch() {
		return nil
	}
	return e.execIn(ctx, tx, "DELETE FROM search_pending WHERE entity_id IN (%s)", ids)
}

// insertSearchRows inserts rows into table (search or search_pending), except those of the
// dropped entities.
func (e *Engine) insertSearchRows(ctx context.Context, tx *sql.Tx, table string, rows []searchRow, dropped map[string]bool) error {
	if len(dropped) > 0 {
		rows = slices.DeleteFunc(slices.Clone(rows), func(r searchRow) bool { return dropped[r.id] })
	}
	return e.insertEach(ctx, tx, e.appendOnlyInsert()+" "+table+" (entity_id, key, value, original_value) VALUES", "", 4, len(rows),
		func(args []any, i int) []any {
			r := &rows[i]
			return append(args, r.id, r.key, nullPtr(r.value), nullPtr(r.original))
		})
}

// searchRow is one row of the search table.
type searchRow struct {
	id, key         string
	value, original *string
}

// sortSearchRows orders a batch's search rows by (key, value, original_value, entity_id), the
// order of the table's largest index: consecutive inserts land on the same index pages, so a
// batch reads and dirties each page once instead of jumping across the whole index per row.
func sortSearchRows(rows []searchRow) {
	slices.SortFunc(rows, func(a, b searchRow) int {
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		if c := comparePtr(a.value, b.value); c != 0 {
			return c
		}
		if c := comparePtr(a.original, b.original); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
}

// comparePtr orders nil (SQL NULL) first, as the database's indexes do.
func comparePtr(a, b *string) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return strings.Compare(*a, *b)
}

func nullPtr(s *string) sql.NullString {
	if s == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: *s, Valid: true}
}

// buildFinal assembles the served entity: the processed entity, the orphan annotation, status
// items for processing errors, sanitized URLs, sorted relations, uid and etag.
func (e *Engine) buildFinal(c stitchClaim, st *stitchState, rels []model.Relation) ([]byte, string, []query.Row, error) {
	var ent map[string]any
	if err := json.Unmarshal([]byte(st.processed.String), &ent); err != nil {
		return nil, "", nil, fmt.Errorf("decode processed entity: %w", err)
	}
	md, _ := ent["metadata"].(map[string]any)
	if md == nil {
		md = map[string]any{}
		ent["metadata"] = md
	}
	ann, _ := md["annotations"].(map[string]any)
	if st.incoming == 0 {
		if ann == nil {
			ann = map[string]any{}
			md["annotations"] = ann
		}
		ann[model.AnnotationOrphan] = "true"
	}
	for _, k := range []string{model.AnnotationViewURL, model.AnnotationEditURL} {
		if v, ok := ann[k].(string); ok && model.IsScriptURL(v) {
			ann[k] = model.AnnotationRejectedURL
		}
	}
	if st.errors.Valid && st.errors.String != "" && st.errors.String != "[]" {
		var errs []map[string]any
		if err := json.Unmarshal([]byte(st.errors.String), &errs); err == nil && len(errs) > 0 {
			status, _ := ent["status"].(map[string]any)
			if status == nil {
				status = map[string]any{}
				ent["status"] = status
			}
			items, _ := status["items"].([]any)
			for _, er := range errs {
				name, _ := er["name"].(string)
				msg, _ := er["message"].(string)
				items = append(items, map[string]any{
					"type":    model.StatusTypeCatalogProcessing,
					"level":   model.StatusLevelError,
					"message": name + ": " + msg,
					"error":   er,
				})
			}
			status["items"] = items
		}
	}
	rels = model.SortRelations(rels)
	relList := make([]any, len(rels))
	for i, r := range rels {
		relList[i] = map[string]any{"type": r.Type, "targetRef": r.TargetRef}
	}
	ent["relations"] = relList
	delete(md, "uid")
	delete(md, "etag")
	body, err := json.Marshal(ent)
	if err != nil {
		return nil, "", nil, err
	}
	hash := sha1Hex(body)
	md["uid"] = c.id
	md["etag"] = hash
	if err := query.CheckKeys(ent); err != nil {
		return nil, "", nil, err
	}
	final, err := json.Marshal(ent)
	if err != nil {
		return nil, "", nil, err
	}
	if model.JSONHasNUL(final) {
		// Processed before NUL was refused (model.MessageNUL): PostgreSQL cannot store it.
		return nil, "", nil, fmt.Errorf("entity %s %s", c.ref, model.MessageNUL)
	}
	return final, hash, query.Flatten(ent), nil
}

// fillTextDocuments writes the full-text document (query.TextDocument) of visible entities
// that have none: those stitched before the catalog kept documents. Readers answer full-text
// searches from documents only once every visible entity has one.
func (e *Engine) fillTextDocuments(ctx context.Context) error {
	for {
		type doc struct{ id, text string }
		var docs []doc
		rows, err := e.db.QueryContext(ctx, e.q(`SELECT entity_id, final_entity FROM final_entities
			WHERE final_entity IS NOT NULL AND search_text IS NULL LIMIT ?`), sqlChunk)
		if err != nil {
			return fmt.Errorf("fill text documents: %w", err)
		}
		for rows.Next() {
			var id, final string
			if err := rows.Scan(&id, &final); err != nil {
				rows.Close()
				return fmt.Errorf("fill text documents: %w", err)
			}
			var ent map[string]any
			if err := json.Unmarshal([]byte(final), &ent); err != nil {
				rows.Close()
				return fmt.Errorf("fill text document of %s: %w", id, err)
			}
			docs = append(docs, doc{id, query.TextDocument(query.Flatten(ent))})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("fill text documents: %w", err)
		}
		if len(docs) == 0 {
			return nil
		}
		err = e.inTx(ctx, func(tx *sql.Tx) error {
			for _, d := range docs {
				if _, err := tx.ExecContext(ctx, e.q("UPDATE final_entities SET search_text = ? WHERE entity_id = ? AND search_text IS NULL"), d.text, d.id); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("fill text documents: %w", err)
		}
	}
}
