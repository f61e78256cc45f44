package permissions

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

type doc = map[string]any

func testRules(t testing.TB) *RuleSet[doc, string] {
	t.Helper()
	rs, err := NewRuleSet("thing", NewRule(RuleSpec[doc, string]{
		Name: "HAS_COLOR", ResourceType: "thing",
		Params: []ParamSpec{{Name: "colors", Schema: map[string]any{"type": "array", "items": map[string]any{"type": "string"}}, Required: true}},
		Apply: func(d doc, p map[string]any) bool {
			for _, c := range p["colors"].([]any) {
				if c == d["color"] {
					return true
				}
			}
			return false
		},
		ToQuery: func(p map[string]any) string {
			var cs []string
			for _, c := range p["colors"].([]any) {
				cs = append(cs, c.(string))
			}
			return "color in (" + strings.Join(cs, ",") + ")"
		},
	}))
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

var strComb = Combinators[string]{
	All: func(qs ...string) string { return "(" + strings.Join(qs, " and ") + ")" },
	Any: func(qs ...string) string { return "(" + strings.Join(qs, " or ") + ")" },
	Not: func(q string) string { return "not " + q },
}

func TestCriteriaWireFormats(t *testing.T) {
	rs := testRules(t)
	tests := []struct {
		name, in, query string
		red, blue       bool
		err             bool
	}{
		{"current", `{"rule":"HAS_COLOR","resourceType":"thing","params":{"colors":["red"]}}`, "color in (red)", true, false, false},
		{"older positional", `{"rule":"HAS_COLOR","params":[["blue"]]}`, "color in (blue)", false, true, false},
		{"tree", `{"allOf":[{"not":{"rule":"HAS_COLOR","params":{"colors":["red"]}}},{"anyOf":[{"rule":"HAS_COLOR","params":{"colors":["blue","red"]}}]}]}`,
			"(not color in (red) and (color in (blue,red)))", false, true, false},
		{"unknown rule", `{"rule":"NOPE","params":{}}`, "", false, false, true},
		{"bad params", `{"rule":"HAS_COLOR","params":{"colors":"red"}}`, "", false, false, true},
		{"extra params", `{"rule":"HAS_COLOR","params":{"colors":[],"x":1}}`, "", false, false, true},
		{"empty allOf", `{"allOf":[]}`, "", false, false, true},
		{"two kinds", `{"allOf":[{"rule":"HAS_COLOR","params":{"colors":[]}}],"rule":"HAS_COLOR"}`, "", false, false, true},
		{"wrong resource type", `{"rule":"HAS_COLOR","resourceType":"other","params":{"colors":[]}}`, "", false, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c Criteria
			if err := json.Unmarshal([]byte(tt.in), &c); err != nil {
				t.Fatal(err)
			}
			q, err := rs.ToQuery(c, strComb)
			if tt.err {
				if !errors.Is(err, ErrInvalidConditions) {
					t.Fatalf("ToQuery(%s): err %v, want ErrInvalidConditions", tt.in, err)
				}
				return
			}
			if err != nil || q != tt.query {
				t.Fatalf("ToQuery(%s) = %q, %v; want %q", tt.in, q, err, tt.query)
			}
			n, _ := rs.Normalize(c)
			if got := rs.Apply(n, doc{"color": "red"}); got != tt.red {
				t.Errorf("Apply(red) = %v, want %v", got, tt.red)
			}
			if got := rs.Apply(n, doc{"color": "blue"}); got != tt.blue {
				t.Errorf("Apply(blue) = %v, want %v", got, tt.blue)
			}
			// Normalized criteria marshal to the current format.
			b, _ := json.Marshal(n)
			if strings.Contains(string(b), "[[") {
				t.Errorf("normalized criteria still positional: %s", b)
			}
		})
	}
}

func TestPermissionJSON(t *testing.T) {
	var p Permission
	if err := json.Unmarshal([]byte(`{"name":"catalog.entity.read","attributes":{"action":"read"},"resourceType":"catalog-entity"}`), &p); err != nil {
		t.Fatal(err)
	}
	if p.Type != TypeResource || !p.IsResource() || p.Validate() != nil {
		t.Errorf("permission without type: %+v", p)
	}
	b, _ := json.Marshal(Basic("catalog.entity.create", ActionCreate))
	if string(b) != `{"type":"basic","name":"catalog.entity.create","attributes":{"action":"create"}}` {
		t.Errorf("basic permission JSON: %s", b)
	}
	for _, bad := range []Permission{{Type: "basic", Name: ""}, {Type: "basic", Name: "x", ResourceType: "t"}, {Type: "resource", Name: "x"}, {Type: "odd", Name: "x"}} {
		if bad.Validate() == nil {
			t.Errorf("Validate(%+v) = nil, want an error", bad)
		}
	}
}

func TestMatchAttributes(t *testing.T) {
	read := Resource("catalog.entity.read", ActionRead, "catalog-entity")
	del := Resource("catalog.entity.delete", ActionDelete, "catalog-entity")
	attrs := map[string][]string{"action": {"read"}}
	if !MatchAttributes(read, nil, attrs) || MatchAttributes(del, nil, attrs) || !MatchAttributes(del, []string{"catalog.entity.delete"}, nil) {
		t.Error("access restrictions matched wrongly")
	}
}
