package engine

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/plugins/catalog/store"
)

// relRow is one row of the relations table.
type relRow = store.RelationRow

// childOut is a child entity ready to be written to refresh_state (its JSON may be in the
// run's spill file: use Data).
type childOut = store.Child

// outcome is the result of processing one entity.
type outcome struct {
	OK         bool
	Entity     *model.Entity
	JSON       []byte // processed entity JSON (without uid)
	Children   []childOut
	Relations  []relRow
	Errors     []model.SerializedError
	Keys       []string
	Inputs     map[string]string
	ResultHash string
	spill      *spill // holds spilled children's JSON; closed once the outcome is written
}

// processEntity runs the pipeline over one unprocessed entity, in Backstage's order.
// A successful outcome owns the run's spill file (close it once written).
func (e *Engine) processEntity(ctx context.Context, raw []byte) outcome {
	return e.processWith(ctx, raw, false)
}

// processWith processes one entity; remoteOnly marks an entity whose annotations a caller
// wrote (validate-entity), so none of its reads may reach the server's disk.
func (e *Engine) processWith(ctx context.Context, raw []byte, remoteOnly bool) outcome {
	col := &collector{validator: e.validator, remoteOnly: remoteOnly}
	out := e.runPipeline(ctx, raw, col)
	if out.OK {
		out.spill = col.spill
	} else {
		col.spill.close()
	}
	return out
}

func (e *Engine) runPipeline(ctx context.Context, raw []byte, col *collector) outcome {
	var out outcome
	fail := func(errs ...model.SerializedError) outcome {
		out.OK = false
		out.Errors = append(out.Errors, errs...)
		out.ResultHash = hashResult(&out)
		return out
	}
	value, err := model.ParseEntityJSON(raw)
	if err != nil {
		return fail(InputError("Failed to parse entity JSON, " + err.Error()))
	}
	if ps := e.validator.ValidateEnvelope(value); len(ps) > 0 {
		return fail(ps[0].ProcessingError(""))
	}
	ent, _ := model.DecodeEntity(value)
	if ent == nil {
		return fail(InputError(model.MessageEnvelopeFailed))
	}
	model.SetDefaults(ent)
	startRef := ent.Ref().String()

	loc, err := annotationLocation(ent, model.AnnotationManagedByLocation)
	if err != nil {
		return fail(InputError(err.Error()))
	}
	origin, err := annotationLocation(ent, model.AnnotationManagedByOriginLocation)
	if err != nil {
		return fail(InputError(err.Error()))
	}
	col.origin = origin
	col.trusted = e.configLocations[origin.String()] && !col.remoteOnly
	if refused := e.refusedOrigin(ctx, origin); refused != nil {
		return fail(*refused)
	}
	pc := &ProcessContext{Location: loc, OriginLocation: origin, Emit: col, RemoteOnly: col.remoteOnly}

	for _, p := range e.processors {
		pre, ok := p.(PreProcessor)
		if !ok {
			continue
		}
		next, err := pre.PreProcessEntity(ctx, ent, pc)
		if err != nil {
			out.Inputs = col.inputs
			return fail(wrapError("Processor "+p.Name()+" threw an error while preprocessing", err))
		}
		if next != nil {
			ent = next
		}
	}
	out.Inputs = col.inputs
	model.SetDefaults(ent)

	if ps := e.validator.ValidateValue(ent.Value()); len(ps) > 0 {
		if first, rest := ps[0], ps[1:]; first.Stage == model.StageKind && first.Message == model.MessageNoKindValidator {
			accepted, err := e.customKind(ctx, ent)
			if err != nil {
				return fail(wrapError("Processor threw an error while validating the entity "+startRef, err))
			}
			if !accepted {
				return fail(first.ProcessingError(startRef))
			}
			if len(rest) > 0 && rest[0].Stage != model.StageKind {
				return fail(rest[0].ProcessingError(startRef))
			}
		} else {
			return fail(first.ProcessingError(startRef))
		}
	}
	if ent.Ref().String() != startRef {
		return fail(model.SerializedError{Name: "ConflictError", Message: "Fatal: The entity kind, namespace, or name changed during processing"})
	}

	if ent.Kind == model.KindLocation {
		if errs := e.readLocationEntity(ctx, ent, pc, col); len(errs) > 0 {
			out.Inputs = col.inputs
			return fail(errs...)
		}
	}
	out.Inputs = col.inputs

	for _, p := range e.processors {
		post, ok := p.(PostProcessor)
		if !ok {
			continue
		}
		next, err := post.PostProcessEntity(ctx, ent, pc)
		if err != nil {
			return fail(wrapError("Processor "+p.Name()+" threw an error while postprocessing", err))
		}
		if next != nil {
			ent = next
		}
	}
	out.Inputs = col.inputs
	if len(col.errors) > 0 {
		return fail(col.errors...)
	}

	for _, c := range col.children {
		if len(c.envelope) > 0 {
			return fail(c.envelope[0].ProcessingError(""))
		}
	}
	// Catalog rules: a disallowed child fails the whole parent.
	for _, c := range col.children {
		if !e.rules.isAllowed(c.entity, origin) {
			return fail(model.SerializedError{Name: "NotAllowedError", Message: fmt.Sprintf(
				"Entity %s at %s, originated at %s, is not of an allowed kind for that location",
				c.entity.Ref().String(), c.location, origin.String())})
		}
	}

	out.OK = true
	out.Entity = ent
	ent.Metadata.UID = ""
	ent.Metadata.Etag = ""
	ent.Relations = nil
	ent.Status = nil
	out.JSON, err = json.Marshal(ent)
	if err != nil {
		return fail(GeneralError("encode processed entity: " + err.Error()))
	}
	for _, c := range col.children {
		model.SetDefaults(c.entity)
		if c.spilled {
			out.Children = append(out.Children, childOut{Ref: c.entity.Ref().String(), Hash: c.hash, LocationKey: c.locationKey,
				Spill: col.spill, Off: c.off, N: c.n})
			continue
		}
		data := c.json
		if data == nil {
			data, err = json.Marshal(c.entity)
		}
		if err != nil {
			return fail(GeneralError("encode child entity: " + err.Error()))
		}
		out.Children = append(out.Children, childOut{Ref: c.entity.Ref().String(), JSON: data, Hash: sha1Hex(data), LocationKey: c.locationKey})
	}
	seen := map[relRow]bool{}
	for _, r := range col.relations {
		row := relRow{Source: r.Source.String(), Type: r.Type, Target: r.Target.String()}
		if !seen[row] {
			seen[row] = true
			out.Relations = append(out.Relations, row)
		}
	}
	out.Keys = col.keys
	out.ResultHash = hashResult(&out)
	return out
}

