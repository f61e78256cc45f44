package engine

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/plugins/catalog/model"
)

// conflict is a child another location key already owns.
type conflict struct {
	Ref, ExistingKey, NewKey string
}

// applyMutation changes a provider's bucket.
func (e *Engine) applyMutation(ctx context.Context, provider string, m Mutation) error {
	var added []childOut
	var removedRefs []string
	toChild := func(d DeferredEntity) (childOut, bool) {
		if d.Entity == nil {
			return childOut{}, false
		}
		_, okL := d.Entity.Annotation(model.AnnotationManagedByLocation)
		_, okO := d.Entity.Annotation(model.AnnotationManagedByOriginLocation)
		if !okL || !okO {
			e.log.Warn("entity provider emitted an entity without location annotations; rejected",
				"provider", provider, "entity", d.Entity.Ref().String())
			return childOut{}, false
		}
		ent := d.Entity.Clone()
		model.SetDefaults(ent)
		data, err := json.Marshal(ent)
		if err != nil {
			e.log.Warn("entity provider emitted an entity that cannot be encoded", "provider", provider, "err", err)
			return childOut{}, false
		}
		return childOut{Ref: ent.Ref().String(), JSON: data, Hash: sha1Hex(data), LocationKey: d.LocationKey}, true
	}
	entities := m.Added
	if m.Full {
		entities = m.Entities
	}
	for _, d := range entities {
		if c, ok := toChild(d); ok {
			added = append(added, c)
		}
	}
	for _, d := range m.Removed {
		removedRefs = append(removedRefs, d.ref())
	}
	return e.inTx(ctx, func(tx *sql.Tx) error {
		accepted, conflicts, err := e.upsertEntities(ctx, tx, added)
		if err != nil {
			return fmt.Errorf("apply mutation of %s: %w", provider, err)
		}
		for _, c := range conflicts {
			e.log.Warn("conflicting entity ref", "message", fmt.Sprintf(
				"Source %s detected conflicting entityRef %s already referenced by %s and now also %s", provider, c.Ref, c.ExistingKey, c.NewKey))
		}
		acceptedSet := map[string]bool{}
		for _, c := range accepted {
			acceptedSet[c.Ref] = true
		}
		var gone []string
		if m.Full {
			old, err := e.bucket(ctx, tx, provider)
			if err != nil {
				return err
			}
			for _, r := range old {
				if !acceptedSet[r] {
					gone = append(gone, r)
				}
			}
			if _, err := tx.ExecContext(ctx, e.q("DELETE FROM refresh_state_references WHERE source_key = ?"), provider); err != nil {
				return err
			}
			e.referencesRemoved()
		} else {
			targets := append(slices.Sorted(maps.Keys(acceptedSet)), removedRefs...)
			if err := e.execIn(ctx, tx, "DELETE FROM refresh_state_references WHERE source_key = ? AND target_entity_ref IN (%s)", targets, provider); err != nil {
				return err
			}
			if len(removedRefs) > 0 {
				e.referencesRemoved()
			}
			gone = removedRefs
		}
		rows := make([][]any, 0, len(acceptedSet))
		for _, r := range slices.Sorted(maps.Keys(acceptedSet)) {
			rows = append(rows, []any{provider, r})
		}
		if err := e.insertRows(ctx, tx, e.appendOnlyInsert()+" refresh_state_references (source_key, target_entity_ref) VALUES", "", 2, rows); err != nil {
			return err
		}
		return e.prune(ctx, tx, gone)
	})
}

