package engine

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/plugins/catalog/model"
)

// writeOutcomes stores a processed batch. When the batch's transaction fails, the batch is
// split in halves and each is written on its own, down to single entities, so that one
// entity the database refuses (PostgreSQL refuses NUL in text and index entries over 2704
// bytes) does not hold back its neighbours; that entity gets a processing error instead
// (writeFailed). An error that is not the data's (the database is down) still ends the write:
// recording the failure fails too.
func (e *Engine) writeOutcomes(ctx context.Context, items []work) error {
	err := e.writeOutcomesTx(ctx, items)
	if err == nil || ctx.Err() != nil || len(items) == 0 {
		return err
	}
	if len(items) == 1 {
		return e.writeFailed(ctx, items[0].c, err)
	}
	mid := len(items) / 2
	if err := e.writeOutcomes(ctx, items[:mid]); err != nil {
		return err
	}
	return e.writeOutcomes(ctx, items[mid:])
}

// writeFailed records that the processing result of c could not be stored: a processing error
// on the entity (shown in its status once stitched, as Backstage's refresh_state errors), a
// retry after the failure backoff, and the previous result kept. It returns the write's error
// when even that cannot be recorded.
func (e *Engine) writeFailed(ctx context.Context, c claimed, cause error) error {
	msg := strings.ReplaceAll(cause.Error(), "\x00", `\u0000`)
	e.log.Warn("entity processing result could not be stored", "entity", c.ref, "err", msg)
	errs := errorsJSON([]model.SerializedError{GeneralError("The processing result of " + c.ref + " could not be stored: " + msg)})
	now := e.now()
	err := e.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, e.q(`UPDATE refresh_state SET errors = ?, result_hash = NULL, failures = failures + 1,
			next_update_at = ?, processed_input_hash = NULL, claimed_by = NULL, claim_expires_at = NULL
			WHERE entity_id = ? AND epoch = ?`), errs, database.NewNullTime(e.nextUpdate(now, c.failures+1)), c.id, c.epoch)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err // taken over meanwhile: the new holder writes
		}
		e.stats.failed.Add(1)
		return e.markStitchSelf(ctx, tx, map[string]string{c.id: c.ref})
	})
	if err != nil {
		return fmt.Errorf("%w (and recording the failure: %w)", cause, err)
	}
	return nil
}

