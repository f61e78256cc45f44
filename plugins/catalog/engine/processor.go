package engine

import (
	"context"
	"encoding/json"

	"github.com/portico-dev/portico/plugins/catalog/model"
)

// Processor is one step of the processing pipeline. A processor implements any of
// PreProcessor, KindValidator, LocationReader and PostProcessor; the engine calls the hooks
// it has, in registration order (built-ins first).
type Processor interface {
	Name() string
}

// PreProcessor may change an entity before validation (placeholders, annotations).
type PreProcessor interface {
	PreProcessEntity(ctx context.Context, e *model.Entity, pc *ProcessContext) (*model.Entity, error)
}

// KindValidator recognises entities of kinds the model does not know. The first processor
// answering true accepts the entity.
type KindValidator interface {
	ValidateEntityKind(ctx context.Context, e *model.Entity) (bool, error)
}

// LocationReader reads a location and emits the entities (and errors) it holds. It returns
// false when it does not handle the location's type.
type LocationReader interface {
	ReadLocation(ctx context.Context, loc model.LocationRef, optional bool, emit Emitter) (bool, error)
}

// PostProcessor runs after validation; it typically emits relations.
type PostProcessor interface {
	PostProcessEntity(ctx context.Context, e *model.Entity, pc *ProcessContext) (*model.Entity, error)
}

// ProcessContext is what a processor knows about the entity being processed.
type ProcessContext struct {
	// Location is the location that read the entity (managed-by-location).
	Location model.LocationRef
	// OriginLocation is the root location (managed-by-origin-location).
	OriginLocation model.LocationRef
	// Emit collects children, relations, errors, refresh keys and inputs.
	Emit Emitter
	// RemoteOnly is set when the entity's annotations come from a caller (validate-entity):
	// whatever its location says, reads made for it must reach remote sources only
	// (urlreader.Reader.Remote).
	RemoteOnly bool
}

// Emitter collects what processing produces besides the entity itself.
type Emitter interface {
	// Entity emits a child entity read from loc; locationKey "" means loc's string form.
	Entity(loc model.LocationRef, e *model.Entity, locationKey string)
	// Relation emits a relation, stored with the processed entity as its originator.
	Relation(r model.RelationSpec)
	// Error records a processing error; the entity's result is then not ok.
	Error(loc model.LocationRef, err model.SerializedError)
	// Refresh registers a refresh key for the entity.
	Refresh(key string)
	// Input records an external input (a URL and its version, e.g. an ETag) the result depends
	// on. When every input is unchanged on the next run, processing is skipped.
	Input(key, version string)
	// TrustedOrigin reports whether the entity comes from one of the operator's
	// catalog.locations (and not from a caller): local reads made for it (its Location
	// targets, its placeholders) go through the reader's Trusted view, as Backstage trusts
	// every file under a config location.
	TrustedOrigin() bool
}

// InputError returns a serialized InputError.
func InputError(msg string) model.SerializedError {
	return model.SerializedError{Name: model.ErrorNameInputError, Message: msg}
}

// NotFoundError returns a serialized NotFoundError.
func NotFoundError(msg string) model.SerializedError {
	return model.SerializedError{Name: "NotFoundError", Message: msg}
}

// GeneralError returns a serialized Error.
func GeneralError(msg string) model.SerializedError {
	return model.SerializedError{Name: model.ErrorNameError, Message: msg}
}

// collector is the Emitter of one processing run.
type collector struct {
	validator *model.Validator
	origin    model.LocationRef
	children  []child
	relations []model.RelationSpec
	errors    []model.SerializedError
	keys      []string
	inputs    map[string]string
	spill     *spill
	// remoteOnly: see ProcessContext.RemoteOnly.
	remoteOnly bool
	// trusted: see Emitter.TrustedOrigin.
	trusted bool

	lastLoc    model.LocationRef
	lastLocStr string
	originStr  string
}