func (e *Engine) bucket(ctx context.Context, x execer, provider string) ([]string, error) {
	rows, err := x.QueryContext(ctx, e.q("SELECT target_entity_ref FROM refresh_state_references WHERE source_key = ?"), provider)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// upsertEntities writes deferred entities into refresh_state following the location key rule:
// a new ref is inserted; an existing one is updated only when its stored key is NULL or equal
// to the incoming key (and its content changed); otherwise it is a conflict.
func (e *Engine) upsertEntities(ctx context.Context, tx *sql.Tx, items []childOut) (accepted []childOut, conflicts []conflict, err error) {
	if len(items) == 0 {
		return nil, nil, nil
	}
	// Within one batch the first location key to emit a ref owns it, as in Backstage, which
	// writes the emissions in order: a later emission under the same key replaces the earlier
	// one, one under another key is a conflict (the caller reports it on its parent).
	last := make([]childOut, 0, len(items))
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
			conflicts = append(conflicts, conflict{Ref: c.Ref, ExistingKey: last[i].LocationKey, NewKey: c.LocationKey})
		}
	}
	slices.SortFunc(last, func(a, b childOut) int { return strings.Compare(a.Ref, b.Ref) })
	// Chunks bound the memory of the lookups and rows (a Location may emit 100k entities).
	for _, chunk := range chunks(last, upsertChunk) {
		a, c, err := e.upsertChunk(ctx, tx, chunk)
		if err != nil {
			return nil, nil, err
		}
		accepted = append(accepted, a...)
		conflicts = append(conflicts, c...)
	}
	return accepted, conflicts, nil
}

// upsertChunk is upsertEntities over distinct refs.
func (e *Engine) upsertChunk(ctx context.Context, tx *sql.Tx, items []childOut) (accepted []childOut, conflicts []conflict, err error) {
	byRef := make(map[string]childOut, len(items))
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
	for _, c := range chunks(refs, sqlChunk) {
		args := make([]any, len(c))
		for i, r := range c {
			args[i] = r
		}
		rows, err := tx.QueryContext(ctx, e.q("SELECT entity_ref, unprocessed_hash, location_key FROM refresh_state WHERE entity_ref IN ("+placeholders(len(c))+")"), args...)
		if err != nil {
			return nil, nil, err
		}
		for rows.Next() {
			var ref string
			var ex existing
			if err := rows.Scan(&ref, &ex.hash, &ex.key); err != nil {
				rows.Close()
				return nil, nil, err
			}
			have[ref] = ex
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, nil, err
		}
	}
	now := database.NewNullTime(e.now())
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
			conflicts = append(conflicts, conflict{Ref: ref, ExistingKey: ex.key.String, NewKey: c.LocationKey})
			continue
		}
		if ex.hash != c.Hash || ex.key.String != c.LocationKey || ex.key.Valid != (c.LocationKey != "") {
			data, err := c.data()
			if err != nil {
				return nil, nil, err
			}
			res, err := tx.ExecContext(ctx, e.q(`UPDATE refresh_state SET unprocessed_entity = ?, unprocessed_hash = ?, location_key = ?,
				next_update_at = ?, last_discovery_at = ?, processed_input_hash = NULL
				WHERE entity_ref = ? AND (location_key IS NULL OR location_key = ?)`),
				string(data), c.Hash, nullString(c.LocationKey), now, now, ref, c.LocationKey)
			if err != nil {
				return nil, nil, err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				conflicts = append(conflicts, conflict{Ref: ref, ExistingKey: ex.key.String, NewKey: c.LocationKey})
				continue
			}
		}
		accepted = append(accepted, c)
	}
	if len(inserts) > 0 {
		per := maxInsertParams / 7
		for _, chunk := range chunks(inserts, per) {
			for _, r := range chunk {
				data, err := r[2].(childOut).data()
				if err != nil {
					return nil, nil, err
				}
				r[2] = string(data)
			}
			if err := e.insertRows(ctx, tx, e.appendOnlyInsert()+" refresh_state (entity_id, entity_ref, unprocessed_entity, unprocessed_hash, location_key, next_update_at, last_discovery_at) VALUES",
				"ON CONFLICT (entity_ref) DO NOTHING", 7, chunk); err != nil {
				return nil, nil, err
			}
			for _, r := range chunk {
				r[2] = nil
			}
		}
		// A concurrent writer may have inserted some refs first: check who owns them now.
		owners := map[string]sql.NullString{}
		for _, c := range chunks(insertRefs, sqlChunk) {
			args := make([]any, len(c))
			for i, r := range c {
				args[i] = r
			}
			rows, err := tx.QueryContext(ctx, e.q("SELECT entity_ref, location_key FROM refresh_state WHERE entity_ref IN ("+placeholders(len(c))+")"), args...)
			if err != nil {
				return nil, nil, err
			}
			for rows.Next() {
				var ref string
				var key sql.NullString
				if err := rows.Scan(&ref, &key); err != nil {
					rows.Close()
					return nil, nil, err
				}
				owners[ref] = key
			}
			rows.Close()
		}
		for _, ref := range insertRefs {
			c := byRef[ref]
			key := owners[ref]
			if key.Valid && key.String != c.LocationKey {
				conflicts = append(conflicts, conflict{Ref: ref, ExistingKey: key.String, NewKey: c.LocationKey})
				continue
			}
			accepted = append(accepted, c)
		}
	}
	return accepted, conflicts, nil
}