// writeOutcomesTx stores a processed batch in one transaction. Every row update is fenced by
// the epoch read at claim time: a worker whose lease was taken over writes nothing.
func (e *Engine) writeOutcomesTx(ctx context.Context, items []work) error {
	now := e.now()
	nowT := database.NewNullTime(now)
	return e.inTx(ctx, func(tx *sql.Tx) error {
		selfMarks := map[string]string{}
		var changed []work
		var stale []any
		// Every update is also fenced by the unprocessed hash read at claim time: when a parent
		// re-emitted the entity meanwhile, the stale result is dropped and the entity released
		// to be processed again right away.
		applied := func(res sql.Result, err error, c claimed) (bool, error) {
			if err != nil {
				return false, err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return false, err
			}
			if n == 0 {
				stale = append(stale, c.id, c.epoch)
			}
			return n == 1, nil
		}
		for _, w := range items {
			c := w.c
			switch {
			case w.skip:
				res, err := tx.ExecContext(ctx, e.q(`UPDATE refresh_state SET next_update_at = ?, claimed_by = NULL, claim_expires_at = NULL
					WHERE entity_id = ? AND epoch = ? AND unprocessed_hash = ?`), database.NewNullTime(e.nextUpdate(now, 0)), c.id, c.epoch, c.unprocessedHash)
				if _, err := applied(res, err, c); err != nil {
					return err
				}
			case !w.out.OK:
				failures := c.failures + 1
				res, err := tx.ExecContext(ctx, e.q(`UPDATE refresh_state SET errors = ?, result_hash = ?, failures = ?, next_update_at = ?,
					processed_input_hash = NULL, cache = ?, claimed_by = NULL, claim_expires_at = NULL
					WHERE entity_id = ? AND epoch = ? AND unprocessed_hash = ?`),
					errorsJSON(w.out.Errors), w.out.ResultHash, failures, database.NewNullTime(e.nextUpdate(now, failures)),
					inputsJSON(w.out.Inputs), c.id, c.epoch, c.unprocessedHash)
				ok, err := applied(res, err, c)
				if err != nil {
					return err
				}
				if ok && (!c.resultHash.Valid || c.resultHash.String != w.out.ResultHash) {
					selfMarks[c.id] = c.ref
					e.log.Debug("entity processing failed", "entity", c.ref, "errors", errorsJSON(w.out.Errors))
				}
			case c.resultHash.Valid && c.resultHash.String == w.out.ResultHash:
				res, err := tx.ExecContext(ctx, e.q(`UPDATE refresh_state SET next_update_at = ?, failures = 0, processed_input_hash = ?, cache = ?,
					claimed_by = NULL, claim_expires_at = NULL WHERE entity_id = ? AND epoch = ? AND unprocessed_hash = ?`),
					database.NewNullTime(e.nextUpdate(now, 0)), inputHashOf(c.unprocessedHash, e.fingerprint, w.out.Inputs),
					inputsJSON(w.out.Inputs), c.id, c.epoch, c.unprocessedHash)
				if _, err := applied(res, err, c); err != nil {
					return err
				}
			default:
				res, err := tx.ExecContext(ctx, e.q(`UPDATE refresh_state SET processed_entity = ?, result_hash = ?, errors = '[]', failures = 0,
					processed_input_hash = ?, cache = ?, next_update_at = ?, claimed_by = NULL, claim_expires_at = NULL
					WHERE entity_id = ? AND epoch = ? AND unprocessed_hash = ?`),
					string(w.out.JSON), w.out.ResultHash, inputHashOf(c.unprocessedHash, e.fingerprint, w.out.Inputs),
					inputsJSON(w.out.Inputs), database.NewNullTime(e.nextUpdate(now, 0)), c.id, c.epoch, c.unprocessedHash)
				ok, err := applied(res, err, c)
				if err != nil {
					return err
				}
				if ok {
					changed = append(changed, w)
					selfMarks[c.id] = c.ref
				}
			}
		}
		// Release rows whose input changed under us (still ours by epoch): due now.
		for i := 0; i < len(stale); i += 2 {
			if _, err := tx.ExecContext(ctx, e.q(`UPDATE refresh_state SET next_update_at = ?, claimed_by = NULL, claim_expires_at = NULL
				WHERE entity_id = ? AND epoch = ?`), nowT, stale[i], stale[i+1]); err != nil {
				return err
			}
		}
		if len(changed) > 0 {
			if err := e.writeProducts(ctx, tx, changed, nowT); err != nil {
				return err
			}
		}
		return e.markStitchSelf(ctx, tx, selfMarks)
	})
}