type child struct {
	entity      *model.Entity
	json        []byte // the raw document, encoded at emission (keeps memory small)
	envelope    model.Problems
	locationKey string
	location    string // the managed-by-location annotation
	// spilled children keep their JSON in the collector's spill file.
	spilled bool
	hash    string
	off     int64
	n       int
}

// valueEmitter is implemented by the engine's collector: children emitted as raw documents
// keep exactly what the author wrote (a wrongly typed field is reported, not dropped).
type valueEmitter interface {
	EntityValue(loc model.LocationRef, ent *model.Entity, value map[string]any, locationKey string)
}

func (c *collector) EntityValue(loc model.LocationRef, ent *model.Entity, value map[string]any, locationKey string) {
	locStr := c.locString(loc)
	md, _ := value["metadata"].(map[string]any)
	if md != nil {
		ann, ok := md["annotations"].(map[string]any)
		if !ok {
			ann = map[string]any{}
			md["annotations"] = ann
		}
		ann[model.AnnotationManagedByLocation] = locStr
		if c.originStr == "" {
			c.originStr = c.origin.String()
		}
		ann[model.AnnotationManagedByOriginLocation] = c.originStr
	}
	if locationKey == "" {
		locationKey = locStr
	}
	if _, ok := value["metadata"].(map[string]any); ok {
		if _, ok := md["namespace"]; !ok {
			md["namespace"] = model.DefaultNamespace
		}
	}
	data, err := json.Marshal(value)
	if err != nil {
		c.errors = append(c.errors, GeneralError("encode entity: "+err.Error()))
		return
	}
	// Only what the parent still needs is kept: the ref (and kind) for rules and the bytes.
	light := &model.Entity{APIVersion: ent.APIVersion, Kind: ent.Kind, Metadata: model.Metadata{Name: ent.Metadata.Name, Namespace: ent.Metadata.Namespace}}
	ch := child{entity: light, json: data, envelope: c.validator.ValidateEnvelope(value), locationKey: locationKey, location: locStr}
	if len(c.children) >= spillAfter {
		if err := c.spillChild(&ch); err != nil {
			c.errors = append(c.errors, GeneralError(err.Error()))
			return
		}
	}
	c.children = append(c.children, ch)
}

// spillChild moves a child's JSON to the spill file, keeping its hash.
func (c *collector) spillChild(ch *child) error {
	if c.spill == nil {
		s, err := newSpill()
		if err != nil {
			return err
		}
		c.spill = s
	}
	off, err := c.spill.write(ch.json)
	if err != nil {
		return err
	}
	ch.spilled, ch.hash, ch.off, ch.n, ch.json = true, sha1Hex(ch.json), off, len(ch.json), nil
	return nil
}

func (c *collector) Entity(loc model.LocationRef, e *model.Entity, locationKey string) {
	e.SetAnnotation(model.AnnotationManagedByLocation, loc.String())
	e.SetAnnotation(model.AnnotationManagedByOriginLocation, c.origin.String())
	if locationKey == "" {
		locationKey = loc.String()
	}
	c.children = append(c.children, child{entity: e, locationKey: locationKey, location: loc.String()})
}

// locString is loc.String(), shared by the many children one file emits.
func (c *collector) locString(loc model.LocationRef) string {
	if c.lastLoc != loc || c.lastLocStr == "" {
		c.lastLoc, c.lastLocStr = loc, loc.String()
	}
	return c.lastLocStr
}

func (c *collector) Relation(r model.RelationSpec) { c.relations = append(c.relations, r) }

func (c *collector) Error(_ model.LocationRef, err model.SerializedError) {
	c.errors = append(c.errors, err)
}

func (c *collector) Refresh(key string) { c.keys = append(c.keys, key) }

func (c *collector) TrustedOrigin() bool { return c.trusted }

func (c *collector) Input(key, version string) {
	if c.inputs == nil {
		c.inputs = map[string]string{}
	}
	c.inputs[key] = version
}
