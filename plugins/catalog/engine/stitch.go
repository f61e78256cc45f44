package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/plugins/catalog/query"
	"github.com/portico-dev/portico/plugins/catalog/store"
)

// stitchClaim is a final_entities row this worker is stitching.
type stitchClaim = store.StitchClaim

// stitchState is what stitching one entity needs from refresh_state.
type stitchState = store.StitchState

// searchRow is one row of the search table.
type searchRow = store.SearchRow

// stitchBatch is one claimed batch of stitching work, prepared outside any transaction.
type stitchBatch struct {
	ticket  string
	claims  []stitchClaim
	results []store.StitchResult
	search  []searchRow // search rows of re-stitched entities, in index order
	pending []searchRow // search rows of first stitches, staged (pending.go), in entity order
}

// stitchAll stitches every queued entity, StitchBatchSize at a time; it returns the number
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
	ticket := e.stitchTicket()
	claims, err := e.st.ClaimStitch(ctx, ticket, e.opts.Lease, e.stitchBatch())
	if err != nil || len(claims) == 0 {
		return nil, err
	}
	return &stitchBatch{ticket: ticket, claims: claims}, nil
}

// prepareStitch reads what the batch's entities need and builds their final entities and
// search rows. Reads happen outside the write transaction so SQLite's single writer is held
// briefly.
func (e *Engine) prepareStitch(ctx context.Context, b *stitchBatch) error {
	claims := b.claims
	states, rels, err := e.st.StitchInputs(ctx, claims)
	if err != nil {
		return err
	}

	type result = store.StitchResult
	results := make([]result, 0, len(claims))
	var rows, pending []searchRow
	stage := e.st.StagesSearch()
	for _, c := range claims {
		st := states[c.ID]
		switch {
		case st == nil:
			results = append(results, result{Claim: c, Gone: true})
			continue
		case !st.Processed.Valid:
			results = append(results, result{Claim: c, Skip: true}) // abandoned: never processed OK
			continue
		}
		final, hash, search, err := e.buildFinal(c, st, rels[c.Ref])
		if err != nil {
			e.log.Warn("stitching failed", "entity", c.Ref, "err", err)
			results = append(results, result{Claim: c, Skip: true})
			continue
		}
		if c.Hash.Valid && c.Hash.String == hash {
			results = append(results, result{Claim: c, Skip: true})
			continue
		}
		results = append(results, result{Claim: c, Final: final, Hash: hash, Text: query.TextDocument(search)})
		for _, s := range search {
			row := searchRow{ID: c.ID, Key: s.Key, Value: s.Value, Original: s.StoredOriginal()}
			// An entity never stitched before (no hash) has no search rows yet.
			if stage && !c.Hash.Valid {
				pending = append(pending, row)
			} else {
				rows = append(rows, row)
			}
		}
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
		return e.stitchFailed(ctx, b.ticket, b.results[0].Claim, err)
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
		ids[r.Claim.ID] = true
	}
	keep := func(rows []searchRow) []searchRow {
		var out []searchRow
		for _, r := range rows {
			if ids[r.ID] {
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
	e.log.Warn("entity could not be stitched", "entity", c.Ref, "err", msg)
	retry := e.now().Add(min(e.opts.ProcessingInterval, maxBackoff))
	if err := e.st.PostponeStitch(ctx, ticket, c.ID, retry); err != nil {
		return fmt.Errorf("%w (and postponing its stitch: %w)", cause, err)
	}
	return nil
}

// writeStitchTx writes a prepared batch in one transaction (store.WriteStitch): final
// entities whose content changed, their search rows, and the cleared marks. A row re-marked
// or taken over meanwhile (another ticket) is left to the newer stitch.
func (e *Engine) writeStitchTx(ctx context.Context, b *stitchBatch) error {
	n, err := e.st.WriteStitch(ctx, b.ticket, b.results, b.search, b.pending)
	e.stats.stitched.Add(int64(n))
	return err
}

// sortSearchRows orders a batch's search rows by (key, value, original_value, entity_id), the
// order of the table's largest index: consecutive inserts land on the same index pages, so a
// batch reads and dirties each page once instead of jumping across the whole index per row.
func sortSearchRows(rows []searchRow) {
	slices.SortFunc(rows, func(a, b searchRow) int {
		if c := strings.Compare(a.Key, b.Key); c != 0 {
			return c
		}
		if c := comparePtr(a.Value, b.Value); c != 0 {
			return c
		}
		if c := comparePtr(a.Original, b.Original); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
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

// buildFinal assembles the served entity: the processed entity, the orphan annotation, status
// items for processing errors, sanitized URLs, sorted relations, uid and etag.
func (e *Engine) buildFinal(c stitchClaim, st *stitchState, rels []model.Relation) ([]byte, string, []query.Row, error) {
	var ent map[string]any
	if err := json.Unmarshal([]byte(st.Processed.String), &ent); err != nil {
		return nil, "", nil, fmt.Errorf("decode processed entity: %w", err)
	}
	md, _ := ent["metadata"].(map[string]any)
	if md == nil {
		md = map[string]any{}
		ent["metadata"] = md
	}
	ann, _ := md["annotations"].(map[string]any)
	if st.Incoming == 0 {
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
	if st.Errors.Valid && st.Errors.String != "" && st.Errors.String != "[]" {
		var errs []map[string]any
		if err := json.Unmarshal([]byte(st.Errors.String), &errs); err == nil && len(errs) > 0 {
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
	md["uid"] = c.ID
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
		return nil, "", nil, fmt.Errorf("entity %s %s", c.Ref, model.MessageNUL)
	}
	return final, hash, query.Flatten(ent), nil
}

// fillTextDocuments writes the full-text document (query.TextDocument) of visible entities
// that have none: those stitched before the catalog kept documents. Readers answer full-text
// searches from documents only once every visible entity has one.
func (e *Engine) fillTextDocuments(ctx context.Context) error {
	for {
		docs, err := e.st.MissingTextDocuments(ctx)
		if err != nil {
			return fmt.Errorf("fill text documents: %w", err)
		}
		if len(docs) == 0 {
			return nil
		}
		for i := range docs {
			var ent map[string]any
			if err := json.Unmarshal([]byte(docs[i].Final), &ent); err != nil {
				return fmt.Errorf("fill text document of %s: %w", docs[i].ID, err)
			}
			docs[i].Text, docs[i].Final = query.TextDocument(query.Flatten(ent)), ""
		}
		if err := e.st.SetTextDocuments(ctx, docs); err != nil {
			return fmt.Errorf("fill text documents: %w", err)
		}
	}
}
