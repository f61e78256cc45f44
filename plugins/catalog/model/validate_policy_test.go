package model

import (
	"strings"
	"testing"
)

// componentWith returns a valid Component with extra metadata lines (indented by the caller's
// two spaces) and the given root-level tail.
func componentWith(metadata, tail string) string {
	return "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: artist-web\n" + metadata +
		"spec:\n  type: website\n  lifecycle: production\n  owner: team-a\n" + tail
}

func TestValidatePolicies(t *testing.T) {
	runSrcCases(t, []srcCase{
		{
			name: "valid component",
			src:  componentWith("", ""),
		},
		{
			name: "valid with every metadata field",
			src: componentWith(`  namespace: ops
  title: Artist Web
  description: The place to be
  uid: e01199ab-08cc-44c2-8e19-5c29ded82521
  etag: abc
  generation: 3
  labels:
    example.com/custom: custom_label_value
    empty: ""
  annotations:
    backstage.io/techdocs-ref: dir:.
    example.com/MyKey: "true"
  tags: [java, c++, "c#", "k8s:prod", a-b]
  links:
    - url: https://admin.example.com
      title: Admin Dashboard
      icon: dashboard
      type: admin
    - url: mailto:team@example.com
  customField: {anything: [1, 2]}
`, ""),
		},
		{
			name: "name rules",
			src:  strings.Replace(componentWith("", ""), "name: artist-web", "name: -artist", 1),
			want: []string{"policy /metadata/name: " + fieldMsg("metadata.name", expectObjectName, "-artist")},
		},
		{
			name: "name allows runs of separators",
			src:  strings.Replace(componentWith("", ""), "name: artist-web", "name: a--b._-c", 1),
		},
		{
			name: "name too long",
			src:  strings.Replace(componentWith("", ""), "name: artist-web", "name: "+strings.Repeat("a", 64), 1),
			want: []string{"policy /metadata/name: " + fieldMsg("metadata.name", expectObjectName, strings.Repeat("a", 64))},
		},
		{
			name: "namespace must be lower case",
			src:  componentWith("  namespace: Team-A\n", ""),
			want: []string{"policy /metadata/namespace: " + fieldMsg("metadata.namespace", expectDNSLabel, "Team-A")},
		},
		{
			name: "label key prefix must be lower case",
			src:  componentWith("  labels:\n    Foo.com/x: y\n", ""),
			want: []string{"policy /metadata/labels/Foo.com~1x: " + fieldMsg("labels.Foo.com/x", expectPrefixed, "Foo.com/x")},
		},
		{
			name: "label key with two slashes",
			src:  componentWith("  labels:\n    a/b/c: y\n", ""),
			want: []string{"policy /metadata/labels/a~1b~1c: " + fieldMsg("labels.a/b/c", expectPrefixed, "a/b/c")},
		},
		{
			name: "label value rules",
			src:  componentWith("  labels:\n    team: not valid\n", ""),
			want: []string{"policy /metadata/labels/team: " + fieldMsg("labels.team", expectObjectName, "not valid")},
		},
		{
			name: "annotation key with empty name part",
			src:  componentWith("  annotations:\n    example.com/: x\n", ""),
			want: []string{"policy /metadata/annotations/example.com~1: " + fieldMsg("annotations.example.com/", expectPrefixed, "example.com/")},
		},
		{
			name: "annotation values must be strings",
			src:  componentWith("  annotations:\n    example.com/flag: true\n    example.com/count: 12\n", ""),
			want: []string{
				"policy /metadata/annotations/example.com~1count: Malformed envelope, /metadata/annotations/example.com~1count must be string",
				"policy /metadata/annotations/example.com~1flag: Malformed envelope, /metadata/annotations/example.com~1flag must be string",
			},
		},
		{
			name: "tags are lower case",
			src:  componentWith("  tags: [Java, ok, a--b]\n", ""),
			want: []string{
				"policy /metadata/tags/0: " + fieldMsg("tags.0", expectTag, "Java"),
				"policy /metadata/tags/2: " + fieldMsg("tags.2", expectTag, "a--b"),
			},
		},
		{
			name: "empty and non-string tags",
			src:  componentWith("  tags: ['', 7]\n", ""),
			want: []string{
				"policy /metadata/tags/0: Malformed envelope, /metadata/tags/0 must NOT have fewer than 1 characters",
				"policy /metadata/tags/1: Malformed envelope, /metadata/tags/1 must be string",
			},
		},
		{
			name: "link rules",
			src: componentWith(`  links:
    - url: example.com
      title: "  "
      icon: not an icon
    - title: missing url
`, ""),
			want: []string{
				"policy /metadata/links/1/url: Malformed envelope, /metadata/links/1 must have required property 'url'",
				"policy /metadata/links/0/url: " + fieldMsg("links.0.url", expectURL, "example.com"),
				"policy /metadata/links/0/title: " + fieldMsg("links.0.title", expectNonEmptyStr, "  "),
				"policy /metadata/links/0/icon: " + fieldMsg("links.0.icon", expectObjectName, "not an icon"),
			},
		},
		{
			name: "server fields must not be empty",
			src:  componentWith("  uid: ''\n  etag: ''\n  generation: 0\n", ""),
			want: []string{
				"policy /metadata/uid: Malformed envelope, /metadata/uid must NOT have fewer than 1 characters",
				"policy /metadata/etag: Malformed envelope, /metadata/etag must NOT have fewer than 1 characters",
				"policy /metadata/generation: Malformed envelope, /metadata/generation must be >= 1",
			},
		},
		{
			name: "foreign root field",
			src:  componentWith("", "extra: 1\n"),
			want: []string{"policy /extra: Malformed envelope, <root> must NOT have additional properties"},
		},
		{
			name: "relations and status may be present",
			src: componentWith("", `relations:
  - type: ownedBy
    targetRef: group:default/team-a
status:
  items:
    - type: backstage.io/catalog-processing
      level: error
      message: "InputError: boom"
      error: {name: InputError, message: boom}
`),
		},
		{
			name: "malformed relations and status",
			src: componentWith("", `relations:
  - type: owned-by
    targetRef: group:default/team-a
  - type: ownedBy
status:
  items:
    - type: x
      level: fatal
      message: m
`),
			want: []string{
				`policy /relations/0/type: Malformed envelope, /relations/0/type must match pattern "^\w+$"`,
				"policy /relations/1/targetRef: Malformed envelope, /relations/1 must have required property 'targetRef'",
				"policy /status/items/0/level: Malformed envelope, /status/items/0/level must be equal to one of the allowed values",
			},
		},
		{
			name: "spec must be an object",
			src:  "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: x}\nspec: [1]\n",
			want: []string{"policy /spec: Malformed envelope, /spec must be object"},
		},
		{
			name: "envelope: missing everything",
			src:  "foo: bar\n",
			want: []string{
				"envelope /apiVersion: <root> must have required property 'apiVersion' - missingProperty: apiVersion",
				"envelope /kind: <root> must have required property 'kind' - missingProperty: kind",
				"envelope /metadata: <root> must have required property 'metadata' - missingProperty: metadata",
				"policy /foo: Malformed envelope, <root> must NOT have additional properties",
			},
		},
		{
			name: "envelope: wrong types",
			src:  "apiVersion: 1\nkind: ''\nmetadata:\n  namespace: ops\n",
			want: []string{
				"envelope /apiVersion: /apiVersion must be string - type: string",
				"envelope /kind: /kind must NOT have fewer than 1 characters - limit: 1",
				"envelope /metadata/name: /metadata must have required property 'name' - missingProperty: name",
			},
		},
		{
			name: "api version and kind formats",
			src:  strings.Replace(strings.Replace(componentWith("", ""), "kind: Component", "kind: Com-ponent", 1), "backstage.io/v1alpha1", "Backstage.io/v1", 1),
			want: []string{
				"policy /apiVersion: " + fieldMsg("apiVersion", expectPrefixed, "Backstage.io/v1"),
				"policy /kind: " + fieldMsg("kind", expectKind, "Com-ponent"),
			},
		},
	}, validateLines(NewValidator(Options{})))
}

