package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/portico-dev/portico/framework/apierr/errkind"
	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/plugins/catalog/query"
	"github.com/portico-dev/portico/plugins/catalog/store"
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
	return e.st.RefreshKeys(ctx, keys, e.now())
}

func (e *Engine) listLocations(ctx context.Context) ([]model.Location, error) {
	return e.st.ListLocations(ctx)
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
	existingID, err := e.st.LocationID(ctx, typ, target)
	if err != nil {
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
	if err := e.st.InsertLocation(ctx, loc); err != nil {
		if errors.Is(err, store.ErrExists) {
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
				data, err := c.Data()
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
	loc, found, err := e.st.DeleteLocation(ctx, id)
	if err != nil {
		return fmt.Errorf("remove location: %w", err)
	}
	if !found {
		return fmt.Errorf("%w: Found no location with ID %s", model.ErrNotFound, id)
	}
	typ, target := loc.Type, loc.Target
	return e.applyMutation(ctx, RegisteredLocationProviderName, DeltaMutation(nil, []DeferredEntity{locationDeferred(typ, target)}))
}

// Refresh schedules an entity and all its ancestors (the files and locations that produced
// it) for processing now, bypassing the unchanged-input shortcut.
func (e *Engine) Refresh(ctx context.Context, entityRef string) error {
	ref, err := model.NormalizeEntityRef(entityRef)
	if err != nil {
		return invalidf("%s", err.Error())
	}
	found, err := e.st.EntityExists(ctx, ref)
	if err != nil {
		return fmt.Errorf("refresh: %w", err)
	}
	if !found {
		return fmt.Errorf("%w: Entity %s not found", model.ErrNotFound, ref)
	}
	all, err := e.ancestors(ctx, ref)
	if err != nil {
		return err
	}
	return e.st.RefreshRefs(ctx, all, e.now())
}

// ancestors returns ref and every entity above it in the reference graph.
func (e *Engine) ancestors(ctx context.Context, ref string) ([]string, error) {
	seen := map[string]bool{ref: true}
	frontier := []string{ref}
	for len(frontier) > 0 && len(seen) < 10_000 {
		parents, err := e.st.Parents(ctx, frontier)
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
	found, err := e.st.DeleteEntity(ctx, uid)
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("%w: Entity with uid %s not found", model.ErrNotFound, uid)
	}
	return nil
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
