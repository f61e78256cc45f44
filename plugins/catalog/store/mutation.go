package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/plugins/catalog/model"
)

// ErrExists is returned by InsertLocation when the location is already registered.
var ErrExists = errors.New("store: already exists")

// ApplyMutation changes a provider's bucket in one transaction: added are upserted under
// the location key rule and referenced by the provider; with full, the bucket is replaced
// (what it held and added no longer has is pruned), otherwise removedRefs leave it. Conflicts
// are logged.
func (s *Store) ApplyMutation(ctx context.Context, provider string, full bool, added []Child, removedRefs []string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		accepted, conflicts, err := s.upsertEntities(ctx, tx, added)
		if err != nil {
			return fmt.Errorf("apply mutation of %s: %w", provider, err)
		}
		for _, c := range conflicts {
			s.log.Warn("conflicting entity ref", "message", fmt.Sprintf(
				"Source %s detected conflicting entityRef %s already referenced by %s and now also %s", provider, c.Ref, c.ExistingKey, c.NewKey))
		}
		acceptedSet := map[string]bool{}
		for _, c := range accepted {
			acceptedSet[c.Ref] = true
		}
		var gone []string
		if full {
			old, err := s.bucket(ctx, tx, provider)
			if err != nil {
				return err
			}
			for _, r := range old {
				if !acceptedSet[r] {
					gone = append(gone, r)
				}
			}
			if _, err := tx.ExecContext(ctx, s.q("DELETE FROM refresh_state_references WHERE source_key = ?"), provider); err != nil {
				return err
			}
			s.referencesRemoved()
		} else {
			targets := append(slices.Sorted(maps.Keys(acceptedSet)), removedRefs...)
			if err := s.execIn(ctx, tx, "DELETE FROM refresh_state_references WHERE source_key = ? AND target_entity_ref IN (%s)", targets, provider); err != nil {
				return err
			}
			if len(removedRefs) > 0 {
				s.referencesRemoved()
			}
			gone = removedRefs
		}
		rows := make([][]any, 0, len(acceptedSet))
		for _, r := range slices.Sorted(maps.Keys(acceptedSet)) {
			rows = append(rows, []any{provider, r})
		}
		if err := s.insertRows(ctx, tx, s.appendOnlyInsert()+" refresh_state_references (source_key, target_entity_ref) VALUES", "", 2, rows); err != nil {
			return err
		}
		return s.prune(ctx, tx, gone)
	})
}

func (s *Store) bucket(ctx context.Context, x execer, provider string) ([]string, error) {
	return collect(ctx, x, s.q("SELECT target_entity_ref FROM refresh_state_references WHERE source_key = ?"), []any{provider},
		func(rows *sql.Rows, v *string) error { return rows.Scan(v) })
}

// prune deletes candidates that no provider or parent references any more, then their
// children that become unreferenced, and so on (Backstage's eager pruning).
func (s *Store) prune(ctx context.Context, tx *sql.Tx, candidates []string) error {
	for len(candidates) > 0 {
		dead, err := s.queryStrings(ctx, tx, `SELECT entity_ref FROM refresh_state rs WHERE entity_ref IN (%s)
			AND NOT EXISTS (SELECT 1 FROM refresh_state_references r WHERE r.target_entity_ref = rs.entity_ref)`, dedupe(candidates))
		if err != nil {
			return fmt.Errorf("prune: %w", err)
		}
		if len(dead) == 0 {
			return nil
		}
		children, err := s.deleteEntities(ctx, tx, dead)
		if err != nil {
			return err
		}
		candidates = children
	}
	return nil
}

