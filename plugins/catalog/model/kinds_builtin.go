package model

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
	spec := func(required []string, props ...Property) *Schema {
		return &Schema{Types: []string{"object"}, Required: required, Properties: props}
	}
	return []Kind{
		{
			Kind:        KindAPI,
			APIVersions: versions(),
			Spec: spec([]string{"type", "lifecycle", "owner", "definition"},
				prop("type", nonEmptyString()),
				prop("lifecycle", nonEmptyString()),
				prop("owner", nonEmptyString()),
				prop("system", nonEmptyString()),
				prop("definition", nonEmptyString()),
			),
			Relations: []RelationRule{owner(), partOf("system", KindSystem)},
		},
		{
			Kind:        KindComponent,
			APIVersions: versions(),
			Spec: spec([]string{"type", "lifecycle", "owner"},
				prop("type", nonEmptyString()),
				prop("lifecycle", nonEmptyString()),
				prop("owner", nonEmptyString()),
				prop("system", nonEmptyString()),
				prop("subcomponentOf", nonEmptyString()),
				prop("providesApis", nonEmptyStrings()),
				prop("consumesApis", nonEmptyStrings()),
				prop("dependsOn", nonEmptyStrings()),
				prop("dependencyOf", nonEmptyStrings()),
			),
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
				prop("type", nonEmptyString()),
				prop("owner", nonEmptyString()),
				prop("dependsOn", nonEmptyStrings()),
				prop("dependencyOf", nonEmptyStrings()),
				prop("system", nonEmptyString()),
			),
			Relations: []RelationRule{owner(), dependsOn(), dependencyOf(), partOf("system", KindSystem)},
		},
		{
			Kind:        KindGroup,
			APIVersions: versions(),
			Spec: spec([]string{"type", "children"},
				prop("type", nonEmptyString()),
				prop("profile", objectSchema(
					prop("displayName", nonEmptyString()),
					prop("email", nonEmptyString()),
					prop("picture", nonEmptyString()),
				)),
				prop("parent", nonEmptyString()),
				prop("children", nonEmptyStrings()),
				prop("members", nonEmptyStrings()),
			),
			Relations: []RelationRule{
				{Field: "parent", DefaultKind: KindGroup, Type: RelationChildOf, Inverse: RelationParentOf},
				{Field: "children", DefaultKind: KindGroup, Type: RelationParentOf, Inverse: RelationChildOf},
				{Field: "members", DefaultKind: KindUser, Type: RelationHasMember, Inverse: RelationMemberOf},
			},
		},
		{
			Kind:        KindLocation,
			APIVersions: versions(),
			Spec: spec(nil,
				prop("type", nonEmptyString()),
				prop("target", nonEmptyString()),
				prop("targets", nonEmptyStrings()),
				prop("presence", &Schema{Types: []string{"string"}, Enum: []string{locationPresenceRequired, locationPresenceOptional}}),
			),
		},
		{
			Kind:        KindUser,
			APIVersions: versions(),
			Spec: spec([]string{"memberOf"},
				prop("profile", objectSchema(
					prop("displayName", nonEmptyString()),
					prop("email", nonEmptyString()),
					prop("picture", nonEmptyString()),
					prop("pronouns", nonEmptyString()),
					prop("jobTitle", nonEmptyString()),
					prop("startDateISO", nonEmptyString()),
					prop("manager", nonEmptyString()),
					prop("timezoneISO", nonEmptyString()),
					prop("location", nonEmptyString()),
					prop("directMessageURL", nonEmptyString()),
					prop("externalHandles", objectSchema(
						prop("facebook", nonEmptyString()),
						prop("github", nonEmptyString()),
						prop("instagram", nonEmptyString()),
						prop("spotify", nonEmptyString()),
						prop("twitter", nonEmptyString()),
						prop("youtube", nonEmptyString()),
					)),
				)),
				prop("memberOf", nonEmptyStrings()),
			),
			Relations: []RelationRule{
				{Field: "memberOf", DefaultKind: KindGroup, Type: RelationMemberOf, Inverse: RelationHasMember},
			},
		},
		{
			Kind:        KindSystem,
			APIVersions: versions(),
			Spec: spec([]string{"owner"},
				prop("owner", nonEmptyString()),
				prop("domain", nonEmptyString()),
				prop("type", nonEmptyString()),
			),
			Relations: []RelationRule{owner(), partOf("domain", KindDomain)},
		},
		{
			Kind:        KindDomain,
			APIVersions: versions(),
			Spec: spec([]string{"owner"},
				prop("owner", nonEmptyString()),
				prop("subdomainOf", nonEmptyString()),
				prop("type", nonEmptyString()),
			),
			Relations: []RelationRule{owner(), partOf("subdomainOf", KindDomain)},
		},
		templateV1beta3(),
		templateV1beta2(),
	}
}