// upsertChunk is how many entities upsertEntities handles at once.
const upsertChunk = 4000

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// prune deletes candidates that no provider or parent references any more, then their
// children that become unreferenced, and so on (Backstage's eager pruning).
func (e *Engine) prune(ctx context.Context, tx *sql.Tx, candidates []string) error {
	for len(candidates) > 0 {
		dead, err := e.queryStrings(ctx, tx, `SELECT entity_ref FROM refresh_state rs WHERE entity_ref IN (%s)
			AND NOT EXISTS (SELECT 1 FROM refresh_state_references r WHERE r.target_entity_ref = rs.entity_ref)`, dedupe(candidates))
		if err != nil {
			return fmt.Errorf("prune: %w", err)
		}
		if len(dead) == 0 {
			return nil
		}
		children, err := e.deleteEntities(ctx, tx, dead)
		if err != nil {
			return err
		}
		candidates = children
	}
	return nil
}

// deleteEntities removes entities (by ref) and everything derived from them, queues the
// entities that had relations with them for stitching, and returns their former children.
func (e *Engine) deleteEntities(ctx context.Context, tx *sql.Tx, refs []string) ([]string, error) {
	refs = dedupe(refs)
	ids, err := e.queryStrings(ctx, tx, "SELECT entity_id FROM refresh_state WHERE entity_ref IN (%s)", refs)
	if err != nil {
		return nil, fmt.Errorf("delete entities: %w", err)
	}
	restitch, err := e.queryStrings(ctx, tx, "SELECT DISTINCT source_entity_ref FROM relations WHERE originating_entity_id IN (%s)", ids)
	if err != nil {
		return nil, err
	}
	children, err := e.queryStrings(ctx, tx, "SELECT target_entity_ref FROM refresh_state_references WHERE source_entity_ref IN (%s)", refs)
	if err != nil {
		return nil, err
	}
	for _, stmt := range []string{
		"DELETE FROM relations WHERE originating_entity_id IN (%s)",
		"DELETE FROM refresh_keys WHERE entity_id IN (%s)",
		"DELETE FROM final_entities WHERE entity_id IN (%s)",
		"DELETE FROM refresh_state WHERE entity_id IN (%s)",
	} {
		if err := e.execIn(ctx, tx, stmt, ids); err != nil {
			return nil, fmt.Errorf("delete entities: %w", err)
		}
	}
	if err := e.deleteSearchRows(ctx, tx, ids); err != nil {
		return nil, fmt.Errorf("delete entities: %w", err)
	}
	if err := e.execIn(ctx, tx, "DELETE FROM refresh_state_references WHERE source_entity_ref IN (%s)", refs); err != nil {
		return nil, err
	}
	if len(children) > 0 {
		e.referencesRemoved()
	}
	deleted := map[string]bool{}
	for _, r := range refs {
		deleted[r] = true
	}
	mark := map[string]bool{}
	for _, r := range restitch {
		if !deleted[r] {
			mark[r] = true
		}
	}
	for _, r := range children {
		mark[r] = true // may become orphans
	}
	if err := e.markStitchRefs(ctx, tx, mark); err != nil {
		return nil, err
	}
	return children, nil
}

