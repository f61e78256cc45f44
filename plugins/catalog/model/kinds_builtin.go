package model

import "slices"

// Names of the built-in kinds.
const (
	KindComponent = "Component"
	KindAPI       = "API"
	KindResource  = "Resource"
	KindSystem    = "System"
	KindDomain    = "Domain"
	KindGroup     = "Group"
	KindUser      = "User"
	KindLocation  = "Location"
	KindTemplate  = "Template"
)

// apiVersion values the built-in kinds accept.
const (
	APIVersionV1alpha1        = "backstage.io/v1alpha1"
	APIVersionV1beta1         = "backstage.io/v1beta1"
	APIVersionTemplateV1beta3 = "scaffolder.backstage.io/v1beta3"
	APIVersionTemplateV1beta2 = "backstage.io/v1beta2"
)

// Values of a Location's spec.presence.
const (
	locationPresenceRequired = "required"
	locationPresenceOptional = "optional"
)

// BuiltinKinds returns fresh definitions of Backstage's built-in kinds: Component, API,
// Resource, System, Domain, Group, User and Location (checked by Backstage's
// BuiltinKindsEntityProcessor) and Template (checked by the scaffolder's processor), with the
// spec rules of their JSON schemas and the relations of BuiltinKindsEntityProcessor.
func BuiltinKinds() []Kind {
	versions := func() []string { return []string{APIVersionV1alpha1, APIVersionV1beta1} }
	owner := func() RelationRule {
		return RelationRule{Field: "owner", DefaultKind: KindGroup, Type: RelationOwnedBy, Inverse: RelationOwnerOf}
	}
	partOf := func(field, kind string) RelationRule {
		return RelationRule{Field: field, DefaultKind: kind, Type: RelationPartOf, Inverse: RelationHasPart}
	}
	dependsOn := func() RelationRule {
		return RelationRule{Field: "dependsOn", Type: RelationDependsOn, Inverse: RelationDependencyOf}
	}
	dependencyOf := func() RelationRule {
		return RelationRule{Field: "dependencyOf", Type: RelationDependencyOf, Inverse: RelationDependsOn}
	}
	spec := requiredObject
	// profile is a Group's or User's spec.profile: these string fields and any more given.
	profile := func(more ...Property) *Schema {
		return objectSchema(append(nonEmptyStringProps("displayName", "email", "picture"), more...)...)
	}
	strs, lists := nonEmptyStringProps, nonEmptyStringsProps
	return []Kind{
		{
			Kind:        KindAPI,
			APIVersions: versions(),
			Spec:        spec([]string{"type", "lifecycle", "owner", "definition"}, strs("type", "lifecycle", "owner", "system", "definition")...),
			Relations:   []RelationRule{owner(), partOf("system", KindSystem)},
		},
		{
			Kind:        KindComponent,
			APIVersions: versions(),
			Spec: spec([]string{"type", "lifecycle", "owner"}, slices.Concat(
				strs("type", "lifecycle", "owner", "system", "subcomponentOf"),
				lists("providesApis", "consumesApis", "dependsOn", "dependencyOf"),
			)...),
			Relations: []RelationRule{
				owner(),
				partOf("subcomponentOf", KindComponent),
				{Field: "providesApis", DefaultKind: KindAPI, Type: RelationProvidesAPI, Inverse: RelationAPIProvidedBy},
				{Field: "consumesApis", DefaultKind: KindAPI, Type: RelationConsumesAPI, Inverse: RelationAPIConsumedBy},
				dependsOn(),
				dependencyOf(),
				partOf("system", KindSystem),
			},
		},
		{
			Kind:        KindResource,
			APIVersions: versions(),
			Spec: spec([]string{"type", "owner"},
				slices.Concat(strs("type", "owner"), lists("dependsOn", "dependencyOf"), strs("system"))...),
			Relations: []RelationRule{owner(), dependsOn(), dependencyOf(), partOf("system", KindSystem)},
		},
		{
			Kind:        KindGroup,
			APIVersions: versions(),
			Spec: spec([]string{"type", "children"}, slices.Concat(
				strs("type"), []Property{prop("profile", profile())}, strs("parent"), lists("children", "members"),
			)...),
			Relations: []RelationRule{
				{Field: "parent", DefaultKind: KindGroup, Type: RelationChildOf, Inverse: RelationParentOf},
				{Field: "children", DefaultKind: KindGroup, Type: RelationParentOf, Inverse: RelationChildOf},
				{Field: "members", DefaultKind: KindUser, Type: RelationHasMember, Inverse: RelationMemberOf},
			},
		},
		{
			Kind:        KindLocation,
			APIVersions: versions(),
			Spec: spec(nil, slices.Concat(strs("type", "target"), lists("targets"),
				[]Property{prop("presence", stringEnum(locationPresenceRequired, locationPresenceOptional))})...),
		},
		{
			Kind:        KindUser,
			APIVersions: versions(),
			Spec: spec([]string{"memberOf"},
				prop("profile", profile(append(
					strs("pronouns", "jobTitle", "startDateISO", "manager", "timezoneISO", "location", "directMessageURL"),
					prop("externalHandles", objectSchema(strs("facebook", "github", "instagram", "spotify", "twitter", "youtube")...)),
				)...)),
				prop("memberOf", nonEmptyStrings()),
			),
			Relations: []RelationRule{
				{Field: "memberOf", DefaultKind: KindGroup, Type: RelationMemberOf, Inverse: RelationHasMember},
			},
		},
		{
			Kind:        KindSystem,
			APIVersions: versions(),
			Spec:        spec([]string{"owner"}, strs("owner", "domain", "type")...),
			Relations:   []RelationRule{owner(), partOf("domain", KindDomain)},
		},
		{
			Kind:        KindDomain,
			APIVersions: versions(),
			Spec:        spec([]string{"owner"}, strs("owner", "subdomainOf", "type")...),
			Relations:   []RelationRule{owner(), partOf("subdomainOf", KindDomain)},
		},
		templateV1beta3(),
		templateV1beta2(),
	}
}

