package store

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/plugins/catalog/model"
)

// LocationRegistered reports whether a location is in the locations table (registered
// through the API).
func (s *Store) LocationRegistered(ctx context.Context, typ, target string) (bool, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM locations WHERE type = ? AND target = ?"), typ, target).Scan(&n); err != nil {
		return false, err
	}
	return n > 0, nil
}

// WriteFailed records on a claimed row that its processing result could not be stored:
// errs as its processing errors, a retry at next, the previous result kept and a stitch
// queued. It reports false when the row was taken over meanwhile (the new holder writes).
func (s *Store) WriteFailed(ctx context.Context, c Claimed, errs string, next time.Time) (bool, error) {
	written := false
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE refresh_state SET errors = ?, result_hash = NULL, failures = failures + 1,
			next_update_at = ?, processed_input_hash = NULL, claimed_by = NULL, claim_expires_at = NULL
			WHERE entity_id = ? AND epoch = ?`), errs, database.NewNullTime(next), c.ID, c.Epoch)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err // taken over meanwhile: the new holder writes
		}
		written = true
		return s.markStitchSelf(ctx, tx, map[string]string{c.ID: c.Ref})
	})
	return written, err
}

// WriteOutcomes stores a processed batch in one transaction. Every row update is fenced by
// the epoch read at claim time: a worker whose lease was taken over writes nothing.
func (s *Store) WriteOutcomes(ctx context.Context, now time.Time, items []Outcome) error {
	nowT := database.NewNullTime(now)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		selfMarks := map[string]string{}
		var changed []*Outcome
		var stale []any
		// Every update is also fenced by the unprocessed hash read at claim time: when a parent
		// re-emitted the entity meanwhile, the stale result is dropped and the entity released
		// to be processed again right away.
		applied := func(res sql.Result, err error, c Claimed) (bool, error) {
			if err != nil {
				return false, err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return false, err
			}
			if n == 0 {
				stale = append(stale, c.ID, c.Epoch)
			}
			return n == 1, nil
		}
		for i := range items {
			w := &items[i]
			c := w.Claimed
			switch {
			case w.Skip:
				res, err := tx.ExecContext(ctx, s.q(`UPDATE refresh_state SET next_update_at = ?, claimed_by = NULL, claim_expires_at = NULL
					WHERE entity_id = ? AND epoch = ? AND unprocessed_hash = ?`), database.NewNullTime(w.NextUpdate), c.ID, c.Epoch, c.UnprocessedHash)
				if _, err := applied(res, err, c); err != nil {
					return err
				}
			case !w.OK:
				res, err := tx.ExecContext(ctx, s.q(`UPDATE refresh_state SET errors = ?, result_hash = ?, failures = ?, next_update_at = ?,
					processed_input_hash = NULL, cache = ?, claimed_by = NULL, claim_expires_at = NULL
					WHERE entity_id = ? AND epoch = ? AND unprocessed_hash = ?`),
					w.Errors, w.ResultHash, c.Failures+1, database.NewNullTime(w.NextUpdate),
					w.Cache, c.ID, c.Epoch, c.UnprocessedHash)
				ok, err := applied(res, err, c)
				if err != nil {
					return err
				}
				if ok && (!c.ResultHash.Valid || c.ResultHash.String != w.ResultHash) {
					selfMarks[c.ID] = c.Ref
					s.log.Debug("entity processing failed", "entity", c.Ref, "errors", w.Errors)
				}
			case c.ResultHash.Valid && c.ResultHash.String == w.ResultHash:
				res, err := tx.ExecContext(ctx, s.q(`UPDATE refresh_state SET next_update_at = ?, failures = 0, processed_input_hash = ?, cache = ?,
					claimed_by = NULL, claim_expires_at = NULL WHERE entity_id = ? AND epoch = ? AND unprocessed_hash = ?`),
					database.NewNullTime(w.NextUpdate), w.InputHash,
					w.Cache, c.ID, c.Epoch, c.UnprocessedHash)
				if _, err := applied(res, err, c); err != nil {
					return err
				}
			default:
				res, err := tx.ExecContext(ctx, s.q(`UPDATE refresh_state SET processed_entity = ?, result_hash = ?, errors = '[]', failures = 0,
					processed_input_hash = ?, cache = ?, next_update_at = ?, claimed_by = NULL, claim_expires_at = NULL
					WHERE entity_id = ? AND epoch = ? AND unprocessed_hash = ?`),
					string(w.JSON), w.ResultHash, w.InputHash,
					w.Cache, database.NewNullTime(w.NextUpdate), c.ID, c.Epoch, c.UnprocessedHash)
				ok, err := applied(res, err, c)
				if err != nil {
					return err
				}
				if ok {
					changed = append(changed, w)
					selfMarks[c.ID] = c.Ref
				}
			}
		}
		// Release rows whose input changed under us (still ours by epoch): due now.
		for i := 0; i < len(stale); i += 2 {
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE refresh_state SET next_update_at = ?, claimed_by = NULL, claim_expires_at = NULL
				WHERE entity_id = ? AND epoch = ?`), nowT, stale[i], stale[i+1]); err != nil {
				return err
			}
		}
		if len(changed) > 0 {
			if err := s.writeProducts(ctx, tx, changed); err != nil {
				return err
			}
		}
		return s.markStitchSelf(ctx, tx, selfMarks)
	})
}