// dedupe returns the distinct strings of s, sorted.
func dedupe(s []string) []string {
	return slices.Compact(slices.Sorted(slices.Values(s)))
}

// orphanRescan is how often deleteOrphans scans the catalog although no reference was removed
// since its last scan (a removal racing with a scan, or made by another replica).
const orphanRescan = 10 * time.Minute

// referencesRemoved notes that an entity may have lost its last reference: the next
// deleteOrphans scans for orphans.
func (e *Engine) referencesRemoved() { e.orphans.dirty.Store(true) }

// deleteOrphans deletes entities no provider or parent references (orphanStrategy delete).
// It scans the catalog only when a reference was removed since its last scan (or every
// orphanRescan): a scan probes every entity (docs/performance.md, "Orphan scans").
func (e *Engine) deleteOrphans(ctx context.Context) (int, error) {
	now := e.opts.Clock()
	last := time.Unix(0, e.orphans.lastScan.Load())
	if !e.orphans.dirty.Swap(false) && now.Sub(last) < orphanRescan {
		return 0, nil
	}
	e.orphans.lastScan.Store(now.UnixNano())
	total := 0
	for {
		var n int
		err := e.inTx(ctx, func(tx *sql.Tx) error {
			rows, err := tx.QueryContext(ctx, e.q(`SELECT rs.entity_ref FROM refresh_state rs
				LEFT JOIN refresh_state_references r ON r.target_entity_ref = rs.entity_ref
				WHERE r.target_entity_ref IS NULL
				ORDER BY rs.entity_ref LIMIT ?`), sqlChunk)
			if err != nil {
				return err
			}
			var refs []string
			for rows.Next() {
				var r string
				if err := rows.Scan(&r); err != nil {
					rows.Close()
					return err
				}
				refs = append(refs, r)
			}
			rows.Close()
			if len(refs) == 0 {
				return nil
			}
			n = len(refs)
			children, err := e.deleteEntities(ctx, tx, refs)
			if err != nil {
				return err
			}
			return e.prune(ctx, tx, children)
		})
		if err != nil {
			e.referencesRemoved() // scan again next time
			return total, fmt.Errorf("delete orphans: %w", err)
		}
		total += n
		if n == 0 {
			return total, nil
		}
	}
}

// removeUnknownProviderBuckets evicts the entities of providers that are no longer
// registered (Backstage's orphanProviderStrategy: delete).
func (e *Engine) removeUnknownProviderBuckets(ctx context.Context) error {
	known := map[string]bool{}
	for _, p := range e.providers {
		known[p.Name()] = true
	}
	return e.inTx(ctx, func(tx *sql.Tx) error {
		keys, err := e.queryStrings(ctx, tx, "SELECT DISTINCT source_key FROM refresh_state_references WHERE source_key IS NOT NULL AND source_key NOT IN (%s)", slices.Sorted(maps.Keys(known)))
		if err != nil {
			return err
		}
		for _, k := range dedupe(keys) {
			refs, err := e.bucket(ctx, tx, k)
			if err != nil {
				return err
			}
			e.referencesRemoved()
			if _, err := tx.ExecContext(ctx, e.q("DELETE FROM refresh_state_references WHERE source_key = ?"), k); err != nil {
				return err
			}
			e.log.Info("removing entities of an unregistered provider", "provider", k, "entities", len(refs))
			if err := e.prune(ctx, tx, refs); err != nil {
				return err
			}
		}
		return nil
	})
}
