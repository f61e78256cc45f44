package model

import (
	"cmp"
	"slices"
)

// Relation types of the built-in kinds. Each has an inverse: when an entity declares one
// direction, the catalog also records the other direction on the target.
const (
	RelationOwnedBy       = "ownedBy"
	RelationOwnerOf       = "ownerOf"
	RelationPartOf        = "partOf"
	RelationHasPart       = "hasPart"
	RelationProvidesAPI   = "providesApi"
	RelationAPIProvidedBy = "apiProvidedBy"
	RelationConsumesAPI   = "consumesApi"
	RelationAPIConsumedBy = "apiConsumedBy"
	RelationDependsOn     = "dependsOn"
	RelationDependencyOf  = "dependencyOf"
	RelationParentOf      = "parentOf"
	RelationChildOf       = "childOf"
	RelationMemberOf      = "memberOf"
	RelationHasMember     = "hasMember"
)

// RelationTypes returns the built-in relation types in pairs (each followed by its inverse).
func RelationTypes() []string {
	return []string{
		RelationOwnedBy, RelationOwnerOf,
		RelationPartOf, RelationHasPart,
		RelationProvidesAPI, RelationAPIProvidedBy,
		RelationConsumesAPI, RelationAPIConsumedBy,
		RelationDependsOn, RelationDependencyOf,
		RelationParentOf, RelationChildOf,
		RelationMemberOf, RelationHasMember,
	}
}

// InverseRelation returns the inverse of a built-in relation type, or "" for other types.
func InverseRelation(t string) string {
	switch t {
	case RelationOwnedBy:
		return RelationOwnerOf
	case RelationOwnerOf:
		return RelationOwnedBy
	case RelationPartOf:
		return RelationHasPart
	case RelationHasPart:
		return RelationPartOf
	case RelationProvidesAPI:
		return RelationAPIProvidedBy
	case RelationAPIProvidedBy:
		return RelationProvidesAPI
	case RelationConsumesAPI:
		return RelationAPIConsumedBy
	case RelationAPIConsumedBy:
		return RelationConsumesAPI
	case RelationDependsOn:
		return RelationDependencyOf
	case RelationDependencyOf:
		return RelationDependsOn
	case RelationParentOf:
		return RelationChildOf
	case RelationChildOf:
		return RelationParentOf
	case RelationMemberOf:
		return RelationHasMember
	case RelationHasMember:
		return RelationMemberOf
	}
	return ""
}

// RelationSpec is one directed relation between two entities, as a processor emits it. The
// references keep their case; [RelationSpec.Relation] gives the served, lower-case form.
type RelationSpec struct {
	Source EntityRef `json:"source"`
	Type   string    `json:"type"`
	Target EntityRef `json:"target"`
}

// Relation returns the relation as it appears in the source entity's relations array.
func (r RelationSpec) Relation() Relation {
	return Relation{Type: r.Type, TargetRef: r.Target.String()}
}

// RelationPair is what one reference in a spec field produces: the relation from the declaring
// entity to the target and its inverse from the target back. Both are recorded with the
// declaring entity as their origin, so both vanish when it stops declaring them.
type RelationPair struct {
	Outgoing RelationSpec `json:"outgoing"`
	Incoming RelationSpec `json:"incoming"`
}

// FlattenRelationPairs lists the relations of pairs in emission order: each outgoing relation
// followed by its inverse.
func FlattenRelationPairs(pairs []RelationPair) []RelationSpec {
	out := make([]RelationSpec, 0, 2*len(pairs))
	for _, p := range pairs {
		out = append(out, p.Outgoing, p.Incoming)
	}
	return out
}

// SortRelations sorts relations by type and then target reference, and drops duplicates of the
// same (type, targetRef): the order and uniqueness the catalog serves relations in.
func SortRelations(rs []Relation) []Relation {
	out := slices.Clone(rs)
	slices.SortFunc(out, func(a, b Relation) int {
		return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(a.TargetRef, b.TargetRef))
	})
	return slices.CompactFunc(out, func(a, b Relation) bool {
		return a.Type == b.Type && a.TargetRef == b.TargetRef
	})
}
