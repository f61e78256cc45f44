package model

import (
	"testing"
)

func TestValidateKinds(t *testing.T) {
	head := func(apiVersion, kind string) string {
		return "apiVersion: " + apiVersion + "\nkind: " + kind + "\nmetadata:\n  name: thing\n"
	}
	v1 := func(kind string) string { return head(APIVersionV1alpha1, kind) }
	runSrcCases(t, []srcCase{
		// Component
		{name: "component valid", src: v1("Component") + `spec:
  type: service
  lifecycle: production
  owner: team-a
  system: sys
  subcomponentOf: mono
  providesApis: [a]
  consumesApis: [b]
  dependsOn: [resource:db]
  dependencyOf: [component:x]
  anythingElse: {x: 1}
`},
		{name: "component v1beta1", src: head(APIVersionV1beta1, "Component") + "spec: {type: s, lifecycle: l, owner: o}\n"},
		{name: "component missing spec", src: v1("Component"), want: []string{
			"kind /spec: <root> must have required property 'spec' - missingProperty: spec",
		}},
		{name: "component missing required fields", src: v1("Component") + "spec: {}\n", want: []string{
			"kind /spec/type: /spec must have required property 'type' - missingProperty: type",
			"kind /spec/lifecycle: /spec must have required property 'lifecycle' - missingProperty: lifecycle",
			"kind /spec/owner: /spec must have required property 'owner' - missingProperty: owner",
		}},
		{name: "component wrong types", src: v1("Component") + `spec:
  type: 7
  lifecycle: ''
  owner: team-a
  system: ''
  providesApis: api-a
  consumesApis: ['', 3]
`, want: []string{
			"kind /spec/type: /spec/type must be string - type: string",
			"kind /spec/lifecycle: /spec/lifecycle must NOT have fewer than 1 characters - limit: 1",
			"kind /spec/system: /spec/system must NOT have fewer than 1 characters - limit: 1",
			"kind /spec/providesApis: /spec/providesApis must be array - type: array",
			"kind /spec/consumesApis/0: /spec/consumesApis/0 must NOT have fewer than 1 characters - limit: 1",
			"kind /spec/consumesApis/1: /spec/consumesApis/1 must be string - type: string",
		}},
		{name: "kind is case-sensitive", src: v1("component") + "spec: {type: s, lifecycle: l, owner: o}\n", want: []string{
			"kind /kind: " + MessageNoKindValidator,
		}},
		{name: "unknown apiVersion", src: head("backstage.io/v1beta0", "Component") + "spec: {type: s, lifecycle: l, owner: o}\n", want: []string{
			"kind /kind: " + MessageNoKindValidator,
		}},
		{name: "unknown kind", src: v1("Wizard") + "spec: {}\n", want: []string{
			"kind /kind: " + MessageNoKindValidator,
		}},
		// API
		{name: "api valid", src: v1("API") + "spec: {type: openapi, lifecycle: production, owner: team-a, system: sys, definition: 'openapi: 3.0.0'}\n"},
		{name: "api definition must be a string", src: v1("API") + "spec:\n  type: openapi\n  lifecycle: production\n  owner: team-a\n  definition:\n    openapi: 3.0.0\n", want: []string{
			"kind /spec/definition: /spec/definition must be string - type: string",
		}},
		{name: "api missing definition", src: v1("API") + "spec: {type: openapi, lifecycle: production, owner: team-a}\n", want: []string{
			"kind /spec/definition: /spec must have required property 'definition' - missingProperty: definition",
		}},
		// Resource
		{name: "resource valid", src: v1("Resource") + "spec: {type: database, owner: team-a, system: sys, dependsOn: ['resource:x'], dependencyOf: ['component:y']}\n"},
		{name: "resource missing owner", src: v1("Resource") + "spec: {type: database}\n", want: []string{
			"kind /spec/owner: /spec must have required property 'owner' - missingProperty: owner",
		}},
		// System
		{name: "system valid", src: v1("System") + "spec: {owner: team-a, domain: artists, type: product}\n"},
		{name: "system bad domain", src: v1("System") + "spec: {owner: team-a, domain: ['x']}\n", want: []string{
			"kind /spec/domain: /spec/domain must be string - type: string",
		}},
		// Domain
		{name: "domain valid", src: v1("Domain") + "spec: {owner: team-a, subdomainOf: parent}\n"},
		{name: "domain missing owner", src: v1("Domain") + "spec: {}\n", want: []string{
			"kind /spec/owner: /spec must have required property 'owner' - missingProperty: owner",
		}},
		// Group
		{name: "group valid", src: v1("Group") + `spec:
  type: team
  profile: {displayName: Team A, email: a@example.com, picture: https://example.com/a.png}
  parent: ops
  children: []
  members: [jdoe]
`},
		{name: "group requires children", src: v1("Group") + "spec: {type: team}\n", want: []string{
			"kind /spec/children: /spec must have required property 'children' - missingProperty: children",
		}},
		{name: "group bad profile", src: v1("Group") + "spec: {type: team, children: [], profile: {email: ''}}\n", want: []string{
			"kind /spec/profile/email: /spec/profile/email must NOT have fewer than 1 characters - limit: 1",
		}},
		// User
		{name: "user valid", src: v1("User") + `spec:
  profile:
    displayName: Jenny Doe
    email: jenny@example.com
    externalHandles: {github: jenny}
  memberOf: [team-a]
`},
		{name: "user requires memberOf", src: v1("User") + "spec: {profile: {displayName: J}}\n", want: []string{
			"kind /spec/memberOf: /spec must have required property 'memberOf' - missingProperty: memberOf",
		}},
		{name: "user bad handle", src: v1("User") + "spec: {memberOf: [], profile: {externalHandles: {github: 1}}}\n", want: []string{
			"kind /spec/profile/externalHandles/github: /spec/profile/externalHandles/github must be string - type: string",
		}},
		// Location
		{name: "location empty spec", src: v1("Location") + "spec: {}\n"},
		{name: "location valid", src: v1("Location") + "spec: {type: url, target: ./a.yaml, targets: [./b.yaml], presence: optional}\n"},
		{name: "location bad presence", src: v1("Location") + "spec: {targets: [''], presence: maybe}\n", want: []string{
			"kind /spec/targets/0: /spec/targets/0 must NOT have fewer than 1 characters - limit: 1",
			"kind /spec/presence: /spec/presence must be equal to one of the allowed values - allowedValues: required,optional",
		}},
		// Template
		{name: "template v1beta3 valid", src: head(APIVersionTemplateV1beta3, "Template") + `spec:
  owner: team-a
  type: service
  parameters:
    - title: Fill in
      required: [name]
      properties:
        name: {type: string, ui:field: EntityNamePicker}
  steps:
    - id: fetch
      name: Fetch
      action: fetch:template
      input: {url: ./skeleton}
    - action: publish:github
      if: ${{ parameters.publish }}
  output:
    links:
      - title: Repository
        url: ${{ steps.publish.output.remoteUrl }}
    text:
      - title: Done
        content: '**ok**'
    custom: value
`},
		{name: "template v1beta3 invalid", src: head(APIVersionTemplateV1beta3, "Template") + `spec:
  type: service
  parameters: 7
  steps:
    - name: no action
      if: 3
  output:
    count: 3
`, want: []string{
			"kind /spec/parameters: /spec/parameters must be object - type: object",
			"kind /spec/parameters: /spec/parameters must be array - type: array",
			"kind /spec/parameters: /spec/parameters must match exactly one schema in oneOf - passingSchemas: null",
			"kind /spec/steps/0/action: /spec/steps/0 must have required property 'action' - missingProperty: action",
			"kind /spec/steps/0/if: /spec/steps/0/if must be string,boolean - type: string,boolean",
			"kind /spec/output/count: /spec/output/count must be string - type: string",
		}},
		{name: "template requires steps", src: head(APIVersionTemplateV1beta3, "Template") + "spec: {type: service}\n", want: []string{
			"kind /spec/steps: /spec must have required property 'steps' - missingProperty: steps",
		}},
		{name: "template legacy v1beta2", src: head(APIVersionTemplateV1beta2, "Template") + "spec: {type: service, steps: [{action: fetch:plain, parameters: {url: ./x}}]}\n"},
		{name: "template with backstage apiVersion is unknown", src: v1("Template") + "spec: {type: service, steps: []}\n", want: []string{
			"kind /kind: " + MessageNoKindValidator,
		}},
	}, validateLines(NewValidator(Options{})))
}

