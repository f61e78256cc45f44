package extension

import (
	"slices"
	"strings"
	"testing"

	"github.com/portico-dev/portico/internal/testerr"
)

// predicateEntities are the sample entities of Backstage's filter predicate tests, by name.
func predicateEntities(t *testing.T) map[string]map[string]any {
	t.Helper()
	docs := map[string]string{
		"s": `
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: s
  namespace: default
  annotations: { backstage.io/managed-by-location: "url:service", github.com/repo: service }
  tags: [java, spring]
spec: { type: service, owner: g }
relations:
  - { type: ownedBy, targetRef: group:default/g }
  - { type: providesApi, targetRef: api:default/a }`,
		"w": `
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: w
  namespace: default
  annotations: { backstage.io/managed-by-location: "url:website", github.com/repo: website }
spec: { type: website, owner: g }
relations:
  - { type: ownedBy, targetRef: group:default/g }
  - { type: dependsOn, targetRef: api:default/a }`,
		"g": `
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: { name: g, namespace: default }
spec: { type: squad }
relations:
  - { type: ownerOf, targetRef: component:default/s }
  - { type: ownerOf, targetRef: component:default/w }`,
		"a": `
apiVersion: backstage.io/v1alpha1
kind: API
metadata: { name: a, namespace: default }
spec: { type: grpc, owner: g, definition: mock, nothing: null, oneNum: 1, oneStr: "1" }
relations:
  - { type: ownedBy, targetRef: group:default/g }
  - { type: apiProvidedBy, targetRef: component:default/c }`,
	}
	out := map[string]map[string]any{}
	for name, doc := range docs {
		out[name] = decodeYAML(t, doc).(map[string]any)
	}
	return out
}

func matching(t *testing.T, f *EntityFilter, entities map[string]map[string]any) string {
	t.Helper()
	var names []string
	for name, e := range entities {
		if f.Match(e) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return strings.Join(names, ",")
}

func TestPredicate(t *testing.T) {
	entities := predicateEntities(t)
	tests := []struct {
		name, pred, want string
		wantErr          string // the predicate does not compile: its error contains wantErr
	}{
		{"kind and type", `{kind: component, spec.type: service}`, "s", ""},
		{"contains", `{metadata.tags: {$contains: java}}`, "s", ""},
		{"all contains", `{$all: [{metadata.tags: {$contains: java}}, {metadata.tags: {$contains: spring}}]}`, "s", ""},
		{"list equality", `{metadata.tags: [java, spring]}`, "s", ""},
		{"numeric key", `{"1": foo}`, "", ""},
		{"empty matches all", `{}`, "a,g,s,w", ""},
		{"empty path", `{"": component}`, "", ""},
		{"contains no match", `{metadata.tags: {$contains: go}}`, "", ""},
		{"no array index", `{metadata.tags.0: java}`, "", ""},
		{"in", `{kind: {$in: [component, group]}}`, "g,s,w", ""},
		{"not in", `{$not: {kind: {$in: [component, group]}}}`, "a", ""},
		{"not contains", `{$not: {metadata.tags: {$contains: java}}}`, "a,g,w", ""},
		{"any", `{$any: [{kind: component, spec.type: service}, {kind: group}]}`, "g,s", ""},
		{"not any", `{$not: {$any: [{kind: component, spec.type: service}, {kind: group}]}}`, "a,w", ""},
		{"contains object", `{relations: {$contains: {type: ownedBy, targetRef: group:default/g}}}`, "a,s,w", ""},
		{"contains on object", `{metadata: {$contains: {name: a}}}`, "", ""},
		{"kind and in", `{kind: component, spec.type: {$in: [service, website]}}`, "s,w", ""},
		{"nested any all", `{$any: [{$all: [{kind: component, spec.type: {$in: [service, website]}}]}, {$all: [{kind: api, spec.type: grpc}]}]}`, "a,s,w", ""},
		{"in single", `{kind: component, spec.type: {$in: [service]}}`, "s", ""},
		{"all with not", `{$all: [{kind: component}, {$not: {spec.type: {$in: [service]}}}]}`, "w", ""},
		{"exists", `{spec.owner: {$exists: true}}`, "a,s,w", ""},
		{"not exists", `{spec.owner: {$exists: false}}`, "g", ""},
		{"plain value", `{spec.type: service}`, "s", ""},
		{"not value", `{$not: {spec.type: service}}`, "a,g,w", ""},
		{"number equals number", `{spec.oneNum: 1}`, "a", ""},
		{"string equals number", `{spec.oneStr: 1}`, "a", ""},
		{"number equals string", `{spec.oneNum: "1"}`, "a", ""},
		{"string equals string", `{spec.oneStr: "1"}`, "a", ""},
		{"dotted key", `{kind: component, metadata.annotations.github.com/repo: {$exists: true}}`, "s,w", ""},
		{"has prefix", `{spec.type: {$hasPrefix: G}}`, "a", ""},
		{"kind case-insensitive", `{kind: API}`, "a", ""},
		{"null present exists", `{spec.nothing: {$exists: true}}`, "a", ""},
		{"unknown value operator", `{kind: {$unknown: foo}}`, "", "kind: unknown value operator $unknown"},
		{"unknown operator", `{$unknown: ignored}`, "", "unknown operator $unknown"},
		{"null value", `{spec.nothing: null}`, "", "spec.nothing: null is not a valid value"},
		{"operator not alone", `{$all: [], kind: api}`, "", "operator $all must be the only key"},
		{"all not a list", `{$all: {kind: api}}`, "", "$all: must be a list of predicates"},
		{"in not a list", `{kind: {$in: api}}`, "", "kind.$in: must be a list"},
		{"in with object", `{kind: {$in: [api, {a: b}]}}`, "", "kind.$in[1]: must be a string, number or boolean"},
		{"exists not bool", `{kind: {$exists: yes please}}`, "", "kind.$exists: must be a boolean"},
		{"two value operators", `{kind: {$in: [a], $exists: true}}`, "", "exactly one of"},
		{"nested error path", `{$any: [{kind: api}, {spec.type: {$hasPrefix: 3}}]}`, "", "$any[1].spec.type.$hasPrefix: must be a string"},
		{"list filter", `[kind]`, "", "must be a filter string or a predicate object, got list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := CompileEntityFilter(decodeYAML(t, tt.pred))
			if testerr.Check(t, err, tt.wantErr) {
				return
			}
			if got := matching(t, f, entities); got != tt.want {
				t.Fatalf("filter %s matched %q, want %q", tt.pred, got, tt.want)
			}
		})
	}
}

