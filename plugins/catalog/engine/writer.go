package engine

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/portico-dev/portico/framework/apierr/errkind"
	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/plugins/catalog/query"
	"github.com/portico-dev/portico/plugins/catalog/wire"
)

// ErrInvalid is wrapped by errors caused by bad input (Backstage's InputError): a location
// that cannot be processed in a dry run, an invalid location or entity ref. Such errors are
// also a *query.InputError; both are of the kind errkind.Input, which apierr answers with 400.
var ErrInvalid = errkind.New(errkind.Input, "invalid input")

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %w", ErrInvalid, &query.InputError{Message: fmt.Sprintf(format, args...)})
}

// maxDryRunEntities bounds what a dry run processes in memory.
const maxDryRunEntities = 10_000

// refreshKeys schedules the entities that registered any of keys.
func (e *Engine) refreshKeys(ctx context.Context, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	return e.execIn(ctx, e.db, `UPDATE refresh_state SET next_update_at = ?, processed_input_hash = NULL
		WHERE entity_id IN (SELECT entity_id FROM refresh_keys WHERE key IN (%s))`, dedupe(keys), database.NewNullTime(e.now()))
}

func (e *Engine) listLocations(ctx context.Context) ([]model.Location, error) {
	rows, err := e.db.QueryContext(ctx, "SELECT id, type, target FROM locations ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("list locations: %w", err)
	}
	defer rows.Close()
	var out []model.Location
	for rows.Next() {
		var l model.Location
		if err := rows.Scan(&l.ID, &l.Type, &l.Target); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// AddLocation registers a location of one of Options.AllowedLocationTypes (url only by
// default). With dryRun nothing is stored: the location is processed in memory, recursively,
// and the entities it would produce are returned. It fails with model.ErrConflict when the
// location is already registered.
func (e *Engine) AddLocation(ctx context.Context, typ, target string, dryRun bool) (wire.AddLocationResult, error) {
	if typ == "" || target == "" {
		return wire.AddLocationResult{}, invalidf("Location must have a type and a target")
	}
	if !slices.Contains(e.opts.AllowedLocationTypes, typ) {
		allowed, _ := json.Marshal(e.opts.AllowedLocationTypes)
		return wire.AddLocationResult{}, invalidf("Registered locations must be of an allowed type %s", allowed)
	}
	var existingID string
	err := e.db.QueryRowContext(ctx, e.q("SELECT id FROM locations WHERE type = ? AND target = ?"), typ, target).Scan(&existingID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return wire.AddLocationResult{}, fmt.Errorf("add location: %w", err)
	}
	exists := existingID != ""
	if dryRun {
		loc := model.Location{ID: existingID, Type: typ, Target: target}
		if loc.ID == "" {
			loc.ID = newID()
		}
		entities, err := e.dryRun(ctx, typ, target)
		if err != nil {
			return wire.AddLocationResult{}, err
		}
		return wire.AddLocationResult{Location: loc, Entities: entities, Exists: exists}, nil
	}
	if exists {
		return wire.AddLocationResult{}, fmt.Errorf("%w: Location %s:%s already exists", model.ErrConflict, typ, target)
	}
	loc := model.Location{ID: newID(), Type: typ, Target: target}
	if _, err := e.db.ExecContext(ctx, e.q("INSERT INTO locations (id, type, target) VALUES (?, ?, ?)"), loc.ID, typ, target); err != nil {
		if database.IsUniqueViolation(err) {
			return wire.AddLocationResult{}, fmt.Errorf("%w: Location %s:%s already exists", model.ErrConflict, typ, target)
		}
		return wire.AddLocationResult{}, fmt.Errorf("add location: %w", err)
	}
	if err := e.applyMutation(ctx, RegisteredLocationProviderName, DeltaMutation([]DeferredEntity{locationDeferred(typ, target)}, nil)); err != nil {
		return wire.AddLocationResult{}, err
	}
	return wire.AddLocationResult{Location: loc, Entities: []json.RawMessage{}}, nil
}

// dryRun processes a location and everything it leads to in memory.
func (e *Engine) dryRun(ctx context.Context, typ, target string) ([]json.RawMessage, error) {
	root, err := json.Marshal(LocationEntity(typ, target))
	if err != nil {
		return nil, err
	}
	queue := [][]byte{root}
	seen := map[string]bool{}
	var out []json.RawMessage
	for len(queue) > 0 && len(out) < maxDryRunEntities {
		raw := queue[0]
		queue = queue[1:]
		res := e.processEntity(ctx, raw)
		if !res.OK {
			msgs := ""
			for i, er := range res.Errors {
				if i > 0 {
					msgs += ", "
				}
				msgs += er.Name + ": " + er.Message
			}
			return nil, invalidf("%s", msgs)
		}
		out = append(out, json.RawMessage(res.JSON))
		for _, c := range res.Children {
			if !seen[c.Ref] {
				seen[c.Ref] = true
				data, err := c.data()
				if err != nil {
					res.spill.close()
					return nil, err
				}
				queue = append(queue, data)
			}
		}
		res.spill.close()
	}
	return out, nil
}

// RemoveLocation unregisters a location and eagerly removes what only it produced.
func (e *Engine) RemoveLocation(ctx context.Context, id string) error {
	var typ, target string
	err := e.db.QueryRowContext(ctx, e.q("SELECT type, target FROM locations WHERE id = ?"), id).Scan(&typ, &target)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: Found no location with ID %s", model.ErrNotFound, id)
	}
	if err != nil {
		return fmt.Errorf("remove location: %w", err)
	}
	if _, err := e.db.ExecContext(ctx, e.q("DELETE FROM locations WHERE id = ?"), id); err != nil {
		return fmt.Errorf("remove location: %w", err)
	}
	return e.applyMutation(ctx, RegisteredLocationProviderName, DeltaMutation(nil, []DeferredEntity{locationDeferred(typ, target)}))
}

// Refresh schedules an entity and all its ancestors (the files and locations that produced
// it) for processing now, bypassing the unchanged-input shortcut.
func (e *Engine) Refresh(ctx context.Context, entityRef string) error {
	ref, err := model.NormalizeEntityRef(entityRef)
	if err != nil {
		return invalidf("%s", err.Error())
	}
	var id string
	if err := e.db.QueryRowContext(ctx, e.q("SELECT entity_id FROM refresh_state WHERE entity_ref = ?"), ref).Scan(&id); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: Entity %s not found", model.ErrNotFound, ref)
		}
		return fmt.Errorf("refresh: %w", err)
	}
	all, err := e.ancestors(ctx, ref)
	if err != nil {
		return err
	}
	return e.execIn(ctx, e.db, "UPDATE refresh_state SET next_update_at = ?, processed_input_hash = NULL WHERE entity_ref IN (%s)", all, database.NewNullTime(e.now()))
}

