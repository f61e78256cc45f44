package graph

import "github.com/portico-dev/portico/plugins/catalog/model"

// AllRelations lists the built-in relation types in alphabetical order, as the page's
// relation filter shows them.
func AllRelations() []string {
	return []string{
		model.RelationAPIConsumedBy, model.RelationAPIProvidedBy, model.RelationChildOf, model.RelationConsumesAPI,
		model.RelationDependencyOf, model.RelationDependsOn, model.RelationHasMember, model.RelationHasPart,
		model.RelationMemberOf, model.RelationOwnedBy, model.RelationOwnerOf, model.RelationParentOf,
		model.RelationPartOf, model.RelationProvidesAPI,
	}
}

// Pair is a relation type and its inverse. When relations are merged, an edge is drawn once,
// pointing the way of Primary.
type Pair struct{ Primary, Inverse string }

// RelationPairs are the built-in pairs with the primary direction Backstage's graph draws:
// owner → owned, consumer → API, API → provider, whole → part, parent → child,
// group → member, dependent → dependency.
func RelationPairs() []Pair {
	return []Pair{
		{model.RelationOwnerOf, model.RelationOwnedBy},
		{model.RelationConsumesAPI, model.RelationAPIConsumedBy},
		{model.RelationAPIProvidedBy, model.RelationProvidesAPI},
		{model.RelationHasPart, model.RelationPartOf},
		{model.RelationParentOf, model.RelationChildOf},
		{model.RelationHasMember, model.RelationMemberOf},
		{model.RelationDependsOn, model.RelationDependencyOf},
	}
}

// pairOf returns the pair a relation type belongs to; an unknown type is its own pair.
func pairOf(relType string) Pair {
	for _, p := range RelationPairs() {
		if p.Primary == relType || p.Inverse == relType {
			return p
		}
	}
	return Pair{Primary: relType}
}

// Kinds are the built-in entity kinds, lower-case, as the page's kind filter shows them.
func Kinds() []string {
	return []string{"api", "component", "domain", "group", "location", "resource", "system", "template", "user"}
}
