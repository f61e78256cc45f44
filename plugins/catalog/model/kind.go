package model

// Kind defines one entity kind for a [Validator]: which kind and apiVersions it covers, the shape
// of its spec and the relations its spec fields produce. The built-in kinds are defined this
// way (see [BuiltinKinds]); modules define theirs the same way and pass them in [Options].
type Kind struct {
	// Kind is the kind name, compared case-sensitively as Backstage's kind validators do.
	Kind string
	// APIVersions lists the accepted apiVersion values.
	APIVersions []string
	// Spec describes the spec object. The spec is required unless SpecOptional is set.
	Spec         *Schema
	SpecOptional bool
	// Relations lists the relations spec fields produce, in emission order.
	Relations []RelationRule
	// Check optionally adds checks the schema cannot express. It receives the whole entity in
	// generic form and only runs for entities of this kind and apiVersion.
	Check func(entity map[string]any) Problems
	// Processor names the Backstage processor that validates this kind, for error messages;
	// "" means BuiltinKindsEntityProcessor.
	Processor string
}

// RelationRule says that a spec field holds entity references (one string or an array of
// strings) and which relations each reference produces.
type RelationRule struct {
	// Field is the spec property name, e.g. "owner".
	Field string
	// DefaultKind is the kind assumed when a reference names none; "" makes the kind mandatory.
	DefaultKind string
	// Type is the relation from the entity to the target, e.g. [RelationOwnedBy].
	Type string
	// Inverse is the relation from the target back to the entity, e.g. [RelationOwnerOf].
	Inverse string
}

func (k *Kind) processor() string {
	if k.Processor == "" {
		return ProcessorBuiltinKinds
	}
	return k.Processor
}

func (k *Kind) accepts(apiVersion, kind string) bool {
	if kind != k.Kind {
		return false
	}
	for _, v := range k.APIVersions {
		if v == apiVersion {
			return true
		}
	}
	return false
}