func (e *Engine) customKind(ctx context.Context, ent *model.Entity) (bool, error) {
	for _, p := range e.processors {
		kv, ok := p.(KindValidator)
		if !ok {
			continue
		}
		accepted, err := kv.ValidateEntityKind(ctx, ent)
		if err != nil {
			return false, err
		}
		if accepted {
			return true, nil
		}
	}
	return false, nil
}

// refusedOrigin returns the error for an entity that originates from a location registered
// through the API (the locations table) with a type catalog.allowedLocationTypes does not allow:
// one registered before the type was refused (file, by older versions), or before the
// operator narrowed the list. Nothing is read on its behalf (neither the location's targets nor
// its entities' placeholders); the error lands on the location's generated Location entity
// (and on entities an older version read from it), like other location errors. Locations
// from catalog.locations are the operator's and stay trusted whatever their type, and other
// providers' locations are not in the table. This is the one place that decision is made.
func (e *Engine) refusedOrigin(ctx context.Context, origin model.LocationRef) *model.SerializedError {
	if slices.Contains(e.opts.AllowedLocationTypes, origin.Type) || e.configLocations[origin.String()] {
		return nil
	}
	registered, err := e.ps.locationRegistered(ctx, origin)
	if err != nil {
		// Fail closed: the location is not read while the question cannot be answered.
		ser := InputError(fmt.Sprintf("Location %s was not read: could not check whether it is a registered location: %v", origin.String(), err))
		return &ser
	}
	if !registered {
		return nil
	}
	allowed, _ := json.Marshal(e.opts.AllowedLocationTypes)
	ser := InputError(fmt.Sprintf("Location %s was registered with type %s, which is not an allowed location type %s (catalog.allowedLocationTypes); it is not read. Unregister it, or list it in catalog.locations", origin.String(), origin.Type, allowed))
	return &ser
}