func TestFilterExpression(t *testing.T) {
	e := func(y string) map[string]any { return decodeYAML(t, y).(map[string]any) }
	component := e(`{kind: Component, metadata: {}, spec: {type: service}}`)
	user := e(`{kind: User, metadata: {}}`)
	resource := e(`{kind: Resource, metadata: {}}`)
	website := e(`{kind: Component, metadata: {}, spec: {type: website}}`)
	pipeline := e(`{kind: Component, metadata: {}, spec: {type: pipeline}}`)
	noType := e(`{kind: Component, metadata: {}}`)
	orphan := e(`{kind: Component, metadata: {annotations: {backstage.io/orphan: "true"}}}`)
	labels := e(`{kind: Component, metadata: {labels: {a: b}}}`)
	emptyLabels := e(`{kind: Component, metadata: {labels: {}, links: []}}`)
	links := e(`{kind: Component, metadata: {links: [{}]}}`)
	annotations := e(`{kind: Component, metadata: {annotations: {a: b}}}`)
	api := e(`{kind: API, metadata: {}, spec: {type: openapi}}`)
	noKind := e(`{metadata: {}}`)
	noMetadata := e(`{kind: Component}`)

	tests := []struct {
		name, expr string
		entity     map[string]any
		want       bool
		wantErr    string // the expression does not parse: its error contains wantErr
	}{
		{"kind user", "kind:user,component", user, true, ""},
		{"kind component", "kind:user,component", component, true, ""},
		{"kind resource", "kind:user,component", resource, false, ""},
		{"kind case-insensitive", "kind:API", api, true, ""},
		{"type no type", "type:service,website", noType, false, ""},
		{"type service", "type:service,website", component, true, ""},
		{"type website", "type:service,website", website, true, ""},
		{"type pipeline", "type:service,website", pipeline, false, ""},
		{"is orphan empty", "is:orphan", component, false, ""},
		{"is orphan", "is:orphan", orphan, true, ""},
		{"is orphan parameter case", "is:ORPHAN", orphan, true, ""},
		{"has empty", "has:labels,links", component, false, ""},
		{"has empty collections", "has:labels,links", emptyLabels, false, ""},
		{"has labels", "has:labels,links", labels, true, ""},
		{"has links", "has:labels,links", links, true, ""},
		{"has annotations only", "has:labels,links", annotations, false, ""},
		{"not kind api on api", "not:kind:api", api, false, ""},
		{"not kind api on component", "not:kind:api", component, true, ""},
		{"and of terms", "kind:component type:service", component, true, ""},
		{"and fails", "kind:component type:service", website, false, ""},
		{"and with negation", "kind:component not:is:orphan", orphan, false, ""},
		{"extra spaces", "  kind:component   type:service  ", component, true, ""},
		{"empty matches all", "", resource, true, ""},
		{"empty params never match kind", "kind:,", component, false, ""},
		{"double commas ignored", "kind:user,,component", component, true, ""},
		{"missing kind is false", "kind:component", noKind, false, ""},
		{"missing kind negated is still false", "not:kind:component", noKind, false, ""},
		{"missing metadata is false", "is:orphan", noMetadata, false, ""},
		{"missing metadata negated is still false", "not:has:labels", noMetadata, false, ""},
		{"negated type on missing type", "not:type:service", noType, true, ""},
		{"bad is parameter", "is:orphan,bar", nil, false, "'bar' is not a valid parameter for 'is' filter expressions, expected one of 'orphan'"},
		{"bad has parameter", "has:labels,bar", nil, false, "'bar' is not a valid parameter for 'has' filter expressions, expected one of 'labels','links'"},
		{"unknown key", "unknown:foo", nil, false, "'unknown' is not a valid filter expression key, expected one of 'kind','type','is','has'"},
		{"not with unknown key", "not:foo", nil, false, "'not' is not a valid filter expression key"},
		{"colon only", ":", nil, false, "':' is not a valid filter expression, expected 'key:parameter' form"},
		{"no key", ":a", nil, false, "':a' is not a valid filter expression"},
		{"no parameter", "a:", nil, false, "'a:' is not a valid filter expression"},
		{"no colon", "component", nil, false, "'component' is not a valid filter expression"},
		{"newline in parameter", "kind:a\nb", nil, false, "is not a valid filter expression"},
		{"several errors", "x:y kind:api z", nil, false, "'z' is not a valid filter expression"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ParseFilterExpression(tt.expr)
			if testerr.Check(t, err, tt.wantErr) {
				return
			}
			if got := f.Match(tt.entity); got != tt.want {
				t.Fatalf("%q on %v = %v, want %v", tt.expr, tt.entity, got, tt.want)
			}
		})
	}
}

func TestSplitFilterExpression(t *testing.T) {
	tests := []struct {
		name, expr string
		want       []filterTerm
	}{
		{"empty", "", nil},
		{"blank", "   ", nil},
		{"one", "kind:component", []filterTerm{{key: "kind", params: []string{"component"}}}},
		{"two params", "kind:component,user", []filterTerm{{key: "kind", params: []string{"component", "user"}}}},
		{"two terms", "kind:component,user type:foo", []filterTerm{{key: "kind", params: []string{"component", "user"}}, {key: "type", params: []string{"foo"}}}},
		{"colons in parameter", "with:multiple:colons", []filterTerm{{key: "with", params: []string{"multiple:colons"}}}},
		{"negation", "not:kind:api", []filterTerm{{key: "kind", params: []string{"api"}, negate: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, errs := splitFilterExpression(tt.expr)
			if len(errs) > 0 {
				t.Fatalf("split %q: %v", tt.expr, errs)
			}
			if !slices.EqualFunc(got, tt.want, func(a, b filterTerm) bool {
				return a.key == b.key && a.negate == b.negate && slices.Equal(a.params, b.params)
			}) {
				t.Fatalf("split %q = %+v, want %+v", tt.expr, got, tt.want)
			}
		})
	}
}
