package extension

import (
	"github.com/portico-dev/portico/framework/jsvalue"

	"errors"
	"slices"
	"strings"
	"testing"
)

func ext(id, parent string, disabled bool) Extension {
	return Extension{ID: id, AttachTo: AttachTo{ID: parent, Input: "default"}, Disabled: disabled}
}

func ids(nodes []*Node) []string {
	out := make([]string, len(nodes))
	for i, n := range nodes {
		out[i] = n.ID()
	}
	return out
}

func mustOverrides(t *testing.T, y string) []Override {
	t.Helper()
	o, err := ParseOverrides(decodeYAML(t, y))
	if err != nil {
		t.Fatalf("ParseOverrides: %v", err)
	}
	return o
}

func TestResolveOrder(t *testing.T) {
	// a..g alternate disabled/enabled, as in Backstage's resolveAppNodeSpecs tests.
	letters := func() []Extension {
		var out []Extension
		for i, id := range []string{"a", "b", "c", "d", "e", "f", "g"} {
			out = append(out, ext(id, RootID, i%2 == 0))
		}
		return out
	}
	tests := []struct {
		name      string
		exts      []Extension
		overrides string
		want      []string
	}{
		{"declaration order", []Extension{ext("a", RootID, false), ext("b", RootID, false)}, ``, []string{"a", "b"}},
		{"disabled by default dropped", []Extension{ext("a", RootID, true), ext("b", RootID, false)}, ``, []string{"b"}},
		{"enabled in the order they were enabled", []Extension{ext("a", RootID, true), ext("b", RootID, true)}, "- b\n- a", []string{"b", "a"}},
		{"listed first in list order, rest keep declaration order", letters(), "- e: true\n- d: true\n- c: true", []string{"e", "d", "c", "b", "f"}},
		{"listed then disabled keeps others in order", letters(), "- f\n- b: false", []string{"f", "d"}},
		{"first mention fixes position", letters(), "- d\n- b\n- d: { config: {} }", []string{"d", "b", "f"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tree, err := Resolve(tt.exts, mustOverrides(t, tt.overrides))
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			if got := ids(tree.Children(RootID, "default")); !slices.Equal(got, tt.want) {
				t.Fatalf("children = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestResolveReorderCards is the integrator's reorder from the reference: listing cards in
// app.extensions puts them first, in list order, ahead of the cards not listed.
func TestResolveReorderCards(t *testing.T) {
	exts := []Extension{
		{ID: "app", AttachTo: AttachTo{RootID, "app"}},
		{ID: "page:catalog/entity", AttachTo: AttachTo{"app", "routes"}},
		{ID: "entity-content:catalog/overview", AttachTo: AttachTo{"page:catalog/entity", "contents"}},
		EntityCard(EntityCardSpec{Namespace: "catalog", Name: "about", Type: "info"}),
		EntityCard(EntityCardSpec{Namespace: "catalog", Name: "links", Type: "info"}),
		EntityCard(EntityCardSpec{Namespace: "catalog", Name: "labels", Type: "info"}),
		EntityCard(EntityCardSpec{Namespace: "catalog", Name: "has-apis", Disabled: true}),
	}
	tree, err := Resolve(exts, mustOverrides(t, `
- entity-card:catalog/has-apis
- entity-card:catalog/links:
    config: { filter: kind:component, type: content }
- entity-card:catalog/labels: false
`))
	if err != nil {
		t.Fatalf("Resolve: %v", err)
	}
	cards := tree.Children("entity-content:catalog/overview", "cards")
	want := []string{"entity-card:catalog/has-apis", "entity-card:catalog/links", "entity-card:catalog/about"}
	if got := ids(cards); !slices.Equal(got, want) {
		t.Fatalf("cards = %v, want %v", got, want)
	}
	links := cards[1]
	if links.Config["type"] != "content" {
		t.Fatalf("links config = %v, want type content", links.Config)
	}
	if links.Matches(map[string]any{"kind": "API"}) || !links.Matches(map[string]any{"kind": "Component"}) {
		t.Fatalf("links filter %v does not behave as kind:component", links.Filter.Source())
	}
	api := map[string]any{"kind": "API"}
	if got := ids(tree.ChildrenFor("entity-content:catalog/overview", "cards", api)); !slices.Equal(got, []string{"entity-card:catalog/has-apis", "entity-card:catalog/about"}) {
		t.Fatalf("cards for an API = %v", got)
	}
}

func TestResolvePruning(t *testing.T) {
	exts := []Extension{
		ext("app", RootID, false),
		ext("page:a", "app", true),
		ext("card:a/one", "page:a", false),
		ext("card:a/two", "card:a/one", false),
		ext("page:b", "app", false),
		ext("orphan", "missing", false),
		ext("loop1", "loop2", false),
		ext("loop2", "loop1", false),
	}
	tests := []struct {
		name, overrides   string
		kept, unreachable []string
	}{
		{"disabled parent prunes descendants", ``, []string{"app", "page:b"}, []string{"orphan", "loop1", "loop2"}},
		{"enabling the parent brings them back", "- page:a", []string{"app", "page:a", "card:a/one", "card:a/two", "page:b"}, []string{"orphan", "loop1", "loop2"}},
		{"disabling the root child prunes all", "- app: false", nil, []string{"orphan", "loop1", "loop2"}},
		{"attachTo rescues an orphan", "- orphan: { attachTo: { id: page:b, input: default } }", []string{"app", "page:b", "orphan"}, []string{"loop1", "loop2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tree, err := Resolve(exts, mustOverrides(t, tt.overrides))
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			if got := ids(tree.Nodes()); !slices.Equal(got, tt.kept) {
				t.Fatalf("kept = %v, want %v", got, tt.kept)
			}
			got := tree.Unreachable()
			slices.Sort(got)
			want := slices.Sorted(slices.Values(tt.unreachable))
			if !slices.Equal(got, want) {
				t.Fatalf("unreachable = %v, want %v", got, want)
			}
		})
	}
}

func TestResolveConfig(t *testing.T) {
	app := Extension{ID: "app", AttachTo: AttachTo{RootID, "app"}}
	routes := Extension{ID: "app/routes", AttachTo: AttachTo{"app", "routes"}}
	page := Page(PageSpec{Namespace: "catalog", Path: "/catalog"})
	nested := Extension{
		ID: "page:nested", AttachTo: AttachPage(), Disabled: true,
		ConfigSchema: `{"type":"object","properties":{
			"layout":{"type":"object","default":{},"properties":{"columns":{"type":"integer","default":2}}},
			"items":{"type":"array","items":{"type":"object","properties":{"size":{"type":"string","default":"m"}}}},
			"limit":{"type":"integer","minimum":1}},
			"required":["limit"],"additionalProperties":false}`,
	}
	tests := []struct {
		name, id, overrides string
		want                map[string]any
	}{
		{"defaults applied", "page:catalog", ``, map[string]any{"path": "/catalog"}},
		{"config replaces", "page:catalog", "- page:catalog: { config: { path: / } }", map[string]any{"path": "/"}},
		{"later config replaces earlier", "page:catalog", "- page:catalog: { config: { path: /a } }\n- page:catalog: { config: { path: /b } }", map[string]any{"path": "/b"}},
		{"entry without config keeps earlier config", "page:catalog", "- page:catalog: { config: { path: /a } }\n- page:catalog", map[string]any{"path": "/a"}},
		{"nested defaults", "page:nested", "- page:nested: { config: { limit: 3, items: [{}, {size: l}] } }",
			map[string]any{"limit": 3, "layout": map[string]any{"columns": 2.0}, "items": []any{map[string]any{"size": "m"}, map[string]any{"size": "l"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tree, err := Resolve([]Extension{app, routes, page, nested}, mustOverrides(t, tt.overrides))
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			n, ok := tree.Node(tt.id)
			if !ok {
				t.Fatalf("node %s not kept", tt.id)
			}
			if !equalJSON(n.Config, tt.want) {
				t.Fatalf("config = %#v, want %#v", n.Config, tt.want)
			}
		})
	}
}

func equalJSON(a, b any) bool {
	if fa, ok := jsvalue.Number(a); ok {
		fb, ok := jsvalue.Number(b)
		return ok && fa == fb
	}
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			if !equalJSON(v, y[k]) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		return ok && slices.EqualFunc(x, y, func(p, q any) bool { return equalJSON(p, q) })
	}
	return a == b
}

func TestResolveErrors(t *testing.T) {
	base := []Extension{
		{ID: "app", AttachTo: AttachTo{RootID, "app"}},
		{ID: "app/routes", AttachTo: AttachTo{"app", "routes"}},
		{ID: "page:catalog/entity", AttachTo: AttachTo{"app/routes", "routes"}},
		{ID: "entity-content:catalog/overview", AttachTo: AttachTo{"page:catalog/entity", "contents"}},
		Page(PageSpec{Namespace: "catalog", Path: "/catalog"}),
		EntityCard(EntityCardSpec{Namespace: "catalog", Name: "links", Type: "info"}),
	}
	tests := []struct {
		name      string
		extra     []Extension
		overrides string
		want      []string
		is        error
	}{
		{"duplicate id", []Extension{Page(PageSpec{Namespace: "catalog"})}, ``, []string{"extension page:catalog: duplicate extension id"}, ErrDuplicateExtension},
		{"root reserved", []Extension{{ID: RootID, AttachTo: AttachTo{"x", "y"}}}, ``, []string{`"root" is reserved`}, nil},
		{"root not configurable", nil, "- root: false", []string{"app.extensions[0] root: the root cannot be configured"}, nil},
		{"bad declared id", []Extension{{ID: "page:", AttachTo: AttachPage()}}, ``, []string{"extension page:: extension id"}, nil},
		{"missing attachTo", []Extension{{ID: "page:x"}}, ``, []string{"extension page:x: attachTo: needs both"}, nil},
		{"bad schema", []Extension{{ID: "page:x", AttachTo: AttachPage(), ConfigSchema: `{"type": 3}`}}, ``, []string{"extension page:x: configSchema: compile config schema"}, nil},
		{"unknown config key", nil, "- page:catalog: { config: { pth: / } }", []string{"app.extensions[0] page:catalog: config: additional properties 'pth' not allowed"}, nil},
		{"wrong config type", nil, "- x\n- page:catalog: { config: { path: 3 } }", []string{"app.extensions[1] page:catalog: config.path: got number, want string"}, nil},
		{"bad card type", nil, "- entity-card:catalog/links: { config: { type: peek } }", []string{"app.extensions[0] entity-card:catalog/links: config.type: value must be one of"}, nil},
		{"bad filter string", nil, "- a\n- b\n- c\n- entity-card:catalog/links: { config: { filter: 'kind:component is:lonely' } }",
			[]string{"app.extensions[3] entity-card:catalog/links: config.filter: 'lonely' is not a valid parameter for 'is'"}, nil},
		{"bad filter object", nil, "- entity-card:catalog/links: { config: { filter: { kind: { $in: api } } } }",
			[]string{"app.extensions[0] entity-card:catalog/links: config.filter: kind.$in: must be a list"}, nil},
		{"bad default filter", []Extension{EntityCard(EntityCardSpec{Namespace: "x", Filter: "kind"})}, ``,
			[]string{"extension entity-card:x: filter: 'kind' is not a valid filter expression"}, nil},
		{"required config missing", []Extension{{ID: "page:req", AttachTo: AttachPage(), ConfigSchema: `{"required": ["limit"]}`}}, "- page:req", []string{"app.extensions[0] page:req: config: missing property 'limit'"}, nil},
		{"config of disabled extension not checked", nil, "- entity-card:catalog/links: { disabled: true, config: { type: peek } }", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exts := append(slices.Clone(base), tt.extra...)
			overrides, err := ParseOverrides(decodeYAML(t, tt.overrides))
			if err != nil {
				t.Fatalf("ParseOverrides: %v", err)
			}
			// Entries naming a, b, c, x exist only to shift indexes; declare them.
			for _, id := range []string{"a", "b", "c", "x"} {
				exts = append(exts, ext(id, "nowhere", false))
			}
			_, err = Resolve(exts, overrides)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Resolve: unexpected error %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Resolve: no error, want %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Fatalf("Resolve error\n%v\nwant it to contain %q", err, w)
				}
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Fatalf("errors.Is(%v, %v) = false", err, tt.is)
			}
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("error %v is not a *ConfigError", err)
			}
		})
	}
}

func TestResolveFilterOverride(t *testing.T) {
	exts := []Extension{
		{ID: "page:catalog/entity", AttachTo: AttachTo{RootID, "app"}},
		EntityContent(EntityContentSpec{Namespace: "api-docs", Name: "definition", Path: "/definition", Title: "Definition", Filter: map[string]any{"kind": "api"}}),
		EntityContent(EntityContentSpec{Namespace: "techdocs", Path: "/docs", Title: "Docs"}),
	}
	tests := []struct {
		name, overrides string
		kind            string
		want            []string
	}{
		{"default object filter", ``, "API", []string{"entity-content:api-docs/definition", "entity-content:techdocs"}},
		{"default filter excludes", ``, "Component", []string{"entity-content:techdocs"}},
		{"config string filter overrides", "- entity-content:techdocs: { config: { filter: 'not:kind:api' } }", "API", []string{"entity-content:techdocs", "entity-content:api-docs/definition"}[1:]},
		{"config filter overrides default", "- entity-content:api-docs/definition: { config: { filter: kind:component } }", "Component", []string{"entity-content:api-docs/definition", "entity-content:techdocs"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tree, err := Resolve(exts, mustOverrides(t, tt.overrides))
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			got := ids(tree.ChildrenFor("page:catalog/entity", "contents", map[string]any{"kind": tt.kind}))
			if !slices.Equal(got, tt.want) {
				t.Fatalf("tabs for %s = %v, want %v", tt.kind, got, tt.want)
			}
		})
	}
}

// TestResolveUnknownExtensions: a config written for Backstage names extensions of plugins
// Portico does not ship (create-app's home-page-widget:home/toolkit); they are ignored, reported
// once per entry, with a "did you mean" for near-misses of declared IDs.
func TestResolveUnknownExtensions(t *testing.T) {
	exts := []Extension{
		{ID: "app", AttachTo: AttachTo{RootID, "app"}},
		{ID: "app/routes", AttachTo: AttachTo{"app", "routes"}},
		Page(PageSpec{Namespace: "catalog", Path: "/catalog"}),
		Page(PageSpec{Namespace: "home", Path: "/home"}),
		EntityCard(EntityCardSpec{Namespace: "catalog", Name: "links", Type: "info"}),
	}
	tests := []struct {
		name, overrides string
		want            []Unknown
	}{
		{"backstage widgets", "- page:catalog\n- home-page-widget:home/toolkit\n- home-page-widget:home/world-clock: { config: { x: 1 } }",
			[]Unknown{{Index: 1, ID: "home-page-widget:home/toolkit"}, {Index: 2, ID: "home-page-widget:home/world-clock"}}},
		{"typo within distance 2", "- page:catalgo", []Unknown{{Index: 0, ID: "page:catalgo", Suggestion: "page:catalog"}}},
		{"same suffix, other kind", "- entity-content:catalog/links: false", []Unknown{{Index: 0, ID: "entity-content:catalog/links", Suggestion: "entity-card:catalog/links"}}},
		{"disabled unknown still reported", "- page:kubernetes: false", []Unknown{{Index: 0, ID: "page:kubernetes"}}},
		{"repeated entry reported per entry", "- page:nope\n- page:nope: false", []Unknown{{Index: 0, ID: "page:nope", Suggestion: "page:home"}, {Index: 1, ID: "page:nope", Suggestion: "page:home"}}},
		{"known only", "- page:catalog", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tree, err := Resolve(exts, mustOverrides(t, tt.overrides))
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			if got := tree.Unknown(); !slices.Equal(got, tt.want) {
				t.Fatalf("Unknown() = %+v, want %+v", got, tt.want)
			}
			if _, ok := tree.Node("page:catalog"); !ok {
				t.Fatal("page:catalog not kept")
			}
		})
	}
	if got := (Unknown{Index: 3, ID: "page:catalgo", Suggestion: "page:catalog"}).String(); got != "app.extensions[3] page:catalgo: unknown extension, ignored (no installed plugin provides it); did you mean page:catalog?" {
		t.Fatalf("String() = %q", got)
	}
}