// templateV1beta3 is the current scaffolder Template (scaffolder.backstage.io/v1beta3).
func templateV1beta3() Kind {
	stringOrBool := func() *Schema { return &Schema{Types: []string{"string", "boolean"}} }
	permissions := func() *Schema {
		return objectSchema(prop("tags", &Schema{Types: []string{"array"}, Items: stringSchema()}))
	}
	form := func() *Schema { return objectSchema(prop("backstage:permissions", permissions())) }
	return Kind{
		Kind:        KindTemplate,
		APIVersions: []string{APIVersionTemplateV1beta3},
		Processor:   ProcessorScaffolderEntities,
		Spec: &Schema{
			Types:    []string{"object"},
			Required: []string{"type", "steps"},
			Properties: []Property{
				prop("type", nonEmptyString()),
				prop("owner", nonEmptyString()),
				prop("lifecycle", nonEmptyString()),
				prop("parameters", &Schema{OneOf: []*Schema{
					form(),
					{Types: []string{"array"}, Items: form()},
				}}),
				prop("secrets", objectSchema(prop("schema", objectSchema()))),
				prop("presentation", objectSchema(prop("buttonLabels", objectSchema(
					prop("backButtonText", stringSchema()),
					prop("createButtonText", stringSchema()),
					prop("reviewButtonText", stringSchema()),
				)))),
				prop("EXPERIMENTAL_recovery", objectSchema(prop("EXPERIMENTAL_strategy", stringSchema()))),
				prop("EXPERIMENTAL_formDecorators", &Schema{Types: []string{"array"}, Items: objectSchema(
					prop("id", stringSchema()),
					prop("input", objectSchema()),
				)}),
				prop("steps", &Schema{Types: []string{"array"}, Items: &Schema{
					Types:    []string{"object"},
					Required: []string{"action"},
					Properties: []Property{
						prop("id", stringSchema()),
						prop("name", stringSchema()),
						prop("action", stringSchema()),
						prop("input", objectSchema()),
						prop("if", stringOrBool()),
						prop("backstage:permissions", permissions()),
					},
				}}),
				prop("output", &Schema{
					Types: []string{"object"},
					Properties: []Property{
						prop("links", &Schema{Types: []string{"array"}, Items: objectSchema(
							prop("if", stringOrBool()),
							prop("url", nonEmptyString()),
							prop("entityRef", nonEmptyString()),
							prop("title", nonEmptyString()),
							prop("icon", nonEmptyString()),
						)}),
						prop("text", &Schema{Types: []string{"array"}, Items: objectSchema(
							prop("if", stringOrBool()),
							prop("title", nonEmptyString()),
							prop("icon", nonEmptyString()),
							prop("content", stringSchema()),
						)}),
					},
					AdditionalProperties: stringSchema(),
				}),
			},
		},
		Relations: []RelationRule{
			{Field: "owner", DefaultKind: KindGroup, Type: RelationOwnedBy, Inverse: RelationOwnerOf},
		},
	}
}

// templateV1beta2 is the legacy Template (backstage.io/v1beta2) that older scaffolders read.
func templateV1beta2() Kind {
	return Kind{
		Kind:        KindTemplate,
		APIVersions: []string{APIVersionTemplateV1beta2},
		Spec: &Schema{
			Types:    []string{"object"},
			Required: []string{"type", "steps"},
			Properties: []Property{
				prop("type", nonEmptyString()),
				prop("parameters", &Schema{OneOf: []*Schema{
					objectSchema(),
					{Types: []string{"array"}, Items: objectSchema()},
				}}),
				prop("steps", &Schema{Types: []string{"array"}, Items: &Schema{
					Types:    []string{"object"},
					Required: []string{"action"},
					Properties: []Property{
						prop("id", stringSchema()),
						prop("name", stringSchema()),
						prop("action", stringSchema()),
						prop("parameters", objectSchema()),
					},
				}}),
				prop("output", &Schema{
					Types: []string{"object"},
					Properties: []Property{
						prop("links", &Schema{Types: []string{"array"}, Items: &Schema{
							Types:    []string{"object"},
							Required: []string{"url"},
							Properties: []Property{
								prop("url", nonEmptyString()),
								prop("title", nonEmptyString()),
								prop("icon", nonEmptyString()),
							},
						}}),
					},
					AdditionalProperties: stringSchema(),
				}),
				prop("owner", nonEmptyString()),
			},
		},
		Relations: []RelationRule{
			{Field: "owner", DefaultKind: KindGroup, Type: RelationOwnedBy, Inverse: RelationOwnerOf},
		},
	}
}