func TestKindProcessorNames(t *testing.T) {
	v := NewValidator(Options{})
	tests := []struct {
		name, src, want string
	}{
		{"builtin", "apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata: {name: u}\nspec: {}\n", ProcessorBuiltinKinds},
		{"template", "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata: {name: t}\nspec: {type: x}\n", ProcessorScaffolderEntities},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := v.ValidateValue(mustValue(t, tt.src))
			if len(ps) != 1 || ps[0].Processor != tt.want {
				t.Fatalf("got %+v, want one problem from %s", ps, tt.want)
			}
		})
	}
}

func TestCustomKinds(t *testing.T) {
	env := Kind{
		Kind:        "Environment",
		APIVersions: []string{"example.com/v1"},
		Spec:        &Schema{Types: []string{"object"}, Required: []string{"tier"}, Properties: []Property{{Name: "tier", Schema: &Schema{Types: []string{"string"}, Enum: []string{"prod", "dev"}}}}},
		Relations:   []RelationRule{{Field: "owner", DefaultKind: KindGroup, Type: RelationOwnedBy, Inverse: RelationOwnerOf}},
		Processor:   "EnvironmentProcessor",
		Check: func(e map[string]any) Problems {
			if spec, _ := e["spec"].(map[string]any); spec["tier"] == "prod" && spec["owner"] == nil {
				return Problems{{Path: "/spec/owner", Message: "production environments need an owner"}}
			}
			return nil
		},
	}
	src := "apiVersion: example.com/v1\nkind: Environment\nmetadata: {name: e}\nspec: {tier: prod}\n"
	tests := []struct {
		name string
		v    *Validator
		want []string
	}{
		{"unknown without registration", NewValidator(Options{}), []string{"kind /kind: " + MessageNoKindValidator}},
		{"registered in options", NewValidator(Options{Kinds: []Kind{env}}), []string{"kind /spec/owner: production environments need an owner"}},
		{"registered with WithKinds", NewValidator(Options{}).WithKinds(env), []string{"kind /spec/owner: production environments need an owner"}},
		{"builtins can be left out", NewValidator(Options{NoBuiltinKinds: true, Kinds: []Kind{env}}), []string{"kind /spec/owner: production environments need an owner"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := tt.v.ValidateValue(mustValue(t, src))
			equalLines(t, src, summarize(ps), tt.want)
			if len(ps) == 1 && ps[0].Stage == StageKind && ps[0].Message != MessageNoKindValidator && ps[0].Processor != "EnvironmentProcessor" {
				t.Errorf("processor = %q, want EnvironmentProcessor", ps[0].Processor)
			}
		})
	}
	if _, ok := NewValidator(Options{NoBuiltinKinds: true}).KindFor(APIVersionV1alpha1, KindComponent); ok {
		t.Error("NoBuiltinKinds validator still knows Component")
	}
	base := NewValidator(Options{})
	_ = base.WithKinds(env)
	if _, ok := base.KindFor("example.com/v1", "Environment"); ok {
		t.Error("WithKinds modified the original validator")
	}
}
