package graph

// The built-in relation types (the catalog's well-known relations). The catalog-graph plugin
// may only read the catalog through its client, so it keeps its own copy of the names.
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

// AllRelations lists the built-in relation types in alphabetical order, as the page's
// relation filter shows them.
func AllRelations() []string {
	return []string{
		RelationAPIConsumedBy, RelationAPIProvidedBy, RelationChildOf, RelationConsumesAPI,
		RelationDependencyOf, RelationDependsOn, RelationHasMember, RelationHasPart,
		RelationMemberOf, RelationOwnedBy, RelationOwnerOf, RelationParentOf,
		RelationPartOf, RelationProvidesAPI,
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
		{RelationOwnerOf, RelationOwnedBy},
		{RelationConsumesAPI, RelationAPIConsumedBy},
		{RelationAPIProvidedBy, RelationProvidesAPI},
		{RelationHasPart, RelationPartOf},
		{RelationParentOf, RelationChildOf},
		{RelationHasMember, RelationMemberOf},
		{RelationDependsOn, RelationDependencyOf},
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