// writeProducts replaces the relations, children, references and refresh keys of entities
// whose successful processing result changed.
func (s *Store) writeProducts(ctx context.Context, tx *sql.Tx, changed []*Outcome) error {
	ids := make([]string, len(changed))
	refs := make([]string, len(changed))
	for i, w := range changed {
		ids[i] = w.Claimed.ID
		refs[i] = w.Claimed.Ref
	}
	marks := map[string]bool{}

	// Relations: diff against the stored ones so both ends of every added or removed edge are
	// re-stitched, and nothing else.
	old := map[string]map[RelationRow]bool{}
	err := s.scanIn(ctx, tx, "SELECT originating_entity_id, source_entity_ref, type, target_entity_ref FROM relations WHERE originating_entity_id IN (%s)", ids, func(rows *sql.Rows) error {
		var id string
		var r RelationRow
		if err := rows.Scan(&id, &r.Source, &r.Type, &r.Target); err != nil {
			return err
		}
		addPair(old, id, r)
		return nil
	})
	if err != nil {
		return err
	}
	var relDelete []string
	var relInsert [][]any
	for _, w := range changed {
		prev := old[w.Claimed.ID]
		now := make(map[RelationRow]bool, len(w.Relations))
		for _, r := range w.Relations {
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
			relDelete = append(relDelete, w.Claimed.ID)
		}
		for _, r := range w.Relations {
			relInsert = append(relInsert, []any{w.Claimed.ID, r.Source, r.Type, r.Target})
		}
	}
	if err := s.execIn(ctx, tx, "DELETE FROM relations WHERE originating_entity_id IN (%s)", relDelete); err != nil {
		return err
	}
	// In source_entity_ref order: the inserts walk that index instead of jumping around it.
	slices.SortFunc(relInsert, func(a, b []any) int { return strings.Compare(a[1].(string), b[1].(string)) })
	if err := s.insertRows(ctx, tx, s.appendOnlyInsert()+" relations (originating_entity_id, source_entity_ref, type, target_entity_ref) VALUES", "", 4, relInsert); err != nil {
		return err
	}

	// Children and the parent → child references.
	var all []Child
	for _, w := range changed {
		all = append(all, w.Children...)
	}
	accepted, _, err := s.upsertEntities(ctx, tx, all)
	if err != nil {
		return err
	}
	acceptedKey := make(map[string]string, len(accepted))
	for _, c := range accepted {
		acceptedKey[c.Ref] = c.LocationKey
	}
	oldChildren := map[string]map[string]bool{}
	err = s.scanIn(ctx, tx, "SELECT source_entity_ref, target_entity_ref FROM refresh_state_references WHERE source_entity_ref IN (%s)", refs, func(rows *sql.Rows) error {
		var src, t string
		if err := rows.Scan(&src, &t); err != nil {
			return err
		}
		addPair(oldChildren, src, t)
		return nil
	})
	if err != nil {
		return err
	}
	var refInsert [][]any
	var refDelete []string
	for _, w := range changed {
		newChildren := map[string]bool{}
		var conflicts []model.SerializedError
		for _, c := range w.Children {
			if k, ok := acceptedKey[c.Ref]; ok && k == c.LocationKey {
				newChildren[c.Ref] = true
				continue
			}
			msg := fmt.Sprintf("Source %s detected conflicting entityRef %s already referenced by another location and now also %s", w.Claimed.Ref, c.Ref, c.LocationKey)
			s.log.Warn("conflicting entity ref", "message", msg)
			conflicts = append(conflicts, model.SerializedError{Name: "ConflictError", Message: msg})
		}
		prev := oldChildren[w.Claimed.Ref]
		same := len(prev) == len(newChildren)
		for r := range prev {
			if !newChildren[r] {
				same = false
				marks[r] = true // may now be an orphan
			}
		}
		if !same || len(prev) != len(newChildren) {
			if len(prev) > 0 {
				refDelete = append(refDelete, w.Claimed.Ref)
			}
			for _, r := range slices.Sorted(maps.Keys(newChildren)) {
				refInsert = append(refInsert, []any{w.Claimed.Ref, r})
			}
		}
		if len(conflicts) > 0 {
			// Keep the conflict visible on the parent and retry it next time (the winner may
			// be gone by then).
			if _, err := tx.ExecContext(ctx, s.q("UPDATE refresh_state SET errors = ?, result_hash = NULL, processed_input_hash = NULL WHERE entity_id = ?"),
				ErrorsJSON(conflicts), w.Claimed.ID); err != nil {
				return err
			}
		}
	}
	if err := s.execIn(ctx, tx, "DELETE FROM refresh_state_references WHERE source_entity_ref IN (%s)", refDelete); err != nil {
		return err
	}
	if len(refDelete) > 0 {
		s.referencesRemoved()
	}
	if err := s.insertRows(ctx, tx, s.appendOnlyInsert()+" refresh_state_references (source_entity_ref, target_entity_ref) VALUES", "", 2, refInsert); err != nil {
		return err
	}

	// Refresh keys.
	var keyDelete []string
	var keyInsert [][]any
	for _, w := range changed {
		keyDelete = append(keyDelete, w.Claimed.ID)
		for _, k := range w.Keys {
			keyInsert = append(keyInsert, []any{w.Claimed.ID, k})
		}
	}
	if err := s.execIn(ctx, tx, "DELETE FROM refresh_keys WHERE entity_id IN (%s)", keyDelete); err != nil {
		return err
	}
	if err := s.insertRows(ctx, tx, s.appendOnlyInsert()+" refresh_keys (entity_id, key) VALUES", "", 2, keyInsert); err != nil {
		return err
	}
	return s.markStitchRefs(ctx, tx, marks)
}

