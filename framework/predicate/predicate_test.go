package predicate

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func ptr(s string) *string { return &s }

// rows is a document's flattened rows: "key=value", or "key" alone for a null value.
func rows(kv ...string) []Row {
	out := make([]Row, len(kv))
	for i, s := range kv {
		k, v, ok := strings.Cut(s, "=")
		out[i] = Row{Key: k}
		if ok {
			out[i].Value = ptr(v)
		}
	}
	return out
}

// TestParseAndMatchRows parses predicate bodies and evaluates them over rows, as the catalog's
// search table holds them (lower-cased, numbers as JavaScript writes them).
func TestParseAndMatchRows(t *testing.T) {
	doc := rows("kind=component", "spec.type=service", "spec.zero=0", "spec.big=1e+21", "spec.sum=0.30000000000000004",
		"metadata.title=i\u0307stanbul", "metadata.tags=java", "metadata.tags=go", "spec.empty", "spec.flag=true")
	tests := []struct {
		name, body string
		want       bool
	}{
		{"primitive", `{"kind":"Component"}`, true},
		{"negative zero is 0", `{"spec.zero":-0}`, true},
		{"1e21", `{"spec.big":1e21}`, true},
		{"0.1+0.2", `{"spec.sum":0.30000000000000004}`, true},
		{"boolean", `{"spec.flag":true}`, true},
		{"dotted capital I", `{"metadata.title":"İSTANBUL"}`, true},
		{"dotted capital I is not I", `{"metadata.title":"ISTANBUL"}`, false},
		{"in", `{"metadata.tags":{"$in":["python","GO"]}}`, true},
		{"empty in", `{"metadata.tags":{"$in":[]}}`, false},
		{"exists on a null value", `{"spec.empty":{"$exists":true}}`, true},
		{"not exists", `{"spec.owner":{"$exists":false}}`, true},
		{"exists by truthiness", `{"spec.owner":{"$exists":0}}`, true},
		{"prefix", `{"spec.type":{"$hasPrefix":"SERV"}}`, true},
		{"prefix on null", `{"spec.empty":{"$hasPrefix":""}}`, false},
		{"all", `{"$all":[{"kind":"component"},{"spec.type":"service"}]}`, true},
		{"empty all matches nothing", `{"$all":[]}`, false},
		{"empty any matches nothing", `{"$any":[]}`, false},
		{"not", `{"$not":{"kind":"api"}}`, true},
		{"empty object matches everything", `{}`, true},
		{"several keys are all required", `{"kind":"component","spec.type":"website"}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Parse(json.RawMessage(tt.body))
			if err != nil {
				t.Fatalf("Parse(%s): %v", tt.body, err)
			}
			if got := MatchRows(*e, doc); got != tt.want {
				t.Errorf("MatchRows(%s = %s) = %v, want %v", tt.body, e, got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ body, want string }{
		{`"component"`, `Invalid filter predicate: top-level primitive values are not supported. Wrap the value in a field expression, e.g. { "kind": "component" }`},
		{`{"$all":{}}`, `Invalid filter predicate: $all must be an array, but got {}`},
		{`{"kind":{"$eq":"x"}}`, `Invalid filter predicate value for field "kind": expected a primitive value, $exists, $in, or $hasPrefix operator, but got {"$eq":"x"}`},
		{strings.Repeat(`{"$not":`, MaxDepth+2) + `{}` + strings.Repeat(`}`, MaxDepth+2), `Invalid filter predicate: nesting deeper than 64 levels`},
	}
	for _, tt := range tests {
		if _, err := Parse(json.RawMessage(tt.body)); err == nil || err.Error() != tt.want {
			t.Errorf("Parse(%.60s) = %v, want %q", tt.body, err, tt.want)
		}
	}
}

func TestSize(t *testing.T) {
	e := All(In("a", "1", "2"), Not(Exists("b")), Any(HasPrefix("c", "x")))
	if n, v := e.Size(); n != 6 || v != 2 {
		t.Errorf("Size(%s) = %d nodes, %d values; want 6, 2", e, n, v)
	}
}

// TestCompileFunc evaluates predicates over a document as Backstage's evaluateFilterPredicate
// does: strings equal when toLocaleUpperCase('en-US') makes them equal, numbers as their
// JavaScript strings.
func TestCompileFunc(t *testing.T) {
	doc := map[string]any{
		"kind": "Component",
		"metadata": map[string]any{
			"name": "straße", "tags": []any{"java", "Go"},
			"annotations": map[string]any{"github.com/project-slug": "org/repo"},
		},
		"spec": map[string]any{"zero": math.Copysign(0, -1), "big": 1e21, "port": 8080.0, "kelvin": "\u212a"},
	}
	tests := []struct {
		name string
		pred map[string]any
		want bool
	}{
		{"case-insensitive", map[string]any{"kind": "component"}, true},
		{"ß upper-cases to SS", map[string]any{"metadata.name": "STRASSE"}, true},
		{"the Kelvin sign is not k", map[string]any{"spec.kelvin": "k"}, false},
		{"number equals its string", map[string]any{"spec.port": "8080"}, true},
		{"negative zero is 0", map[string]any{"spec.zero": "0"}, true},
		{"1e21 is 1e+21", map[string]any{"spec.big": "1e+21"}, true},
		{"dotted annotation key", map[string]any{"metadata.annotations.github.com/project-slug": "ORG/REPO"}, true},
		{"contains", map[string]any{"metadata.tags": map[string]any{"$contains": "go"}}, true},
		{"list equality", map[string]any{"metadata.tags": []any{"JAVA", "go"}}, true},
		{"prefix with ß", map[string]any{"metadata.name": map[string]any{"$hasPrefix": "STRAS"}}, true},
		{"in", map[string]any{"kind": map[string]any{"$in": []any{"api", "COMPONENT"}}}, true},
		{"exists false", map[string]any{"spec.owner": map[string]any{"$exists": false}}, true},
		{"not", map[string]any{"$not": map[string]any{"kind": "api"}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := CompileFunc(tt.pred)
			if err != nil {
				t.Fatalf("CompileFunc(%v): %v", tt.pred, err)
			}
			if got := f(doc); got != tt.want {
				t.Errorf("CompileFunc(%v)(doc) = %v, want %v", tt.pred, got, tt.want)
			}
		})
	}
}