// deleteEntities removes entities (by ref) and everything derived from them, queues the
// entities that had relations with them for stitching, and returns their former children.
func (s *Store) deleteEntities(ctx context.Context, tx *sql.Tx, refs []string) ([]string, error) {
	refs = dedupe(refs)
	ids, err := s.queryStrings(ctx, tx, "SELECT entity_id FROM refresh_state WHERE entity_ref IN (%s)", refs)
	if err != nil {
		return nil, fmt.Errorf("delete entities: %w", err)
	}
	restitch, err := s.queryStrings(ctx, tx, "SELECT DISTINCT source_entity_ref FROM relations WHERE originating_entity_id IN (%s)", ids)
	if err != nil {
		return nil, err
	}
	children, err := s.queryStrings(ctx, tx, "SELECT target_entity_ref FROM refresh_state_references WHERE source_entity_ref IN (%s)", refs)
	if err != nil {
		return nil, err
	}
	for _, stmt := range []string{
		"DELETE FROM relations WHERE originating_entity_id IN (%s)",
		"DELETE FROM refresh_keys WHERE entity_id IN (%s)",
		"DELETE FROM final_entities WHERE entity_id IN (%s)",
		"DELETE FROM refresh_state WHERE entity_id IN (%s)",
	} {
		if err := s.execIn(ctx, tx, stmt, ids); err != nil {
			return nil, fmt.Errorf("delete entities: %w", err)
		}
	}
	if err := s.deleteSearchRows(ctx, tx, ids); err != nil {
		return nil, fmt.Errorf("delete entities: %w", err)
	}
	if err := s.execIn(ctx, tx, "DELETE FROM refresh_state_references WHERE source_entity_ref IN (%s)", refs); err != nil {
		return nil, err
	}
	if len(children) > 0 {
		s.referencesRemoved()
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
	if err := s.markStitchRefs(ctx, tx, mark); err != nil {
		return nil, err
	}
	return children, nil
}

// DeleteOrphans deletes up to one chunk of entities no provider or parent references, and
// what becomes unreferenced with them, in one transaction. It returns how many orphans it
// found (0: none left).
func (s *Store) DeleteOrphans(ctx context.Context) (int, error) {
	var n int
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		refs, err := collect(ctx, tx, s.q(`SELECT rs.entity_ref FROM refresh_state rs
			LEFT JOIN refresh_state_references r ON r.target_entity_ref = rs.entity_ref
			WHERE r.target_entity_ref IS NULL
			ORDER BY rs.entity_ref LIMIT ?`), []any{sqlChunk}, func(rows *sql.Rows, r *string) error { return rows.Scan(r) })
		if err != nil {
			return err
		}
		if len(refs) == 0 {
			return nil
		}
		n = len(refs)
		children, err := s.deleteEntities(ctx, tx, refs)
		if err != nil {
			return err
		}
		return s.prune(ctx, tx, children)
	})
	return n, err
}

// RemoveProviderBuckets evicts the entities of providers not in known (Backstage's
// orphanProviderStrategy: delete).
func (s *Store) RemoveProviderBuckets(ctx context.Context, known []string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		keys, err := s.queryStrings(ctx, tx, "SELECT DISTINCT source_key FROM refresh_state_references WHERE source_key IS NOT NULL AND source_key NOT IN (%s)", known)
		if err != nil {
			return err
		}
		for _, k := range dedupe(keys) {
			refs, err := s.bucket(ctx, tx, k)
			if err != nil {
				return err
			}
			s.referencesRemoved()
			if _, err := tx.ExecContext(ctx, s.q("DELETE FROM refresh_state_references WHERE source_key = ?"), k); err != nil {
				return err
			}
			s.log.Info("removing entities of an unregistered provider", "provider", k, "entities", len(refs))
			if err := s.prune(ctx, tx, refs); err != nil {
				return err
			}
		}
		return nil
	})
}

// RefreshKeys schedules the entities that registered any of keys for processing at now.
func (s *Store) RefreshKeys(ctx context.Context, keys []string, now time.Time) error {
	if len(keys) == 0 {
		return nil
	}
	return s.execIn(ctx, s.db, `UPDATE refresh_state SET next_update_at = ?, processed_input_hash = NULL
		WHERE entity_id IN (SELECT entity_id FROM refresh_keys WHERE key IN (%s))`, dedupe(keys), database.NewNullTime(now))
}

// RefreshRefs schedules entities (by ref) for processing at now, bypassing the
// unchanged-input shortcut.
func (s *Store) RefreshRefs(ctx context.Context, refs []string, now time.Time) error {
	return s.execIn(ctx, s.db, "UPDATE refresh_state SET next_update_at = ?, processed_input_hash = NULL WHERE entity_ref IN (%s)", refs, database.NewNullTime(now))
}