// upsertEntities writes deferred entities into refresh_state following the location key rule:
// a new ref is inserted; an existing one is updated only when its stored key is NULL or equal
// to the incoming key (and its content changed); otherwise it is a conflict.
func (s *Store) upsertEntities(ctx context.Context, tx *sql.Tx, items []Child) (accepted []Child, conflicts []Conflict, err error) {
	if len(items) == 0 {
		return nil, nil, nil
	}
	// Within one batch the first location key to emit a ref owns it, as in Backstage, which
	// writes the emissions in order: a later emission under the same key replaces the earlier
	// one, one under another key is a conflict (the caller reports it on its parent).
	last := make([]Child, 0, len(items))
	at := make(map[string]int, len(items))
	for _, c := range items {
		i, seen := at[c.Ref]
		switch {
		case !seen:
			at[c.Ref] = len(last)
			last = append(last, c)
		case last[i].LocationKey == c.LocationKey:
			last[i] = c
		default:
			conflicts = append(conflicts, Conflict{Ref: c.Ref, ExistingKey: last[i].LocationKey, NewKey: c.LocationKey})
		}
	}
	slices.SortFunc(last, func(a, b Child) int { return strings.Compare(a.Ref, b.Ref) })
	// Chunks bound the memory of the lookups and rows (a Location may emit 100k entities).
	for _, chunk := range chunks(last, upsertChunk) {
		a, c, err := s.upsertChunk(ctx, tx, chunk)
		if err != nil {
			return nil, nil, err
		}
		accepted = append(accepted, a...)
		conflicts = append(conflicts, c...)
	}
	return accepted, conflicts, nil
}