// templateOwner is a Template's owner relation.
func templateOwner() []RelationRule {
	return []RelationRule{{Field: "owner", DefaultKind: KindGroup, Type: RelationOwnedBy, Inverse: RelationOwnerOf}}
}

// templateSteps is a Template's spec.steps: objects with an action and these properties.
func templateSteps(props ...Property) *Schema {
	return arrayOf(requiredObject([]string{"action"}, append([]Property{
		prop("id", stringSchema()),
		prop("name", stringSchema()),
		prop("action", stringSchema()),
	}, props...)...))
}

// templateOutput is a Template's spec.output: these properties and any other string.
func templateOutput(props ...Property) *Schema {
	s := objectSchema(props...)
	s.AdditionalProperties = stringSchema()
	return s
}

// templateV1beta3 is the current scaffolder Template (scaffolder.backstage.io/v1beta3).
func templateV1beta3() Kind {
	stringOrBool := func() *Schema { return &Schema{Types: []string{"string", "boolean"}} }
	permissions := func() *Schema { return objectSchema(prop("tags", arrayOf(stringSchema()))) }
	form := func() *Schema { return objectSchema(prop("backstage:permissions", permissions())) }
	return Kind{
		Kind:        KindTemplate,
		APIVersions: []string{APIVersionTemplateV1beta3},
		Processor:   ProcessorScaffolderEntities,
		Spec: requiredObject([]string{"type", "steps"},
			prop("type", nonEmptyString()),
			prop("owner", nonEmptyString()),
			prop("lifecycle", nonEmptyString()),
			prop("parameters", &Schema{OneOf: []*Schema{form(), arrayOf(form())}}),
			prop("secrets", objectSchema(prop("schema", objectSchema()))),
			prop("presentation", objectSchema(prop("buttonLabels", objectSchema(
				prop("backButtonText", stringSchema()),
				prop("createButtonText", stringSchema()),
				prop("reviewButtonText", stringSchema()),
			)))),
			prop("EXPERIMENTAL_recovery", objectSchema(prop("EXPERIMENTAL_strategy", stringSchema()))),
			prop("EXPERIMENTAL_formDecorators", arrayOf(objectSchema(
				prop("id", stringSchema()),
				prop("input", objectSchema()),
			))),
			prop("steps", templateSteps(
				prop("input", objectSchema()),
				prop("if", stringOrBool()),
				prop("backstage:permissions", permissions()),
			)),
			prop("output", templateOutput(
				prop("links", arrayOf(objectSchema(append([]Property{prop("if", stringOrBool())},
					nonEmptyStringProps("url", "entityRef", "title", "icon")...)...))),
				prop("text", arrayOf(objectSchema(
					prop("if", stringOrBool()),
					prop("title", nonEmptyString()),
					prop("icon", nonEmptyString()),
					prop("content", stringSchema()),
				))),
			)),
		),
		Relations: templateOwner(),
	}
}

// templateV1beta2 is the legacy Template (backstage.io/v1beta2) that older scaffolders read.
func templateV1beta2() Kind {
	return Kind{
		Kind:        KindTemplate,
		APIVersions: []string{APIVersionTemplateV1beta2},
		Spec: requiredObject([]string{"type", "steps"},
			prop("type", nonEmptyString()),
			prop("parameters", &Schema{OneOf: []*Schema{objectSchema(), arrayOf(objectSchema())}}),
			prop("steps", templateSteps(prop("parameters", objectSchema()))),
			prop("output", templateOutput(prop("links", arrayOf(linkSchema("title", "icon"))))),
			prop("owner", nonEmptyString()),
		),
		Relations: templateOwner(),
	}
}
