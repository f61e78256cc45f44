package extension

import (
	"strings"
	"testing"
)

// FuzzParseFilterExpression checks that any input either fails to parse or yields a filter that
// evaluates without panicking, and that "not:" negates a single well-formed term. The seed corpus
// lives in testdata/fuzz/FuzzParseFilterExpression.
func FuzzParseFilterExpression(f *testing.F) {
	for _, s := range []string{"kind:component", "not:kind:api", "is:orphan has:links"} {
		f.Add(s)
	}
	entities := []map[string]any{
		{"kind": "Component", "metadata": map[string]any{"labels": map[string]any{"a": "b"}}, "spec": map[string]any{"type": "service"}},
		{"kind": "API", "metadata": map[string]any{"annotations": map[string]any{"backstage.io/orphan": "true"}, "links": []any{map[string]any{}}}},
		{"kind": 3, "metadata": "x", "spec": nil},
		{},
	}
	f.Fuzz(func(t *testing.T, expr string) {
		filter, err := ParseFilterExpression(expr)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("empty error message for %q", expr)
			}
			return
		}
		for _, e := range entities {
			filter.Match(e)
		}
		if expr == "" || strings.HasPrefix(expr, "not:") || strings.IndexFunc(expr, isJSSpace) >= 0 {
			return
		}
		negated, err := ParseFilterExpression("not:" + expr)
		if err != nil {
			t.Fatalf("%q parses but not:%q does not: %v", expr, expr, err)
		}
		for _, e := range entities[:2] {
			if filter.Match(e) == negated.Match(e) {
				t.Fatalf("not:%q does not negate %q on %v", expr, expr, e)
			}
		}
	})
}
