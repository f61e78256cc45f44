package extension

import (
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func decodeYAML(t *testing.T, src string) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal([]byte(src), &v); err != nil {
		t.Fatalf("yaml: %v", err)
	}
	return v
}

func TestParseOverrides(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []Override
	}{
		{"absent", ``, nil},
		{"bare id enables", `- entity-card:catalog/about`, []Override{{Index: 0, ID: "entity-card:catalog/about"}}},
		{"null value enables", `- entity-card:catalog/about:`, []Override{{ID: "entity-card:catalog/about"}}},
		{"false disables", `- page:catalog-unprocessed-entities: false`, []Override{{ID: "page:catalog-unprocessed-entities", Disabled: true}}},
		{"true enables", `- page:x: true`, []Override{{ID: "page:x"}}},
		{"string false from env", `- page:x: "false"`, []Override{{ID: "page:x", Disabled: true}}},
		{"long form disabled", `- nav-item:search: { disabled: true }`, []Override{{ID: "nav-item:search", Disabled: true}}},
		{"long form string disabled", `- nav-item:search: { disabled: "true" }`, []Override{{ID: "nav-item:search", Disabled: true}}},
		{"object without disabled enables", `- page:x: { config: { path: /p } }`, []Override{{ID: "page:x", Config: map[string]any{"path": "/p"}}}},
		{"attachTo", "- entity-card:catalog/links:\n    attachTo: { id: entity-content:catalog/overview, input: cards }",
			[]Override{{ID: "entity-card:catalog/links", AttachTo: &AttachTo{"entity-content:catalog/overview", "cards"}}}},
		{"indexes", "- a\n- b: false\n- c", []Override{{Index: 0, ID: "a"}, {Index: 1, ID: "b", Disabled: true}, {Index: 2, ID: "c"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseOverrides(decodeYAML(t, tt.yaml))
			if err != nil {
				t.Fatalf("ParseOverrides(%q): %v", tt.yaml, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("ParseOverrides(%q)\n got %+v\nwant %+v", tt.yaml, got, tt.want)
			}
		})
	}
}

func TestParseOverridesErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string // substrings, all required
	}{
		{"not a list", `app: x`, []string{"app.extensions: must be a list, got object"}},
		{"number item", "- ok\n- 3", []string{"app.extensions[1]: must be an extension id or a map with one key, got number"}},
		{"two keys", `- { a: true, b: false }`, []string{"app.extensions[0]: must have exactly one key (the extension id), got 'a', 'b'"}},
		{"empty map", `- {}`, []string{"app.extensions[0]: must have exactly one key (the extension id), got none"}},
		{"bad id", `- "page: x"`, []string{"app.extensions[0]: extension id \"page: x\" must not contain whitespace"}},
		{"bad value", `- page:x: 3`, []string{"app.extensions[0] page:x: value must be a boolean, 'true', 'false' or an object, got number"}},
		{"bad string value", `- page:x: yes please`, []string{"app.extensions[0] page:x: value must be a boolean"}},
		{"list value", `- page:x: [a]`, []string{"app.extensions[0] page:x: value must be a boolean"}},
		{"unknown key", `- page:x: { at: app/routes }`, []string{"app.extensions[0] page:x: at: unknown key, expected one of 'attachTo', 'config', 'disabled'"}},
		{"disabled not bool", `- page:x: { disabled: maybe }`, []string{"app.extensions[0] page:x: disabled: must be a boolean, 'true' or 'false', got string \"maybe\""}},
		{"disabled null", `- page:x: { disabled: }`, []string{"app.extensions[0] page:x: disabled: must be a boolean"}},
		{"config not object", `- page:x: { config: /p }`, []string{"app.extensions[0] page:x: config: must be an object, got string"}},
		{"config null", `- page:x: { config: }`, []string{"app.extensions[0] page:x: config: must be an object, got null"}},
		{"attachTo not object", `- page:x: { attachTo: app }`, []string{"app.extensions[0] page:x: attachTo: must be an object"}},
		{"attachTo missing input", `- page:x: { attachTo: { id: app } }`, []string{"app.extensions[0] page:x: attachTo.input: must be a non-empty string"}},
		{"attachTo missing id", `- page:x: { attachTo: { input: routes } }`, []string{"app.extensions[0] page:x: attachTo.id: must be a non-empty string"}},
		{"attachTo extra key", `- page:x: { attachTo: { id: a, input: b, c: d } }`, []string{"app.extensions[0] page:x: attachTo.c: unknown key"}},
		{"all errors reported", "- 1\n- page:x: { disabled: 2 }", []string{"app.extensions[0]:", "app.extensions[1] page:x: disabled:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseOverrides(decodeYAML(t, tt.yaml))
			if err == nil {
				t.Fatalf("ParseOverrides(%q): no error", tt.yaml)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Fatalf("ParseOverrides(%q) error\n%v\nwant it to contain %q", tt.yaml, err, w)
				}
			}
		})
	}
}