// upsertChunk is upsertEntities over distinct refs.
func (s *Store) upsertChunk(ctx context.Context, tx *sql.Tx, items []Child) (accepted []Child, conflicts []Conflict, err error) {
	byRef := make(map[string]Child, len(items))
	refs := make([]string, len(items))
	for i, c := range items {
		byRef[c.Ref] = c
		refs[i] = c.Ref
	}
	type existing struct {
		hash string
		key  sql.NullString
	}
	have := make(map[string]existing, len(refs))
	err = s.scanIn(ctx, tx, "SELECT entity_ref, unprocessed_hash, location_key FROM refresh_state WHERE entity_ref IN (%s)", refs, func(rows *sql.Rows) error {
		var ref string
		var ex existing
		if err := rows.Scan(&ref, &ex.hash, &ex.key); err != nil {
			return err
		}
		have[ref] = ex
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	now := database.NewNullTime(s.now())
	var inserts [][]any
	var insertRefs []string
	for _, ref := range refs {
		c := byRef[ref]
		ex, ok := have[ref]
		if !ok {
			// The JSON is converted to a string per chunk below, not here: a Location of 100k
			// entities would otherwise hold a second copy of all of them.
			inserts = append(inserts, []any{newEntityID(), ref, c, c.Hash, nullString(c.LocationKey), now, now})
			insertRefs = append(insertRefs, ref)
			continue
		}
		if ex.key.Valid && ex.key.String != c.LocationKey {
			conflicts = append(conflicts, Conflict{Ref: ref, ExistingKey: ex.key.String, NewKey: c.LocationKey})
			continue
		}
		if ex.hash != c.Hash || ex.key.String != c.LocationKey || ex.key.Valid != (c.LocationKey != "") {
			data, err := c.Data()
			if err != nil {
				return nil, nil, err
			}
			res, err := tx.ExecContext(ctx, s.q(`UPDATE refresh_state SET unprocessed_entity = ?, unprocessed_hash = ?, location_key = ?,
				next_update_at = ?, last_discovery_at = ?, processed_input_hash = NULL
				WHERE entity_ref = ? AND (location_key IS NULL OR location_key = ?)`),
				string(data), c.Hash, nullString(c.LocationKey), now, now, ref, c.LocationKey)
			if err != nil {
				return nil, nil, err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				conflicts = append(conflicts, Conflict{Ref: ref, ExistingKey: ex.key.String, NewKey: c.LocationKey})
				continue
			}
		}
		accepted = append(accepted, c)
	}
	if len(inserts) > 0 {
		per := maxInsertParams / 7
		for _, chunk := range chunks(inserts, per) {
			for _, r := range chunk {
				data, err := r[2].(Child).Data()
				if err != nil {
					return nil, nil, err
				}
				r[2] = string(data)
			}
			if err := s.insertRows(ctx, tx, s.appendOnlyInsert()+" refresh_state (entity_id, entity_ref, unprocessed_entity, unprocessed_hash, location_key, next_update_at, last_discovery_at) VALUES",
				"ON CONFLICT (entity_ref) DO NOTHING", 7, chunk); err != nil {
				return nil, nil, err
			}
			for _, r := range chunk {
				r[2] = nil
			}
		}
		// A concurrent writer may have inserted some refs first: check who owns them now.
		owners := map[string]sql.NullString{}
		err := s.scanIn(ctx, tx, "SELECT entity_ref, location_key FROM refresh_state WHERE entity_ref IN (%s)", insertRefs, func(rows *sql.Rows) error {
			var ref string
			var key sql.NullString
			if err := rows.Scan(&ref, &key); err != nil {
				return err
			}
			owners[ref] = key
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
		for _, ref := range insertRefs {
			c := byRef[ref]
			key := owners[ref]
			if key.Valid && key.String != c.LocationKey {
				conflicts = append(conflicts, Conflict{Ref: ref, ExistingKey: key.String, NewKey: c.LocationKey})
				continue
			}
			accepted = append(accepted, c)
		}
	}
	return accepted, conflicts, nil
}
