package model

import (
	"maps"
	"slices"
)

// Options configure a [Validator].
type Options struct {
	// Kinds are added after the built-in kinds. When several kinds accept an entity, the first
	// one registered wins, as the first of Backstage's processors that recognises an entity does.
	Kinds []Kind
	// NoBuiltinKinds leaves the built-in kinds out, so only Kinds are recognised.
	NoBuiltinKinds bool
}

// Validator checks entities as a stock Backstage catalog does and derives their relations. It
// is the registry of kinds: an entity whose kind and apiVersion no registered [Kind] accepts is
// rejected. A Validator is immutable and safe for concurrent use.
type Validator struct {
	kinds    []Kind
	envelope *Schema
	entity   *Schema
}

// NewValidator returns a validator for the built-in kinds plus opts.Kinds.
func NewValidator(opts Options) *Validator {
	v := &Validator{envelope: envelopeSchema(), entity: entitySchema()}
	if !opts.NoBuiltinKinds {
		v.kinds = BuiltinKinds()
	}
	v.kinds = append(v.kinds, opts.Kinds...)
	return v
}

// WithKinds returns a validator that also recognises kinds (after the existing ones).
func (v *Validator) WithKinds(kinds ...Kind) *Validator {
	c := *v
	c.kinds = append(slices.Clip(v.kinds), kinds...)
	return &c
}

// Kinds returns the registered kinds in the order they are tried.
func (v *Validator) Kinds() []Kind {
	return slices.Clone(v.kinds)
}

// KindFor returns the kind definition that accepts an entity with this apiVersion and kind.
func (v *Validator) KindFor(apiVersion, kind string) (Kind, bool) {
	for i := range v.kinds {
		if v.kinds[i].accepts(apiVersion, kind) {
			return v.kinds[i], true
		}
	}
	return Kind{}, false
}

// Validate checks a typed entity; see [Validator.ValidateValue].
func (v *Validator) Validate(e *Entity) Problems {
	return v.ValidateValue(e.Value())
}

// ValidateValue checks the generic JSON form of an entity and returns every problem found, in
// the order Backstage's pipeline meets them:
//
//  1. the envelope check done before processing (apiVersion, kind, metadata.name);
//  2. the default entity policies: SchemaValidEntityPolicy, NoForeignRootFieldsEntityPolicy,
//     FieldFormatEntityPolicy (DefaultNamespaceEntityPolicy only fills in the namespace, see
//     [SetDefaults]);
//  3. kind validation: the first registered kind accepting the kind and apiVersion checks the
//     spec; if none does, the entity is rejected.
//
// Backstage stops at the first failure; this reports all of them, but never reports a value
// twice: once a value is found invalid, later checks of the same value are skipped. Nothing is
// modified.
func (v *Validator) ValidateValue(value any) Problems {
	c := checker{}
	root, ok := asObject(value)
	if !ok {
		c.schemaProblems(StageEnvelope, "", v.envelope.validate(value, "", nil, nil))
		return c.problems
	}
	c.schemaProblems(StageEnvelope, "", v.envelope.validate(root, "", nil, nil))
	for _, p := range identityNUL(root) {
		c.add(p)
	}
	// NUL anywhere else is a policy failure of the entity itself (like a malformed field), so
	// its siblings in a location are not held back.
	for _, p := range nulProblems(StagePolicy, root) {
		if !c.flagged[p.Path] {
			c.add(p)
		}
	}
	c.schemaProblems(StagePolicy, "Malformed envelope, ", v.entity.validate(root, "", c.flaggedFunc(), nil))
	c.noForeignRootFields(root)
	c.fieldFormat(root)
	v.checkKind(&c, root)
	return c.problems
}

// ValidateEnvelope runs only the envelope check Backstage does before processing an entity:
// an object with string apiVersion and kind and a metadata object with a string name (and, if
// present, a string namespace). Entities failing it cannot be given a reference. A NUL
// character in one of those fields fails it too: no database row can be keyed by such a
// reference (PostgreSQL refuses NUL in text).
func (v *Validator) ValidateEnvelope(value any) Problems {
	c := checker{}
	c.schemaProblems(StageEnvelope, "", v.envelope.validate(value, "", nil, nil))
	for _, p := range identityNUL(value) {
		c.add(p)
	}
	return c.problems
}

func (v *Validator) checkKind(c *checker, root map[string]any) {
	kind, kindOK := root["kind"].(string)
	apiVersion, versionOK := root["apiVersion"].(string)
	var k *Kind
	if kindOK && versionOK {
		for i := range v.kinds {
			if v.kinds[i].accepts(apiVersion, kind) {
				k = &v.kinds[i]
				break
			}
		}
	}
	if k == nil {
		if !c.flagged["/kind"] && !c.flagged["/apiVersion"] && !c.flagged[""] {
			c.add(Problem{Stage: StageKind, Path: "/kind", Message: MessageNoKindValidator, ErrorName: ErrorNameError})
		}
		return
	}
	add := func(errs []schemaError) {
		for _, e := range errs {
			c.add(Problem{Stage: StageKind, Path: e.at, Message: e.text(true), ErrorName: ErrorNameTypeError, Processor: k.processor()})
		}
	}
	spec, hasSpec := root["spec"]
	switch {
	case !hasSpec && !k.SpecOptional:
		if !c.flagged["/spec"] {
			add([]schemaError{{at: "/spec", message: "must have required property 'spec'", params: "missingProperty: spec"}})
		}
	case hasSpec && k.Spec != nil:
		add(k.Spec.validate(spec, "/spec", c.flaggedFunc(), nil))
	}
	if k.Check != nil {
		for _, p := range k.Check(root) {
			if p.Stage == "" {
				p.Stage = StageKind
			}
			if p.Processor == "" {
				p.Processor = k.processor()
			}
			c.add(p)
		}
	}
}

// checker collects problems and remembers which values were found invalid.
type checker struct {
	problems Problems
	flagged  map[string]bool
}

func (c *checker) add(p Problem) {
	if c.flagged == nil {
		c.flagged = map[string]bool{}
	}
	c.flagged[p.Path] = true
	c.problems = append(c.problems, p)
}

func (c *checker) flaggedFunc() func(string) bool {
	return func(p string) bool { return c.flagged[p] }
}

func (c *checker) schemaProblems(stage Stage, prefix string, errs []schemaError) {
	for _, e := range errs {
		// The envelope check reports like throwAjvError (with params); the schema policy like
		// SchemaValidEntityPolicy (with a prefix, without params).
		p := Problem{Stage: stage, Path: e.at, ErrorName: ErrorNameError}
		if stage == StageEnvelope {
			p.Message = e.text(true)
			p.ErrorName = ErrorNameTypeError
		} else {
			p.Message = prefix + e.text(false)
		}
		c.add(p)
	}
}

// noForeignRootFields is NoForeignRootFieldsEntityPolicy.
func (c *checker) noForeignRootFields(root map[string]any) {
	for _, k := range slices.Sorted(maps.Keys(root)) {
		path := "/" + escapePointer(k)
		if isRootKey(k) || c.flagged[path] {
			continue
		}
		c.add(Problem{Stage: StagePolicy, Path: path, Message: "Unknown field " + k, ErrorName: ErrorNameError})
	}
}