// readLocationEntity is the special step for kind Location: read every target.
func (e *Engine) readLocationEntity(ctx context.Context, ent *model.Entity, pc *ProcessContext, col *collector) []model.SerializedError {
	loc := pc.Location
	typ, _ := ent.Spec["type"].(string)
	if typ == "" {
		typ = loc.Type
	}
	var targets []string
	if t, ok := ent.Spec["target"].(string); ok && t != "" {
		targets = append(targets, t)
	}
	if ts, ok := ent.Spec["targets"].([]any); ok {
		for _, t := range ts {
			if s, ok := t.(string); ok {
				targets = append(targets, s)
			}
		}
	}
	var errs []model.SerializedError
	if typ == model.LocationTypeFile && (loc.Type != model.LocationTypeFile || pc.RemoteOnly) {
		// A descriptor read from elsewhere (a url location: remote, user-controlled content) or
		// handed in by a caller must not lead to the server's disk; file locations come from
		// the operator's config or from other file locations. (url targets are always read
		// remote only.)
		return append(errs, InputError(fmt.Sprintf("Location %s cannot lead to locations of type file; only file locations can", loc.String())))
	}
	for _, target := range targets {
		resolved, err := resolveTarget(typ, target, loc)
		if err != nil {
			errs = append(errs, InputError(err.Error()))
			continue
		}
		ref := model.LocationRef{Type: typ, Target: resolved}
		handled := false
		for _, p := range e.processors {
			lr, ok := p.(LocationReader)
			if !ok {
				continue
			}
			h, err := lr.ReadLocation(ctx, ref, false, col)
			if err != nil {
				errs = append(errs, wrapError("Processor "+p.Name()+" threw an error while reading "+ref.String(), err))
				handled = true
				break
			}
			if h {
				handled = true
				break
			}
		}
		if !handled {
			errs = append(errs, InputError("No processor was able to handle reading of "+ref.String()))
		}
	}
	return errs
}

// resolveTarget resolves a Location target relative to the location that read the entity.
func resolveTarget(typ, target string, base model.LocationRef) (string, error) {
	switch typ {
	case model.LocationTypeFile:
		if strings.HasSuffix(target, "/") {
			return "", fmt.Errorf("LocationEntityProcessor cannot handle a target with a trailing path separator, %s", target)
		}
		if path.IsAbs(target) || base.Type != model.LocationTypeFile {
			return target, nil
		}
		return path.Join(path.Dir(base.Target), target), nil
	case model.LocationTypeURL:
		if base.Type != model.LocationTypeURL {
			return target, nil
		}
		return resolveURL(base.Target, target)
	default:
		return target, nil
	}
}

func annotationLocation(ent *model.Entity, key string) (model.LocationRef, error) {
	v, ok := ent.Annotation(key)
	if !ok || v == "" {
		return model.LocationRef{}, fmt.Errorf("Entity '%s' does not have the annotation %s", ent.Ref().String(), key) //nolint:staticcheck // Backstage's wording
	}
	ref, err := model.ParseLocationRef(v)
	if err != nil {
		return model.LocationRef{}, fmt.Errorf("Entity '%s' has an invalid %s annotation, %s", ent.Ref().String(), key, err.Error()) //nolint:staticcheck // Backstage's wording
	}
	return ref, nil
}

// wrapError wraps a processor's error as Backstage's orchestrator does.
func wrapError(msg string, err error) model.SerializedError {
	cause := &model.SerializedError{Name: model.ErrorNameError, Message: err.Error()}
	var pe *ProcessingError
	if asProcessingError(err, &pe) {
		c := pe.Serialized
		cause = &c
	}
	return model.SerializedError{Name: model.ErrorNameInputError, Message: msg + "; caused by " + cause.Name + ": " + cause.Message, Cause: cause}
}

func sha1Hex(b []byte) string {
	s := sha1.Sum(b)
	return hex.EncodeToString(s[:])
}

// hashResult hashes everything a processing run produced, so an identical rerun writes nothing.
func hashResult(o *outcome) string {
	h := sha1.New()
	enc := json.NewEncoder(h)
	_ = enc.Encode(o.OK)
	_ = enc.Encode(o.Errors)
	h.Write(o.JSON)
	for _, c := range o.Children {
		h.Write([]byte("\x00c" + c.Ref + "\x00" + c.Hash + "\x00" + c.LocationKey))
	}
	rels := slices.Clone(o.Relations)
	sort.Slice(rels, func(i, j int) bool {
		a, b := rels[i], rels[j]
		if a.Source != b.Source {
			return a.Source < b.Source
		}
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		return a.Target < b.Target
	})
	for _, r := range rels {
		h.Write([]byte("\x00r" + r.Source + "\x00" + r.Type + "\x00" + r.Target))
	}
	for _, k := range o.Keys {
		h.Write([]byte("\x00k" + k))
	}
	return hex.EncodeToString(h.Sum(nil))
}
