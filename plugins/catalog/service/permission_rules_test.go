package service_test

import (
	"encoding/json"
	"testing"

	"github.com/portico-dev/portico/plugins/catalog/service"
)

// TestEntityRulesApplyAgreesWithSearchTable pins the in-memory Apply of each catalog rule to
// what its ToQuery finds in the search table: values as JavaScript's String() and
// toLocaleLowerCase('en-US') write them (-0 is "0", İ is "i̇"), arrays matched by element,
// and keys the table does not index (metadata.etag) never matched.
func TestEntityRulesApplyAgreesWithSearchTable(t *testing.T) {
	entity := map[string]any{}
	if err := json.Unmarshal([]byte(`{"apiVersion":"backstage.io/v1alpha1","kind":"Component",
		"metadata":{"name":"svc","namespace":"default","uid":"u1","etag":"e1",
			"labels":{"city":"İSTANBUL"},"annotations":{"backstage.io/source-location":"url:x"},"tags":["Java","go"]},
		"spec":{"zero":-0,"big":1e21,"type":"service","owner":"Team-A","empty":null},
		"relations":[{"type":"ownedBy","targetRef":"group:default/Team-A"}]}`), &entity); err != nil {
		t.Fatal(err)
	}
	rules := map[string]service.EntityRule{}
	for _, r := range service.EntityRules() {
		rules[r.Name()] = r
	}
	tests := []struct {
		name   string
		rule   string
		params map[string]any
		want   bool
	}{
		{"negative zero is indexed as 0", "HAS_SPEC", map[string]any{"key": "zero", "value": "0"}, true},
		{"negative zero is not -0", "HAS_SPEC", map[string]any{"key": "zero", "value": "-0"}, false},
		{"exponent form", "HAS_SPEC", map[string]any{"key": "big", "value": "1e+21"}, true},
		{"dotted İ lower-cases to i and a combining dot", "HAS_LABEL", map[string]any{"label": "city", "value": "i̇stanbul"}, true},
		{"dotted İ is not a plain i", "HAS_LABEL", map[string]any{"label": "city", "value": "istanbul"}, false},
		{"annotation with dots exists", "HAS_ANNOTATION", map[string]any{"annotation": "backstage.io/source-location"}, true},
		{"array element, case-insensitive", "HAS_METADATA", map[string]any{"key": "tags", "value": "JAVA"}, true},
		{"null value exists as a row", "HAS_SPEC", map[string]any{"key": "empty"}, true},
		{"etag is not indexed", "HAS_METADATA", map[string]any{"key": "etag"}, false},
		{"kind", "IS_ENTITY_KIND", map[string]any{"kinds": []any{"user", "component"}}, true},
		{"other kind", "IS_ENTITY_KIND", map[string]any{"kinds": []any{"user"}}, false},
		{"owner claim", "IS_ENTITY_OWNER", map[string]any{"claims": []any{"group:default/team-a"}}, true},
		{"other owner", "IS_ENTITY_OWNER", map[string]any{"claims": []any{"group:default/team-b"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rules[tt.rule].Apply(entity, tt.params); got != tt.want {
				t.Errorf("%s%v.Apply = %v, want %v", tt.rule, tt.params, got, tt.want)
			}
		})
	}
}