func TestValidateNonObjectRoot(t *testing.T) {
	tests := []struct {
		name  string
		value any
		want  []string
	}{
		{"number", 7.0, []string{"envelope : <root> must be object - type: object"}},
		{"array", []any{}, []string{"envelope : <root> must be object - type: object"}},
		{"null", nil, []string{"envelope : <root> must be object - type: object"}},
	}
	v := NewValidator(Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			equalLines(t, tt.name, summarize(v.ValidateValue(tt.value)), tt.want)
		})
	}
}

func TestValidateTypedEntity(t *testing.T) {
	e := &Entity{
		APIVersion: APIVersionV1alpha1,
		Kind:       KindComponent,
		Metadata:   Metadata{Name: "svc", Tags: []string{"Go"}},
		Spec:       map[string]any{"type": "service", "lifecycle": "production", "owner": "team", "providesApis": []string{"a"}},
	}
	got := summarize(NewValidator(Options{}).Validate(e))
	want := []string{"policy /metadata/tags/0: " + fieldMsg("tags.0", expectTag, "Go")}
	equalLines(t, "typed entity", got, want)
}

func TestProcessingError(t *testing.T) {
	tests := []struct {
		name    string
		problem Problem
		want    string
	}{
		{
			name:    "policy",
			problem: Problem{Stage: StagePolicy, Message: "Unknown field foo", ErrorName: ErrorNameError},
			want:    "InputError: Policy check failed; caused by Error: Unknown field foo",
		},
		{
			name:    "envelope",
			problem: Problem{Stage: StageEnvelope, Message: "<root> must be object - type: object", ErrorName: ErrorNameTypeError},
			want:    "InputError: Entity envelope failed validation before processing; caused by TypeError: <root> must be object - type: object",
		},
		{
			name:    "kind schema",
			problem: Problem{Stage: StageKind, Message: "/spec must have required property 'memberOf' - missingProperty: memberOf", ErrorName: ErrorNameTypeError},
			want:    "InputError: Processor BuiltinKindsEntityProcessor threw an error while validating the entity user:default/jdoe; caused by TypeError: /spec must have required property 'memberOf' - missingProperty: memberOf",
		},
		{
			name:    "unknown kind",
			problem: Problem{Stage: StageKind, Message: MessageNoKindValidator},
			want:    "InputError: " + MessageNoKindValidator,
		},
		{
			name:    "relations",
			problem: Problem{Stage: StageRelations, Message: `Entity reference "db" had missing or empty kind (e.g. did not start with "component:" or similar)`, ErrorName: ErrorNameError},
			want:    `InputError: Processor BuiltinKindsEntityProcessor threw an error while postprocessing; caused by Error: Entity reference "db" had missing or empty kind (e.g. did not start with "component:" or similar)`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			se := tt.problem.ProcessingError("user:default/jdoe")
			if got := se.Name + ": " + se.Message; got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestValidateEnvelope(t *testing.T) {
	runSrcCases(t, []srcCase{
		{"valid envelope, invalid entity", "apiVersion: x\nkind: Nope\nmetadata: {name: '-bad-'}\nextra: 1\n", nil},
		{"namespace must be a string", "apiVersion: x\nkind: K\nmetadata: {name: a, namespace: 7}\n", []string{
			"envelope /metadata/namespace: /metadata/namespace must be string - type: string",
		}},
	}, func(t *testing.T, src string) []string {
		return summarize(NewValidator(Options{}).ValidateEnvelope(mustValue(t, src)))
	})
}