// ListLocations returns the locations registered through the API, by id.
func (s *Store) ListLocations(ctx context.Context) ([]model.Location, error) {
	out, err := collect(ctx, s.db, "SELECT id, type, target FROM locations ORDER BY id", nil,
		func(rows *sql.Rows, l *model.Location) error { return rows.Scan(&l.ID, &l.Type, &l.Target) })
	if err != nil {
		return nil, fmt.Errorf("list locations: %w", err)
	}
	return out, nil
}

// LocationID returns the id of a registered location ("" when it is not registered).
func (s *Store) LocationID(ctx context.Context, typ, target string) (string, error) {
	var id string
	err := s.db.QueryRowContext(ctx, s.q("SELECT id FROM locations WHERE type = ? AND target = ?"), typ, target).Scan(&id)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	return id, nil
}

// InsertLocation registers a location; ErrExists when it already is.
func (s *Store) InsertLocation(ctx context.Context, loc model.Location) error {
	if _, err := s.db.ExecContext(ctx, s.q("INSERT INTO locations (id, type, target) VALUES (?, ?, ?)"), loc.ID, loc.Type, loc.Target); err != nil {
		if database.IsUniqueViolation(err) {
			return ErrExists
		}
		return err
	}
	return nil
}

// DeleteLocation unregisters a location and returns it; found is false when no location
// has that id.
func (s *Store) DeleteLocation(ctx context.Context, id string) (loc model.Location, found bool, err error) {
	loc.ID = id
	err = s.db.QueryRowContext(ctx, s.q("SELECT type, target FROM locations WHERE id = ?"), id).Scan(&loc.Type, &loc.Target)
	if errors.Is(err, sql.ErrNoRows) {
		return loc, false, nil
	}
	if err != nil {
		return loc, false, err
	}
	if _, err := s.db.ExecContext(ctx, s.q("DELETE FROM locations WHERE id = ?"), id); err != nil {
		return loc, true, err
	}
	return loc, true, nil
}

// EntityExists reports whether an entity (by ref) has a refresh_state row.
func (s *Store) EntityExists(ctx context.Context, ref string) (bool, error) {
	var id string
	err := s.db.QueryRowContext(ctx, s.q("SELECT entity_id FROM refresh_state WHERE entity_ref = ?"), ref).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// Parents returns the entities that emitted any of refs (duplicates possible).
func (s *Store) Parents(ctx context.Context, refs []string) ([]string, error) {
	return s.parents(ctx, s.db, refs)
}

func (s *Store) parents(ctx context.Context, x execer, refs []string) ([]string, error) {
	return s.queryStrings(ctx, x, "SELECT source_entity_ref FROM refresh_state_references WHERE source_entity_ref IS NOT NULL AND target_entity_ref IN (%s)", refs)
}

// DeleteEntity removes an entity by uid, its references from parents and providers and
// what only it produced; its parents must write their results again for it to come back.
// found is false when no entity has that uid.
func (s *Store) DeleteEntity(ctx context.Context, uid string) (found bool, err error) {
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var ref string
		err := tx.QueryRowContext(ctx, s.q("SELECT entity_ref FROM refresh_state WHERE entity_id = ?"), uid).Scan(&ref)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("delete entity: %w", err)
		}
		found = true
		parents, err := s.parents(ctx, tx, []string{ref})
		if err != nil {
			return err
		}
		// Parents must write their results again for the entity to come back.
		if err := s.execIn(ctx, tx, "UPDATE refresh_state SET result_hash = NULL, processed_input_hash = NULL WHERE entity_ref IN (%s)", parents); err != nil {
			return err
		}
		s.referencesRemoved()
		if _, err := tx.ExecContext(ctx, s.q("DELETE FROM refresh_state_references WHERE target_entity_ref = ?"), ref); err != nil {
			return err
		}
		_, err = s.deleteEntities(ctx, tx, []string{ref})
		return err
	})
	return found, err
}