// writeProducts replaces the relations, children, references and refresh keys of entities
// whose successful processing result changed.
func (e *Engine) writeProducts(ctx context.Context, tx *sql.Tx, changed []work, now database.NullTime) error {
	ids := make([]string, len(changed))
	refs := make([]string, len(changed))
	for i, w := range changed {
		ids[i] = w.c.id
		refs[i] = w.c.ref
	}
	marks := map[string]bool{}

	// Relations: diff against the stored ones so both ends of every added or removed edge are
	// re-stitched, and nothing else.
	old := map[string]map[relRow]bool{}
	for _, c := range chunks(ids, sqlChunk) {
		rows, err := tx.QueryContext(ctx, e.q("SELECT originating_entity_id, source_entity_ref, type, target_entity_ref FROM relations WHERE originating_entity_id IN ("+placeholders(len(c))+")"), anys(c)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			var r relRow
			if err := rows.Scan(&id, &r.Source, &r.Type, &r.Target); err != nil {
				rows.Close()
				return err
			}
			if old[id] == nil {
				old[id] = map[relRow]bool{}
			}
			old[id][r] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	var relDelete []string
	var relInsert [][]any
	for _, w := range changed {
		prev := old[w.c.id]
		now := make(map[relRow]bool, len(w.out.Relations))
		for _, r := range w.out.Relations {
			now[r] = true
		}
		same := len(prev) == len(now)
		for r := range now {
			if !prev[r] {
				same = false
				marks[r.Source] = true
			}
		}
		for r := range prev {
			if !now[r] {
				same = false
				marks[r.Source] = true
			}
		}
		if same {
			continue
		}
		if len(prev) > 0 {
			relDelete = append(relDelete, w.c.id)
		}
		for _, r := range w.out.Relations {
			relInsert = append(relInsert, []any{w.c.id, r.Source, r.Type, r.Target})
		}
	}
	if err := e.execIn(ctx, tx, "DELETE FROM relations WHERE originating_entity_id IN (%s)", relDelete); err != nil {
		return err
	}
	// In source_entity_ref order: the inserts walk that index instead of jumping around it.
	slices.SortFunc(relInsert, func(a, b []any) int { return strings.Compare(a[1].(string), b[1].(string)) })
	if err := e.insertRows(ctx, tx, e.appendOnlyInsert()+" relations (originating_entity_id, source_entity_ref, type, target_entity_ref) VALUES", "", 4, relInsert); err != nil {
		return err
	}

	// Children and the parent → child references.
	var all []childOut
	for _, w := range changed {
		all = append(all, w.out.Children...)
	}
	accepted, _, err := e.upsertEntities(ctx, tx, all)
	if err != nil {
		return err
	}
	acceptedKey := make(map[string]string, len(accepted))
	for _, c := range accepted {
		acceptedKey[c.Ref] = c.LocationKey
	}
	oldChildren := map[string]map[string]bool{}
	for _, c := range chunks(refs, sqlChunk) {
		rows, err := tx.QueryContext(ctx, e.q("SELECT source_entity_ref, target_entity_ref FROM refresh_state_references WHERE source_entity_ref IN ("+placeholders(len(c))+")"), anys(c)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var s, t string
			if err := rows.Scan(&s, &t); err != nil {
				rows.Close()
				return err
			}
			if oldChildren[s] == nil {
				oldChildren[s] = map[string]bool{}
			}
			oldChildren[s][t] = true
		}
		rows.Close()
	}
	var refInsert [][]any
	var refDelete []string
	for _, w := range changed {
		newChildren := map[string]bool{}
		var conflicts []model.SerializedError
		for _, c := range w.out.Children {
			if k, ok := acceptedKey[c.Ref]; ok && k == c.LocationKey {
				newChildren[c.Ref] = true
				continue
			}
			msg := fmt.Sprintf("Source %s detected conflicting entityRef %s already referenced by another location and now also %s", w.c.ref, c.Ref, c.LocationKey)
			e.log.Warn("conflicting entity ref", "message", msg)
			conflicts = append(conflicts, model.SerializedError{Name: "ConflictError", Message: msg})
		}
		prev := oldChildren[w.c.ref]
		same := len(prev) == len(newChildren)
		for r := range prev {
			if !newChildren[r] {
				same = false
				marks[r] = true // may now be an orphan
			}
		}
		if !same || len(prev) != len(newChildren) {
			if len(prev) > 0 {
				refDelete = append(refDelete, w.c.ref)
			}
			for _, r := range slices.Sorted(maps.Keys(newChildren)) {
				refInsert = append(refInsert, []any{w.c.ref, r})
			}
		}
		if len(conflicts) > 0 {
			// Keep the conflict visible on the parent and retry it next time (the winner may
			// be gone by then).
			if _, err := tx.ExecContext(ctx, e.q("UPDATE refresh_state SET errors = ?, result_hash = NULL, processed_input_hash = NULL WHERE entity_id = ?"),
				errorsJSON(conflicts), w.c.id); err != nil {
				return err
			}
		}
	}
	if err := e.execIn(ctx, tx, "DELETE FROM refresh_state_references WHERE source_entity_ref IN (%s)", refDelete); err != nil {
		return err
	}
	if len(refDelete) > 0 {
		e.referencesRemoved()
	}
	if err := e.insertRows(ctx, tx, e.appendOnlyInsert()+" refresh_state_references (source_entity_ref, target_entity_ref) VALUES", "", 2, refInsert); err != nil {
		return err
	}

	// Refresh keys.
	var keyDelete []string
	var keyInsert [][]any
	for _, w := range changed {
		keyDelete = append(keyDelete, w.c.id)
		for _, k := range w.out.Keys {
			keyInsert = append(keyInsert, []any{w.c.id, k})
		}
	}
	if err := e.execIn(ctx, tx, "DELETE FROM refresh_keys WHERE entity_id IN (%s)", keyDelete); err != nil {
		return err
	}
	if err := e.insertRows(ctx, tx, e.appendOnlyInsert()+" refresh_keys (entity_id, key) VALUES", "", 2, keyInsert); err != nil {
		return err
	}
	_ = now
	return e.markStitchRefs(ctx, tx, marks)
}

func anys(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