// ancestors returns ref and every entity above it in the reference graph.
func (e *Engine) ancestors(ctx context.Context, ref string) ([]string, error) {
	seen := map[string]bool{ref: true}
	frontier := []string{ref}
	for len(frontier) > 0 && len(seen) < 10_000 {
		parents, err := e.queryStrings(ctx, e.db, "SELECT source_entity_ref FROM refresh_state_references WHERE source_entity_ref IS NOT NULL AND target_entity_ref IN (%s)", frontier)
		if err != nil {
			return nil, fmt.Errorf("ancestors: %w", err)
		}
		frontier = frontier[:0]
		for _, p := range parents {
			if !seen[p] {
				seen[p] = true
				frontier = append(frontier, p)
			}
		}
	}
	return slices.Sorted(maps.Keys(seen)), nil
}

// DeleteEntityByUID removes an entity. Its children become orphans; a parent that still
// emits it brings it back on the parent's next processing.
func (e *Engine) DeleteEntityByUID(ctx context.Context, uid string) error {
	return e.inTx(ctx, func(tx *sql.Tx) error {
		var ref string
		err := tx.QueryRowContext(ctx, e.q("SELECT entity_ref FROM refresh_state WHERE entity_id = ?"), uid).Scan(&ref)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: Entity with uid %s not found", model.ErrNotFound, uid)
		}
		if err != nil {
			return fmt.Errorf("delete entity: %w", err)
		}
		parents, err := e.queryStrings(ctx, tx, "SELECT source_entity_ref FROM refresh_state_references WHERE source_entity_ref IS NOT NULL AND target_entity_ref IN (%s)", []string{ref})
		if err != nil {
			return err
		}
		// Parents must write their results again for the entity to come back.
		if err := e.execIn(ctx, tx, "UPDATE refresh_state SET result_hash = NULL, processed_input_hash = NULL WHERE entity_ref IN (%s)", parents); err != nil {
			return err
		}
		e.referencesRemoved()
		if _, err := tx.ExecContext(ctx, e.q("DELETE FROM refresh_state_references WHERE target_entity_ref = ?"), ref); err != nil {
			return err
		}
		_, err = e.deleteEntities(ctx, tx, []string{ref})
		return err
	})
}

// ValidateEntity runs the processing pipeline over an entity as if it had been read from
// locationRef, without storing anything. It returns the processing errors (none when valid).
func (e *Engine) ValidateEntity(ctx context.Context, entity json.RawMessage, locationRef string) ([]model.SerializedError, error) {
	loc, err := model.ParseLocationRef(locationRef)
	if err != nil {
		return nil, invalidf("%s", err.Error())
	}
	var v any
	if err := json.Unmarshal(entity, &v); err != nil {
		return nil, invalidf("Malformed entity, %s", err.Error())
	}
	m, ok := v.(map[string]any)
	if !ok {
		return []model.SerializedError{InputError(model.MessageEnvelopeFailed)}, nil
	}
	if md, ok := m["metadata"].(map[string]any); ok {
		ann, ok := md["annotations"].(map[string]any)
		if !ok {
			ann = map[string]any{}
			md["annotations"] = ann
		}
		for _, k := range []string{model.AnnotationManagedByLocation, model.AnnotationManagedByOriginLocation} {
			if _, set := ann[k]; !set {
				ann[k] = loc.String()
			}
		}
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	// The caller wrote the entity and may have written its location annotations: its reads
	// are remote only, whatever location it names.
	res := e.processWith(ctx, raw, true)
	res.spill.close()
	if res.OK {
		return nil, nil
	}
	return res.Errors, nil
}
