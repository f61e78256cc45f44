package nunjucks

import (
	"context"
	"strings"

	"github.com/portico-dev/portico/framework/jsvalue"
)

// RenderString renders a full template (text with `${{ }}`, `{% %}` and `{# #}`) with vars.
// It stops with an error when ctx ends or the render spends its budget (see Limits).
func (e *Engine) RenderString(ctx context.Context, src string, vars map[string]any) (string, error) {
	t, err := e.parse(src)
	if err != nil {
		return "", err
	}
	st, end := e.begin(ctx, vars)
	defer end()
	var b strings.Builder
	if err := st.render(t.nodes, &b); err != nil {
		return "", err
	}
	return b.String(), nil
}

// RenderValue renders every string inside v (maps and slices, recursively; keys are kept)
// with ctx, following Backstage's rules for step inputs, `each`, `if` and outputs:
//
//   - a string that is exactly one `${{ expr }}` yields the expression's value with its JSON
//     type (number, boolean, object, array, null);
//   - other strings render as text;
//   - a string that renders to "" (or to undefined) becomes nil, and is dropped from maps;
//   - a string whose rendering fails is kept as written (Backstage's legacy behaviour), so
//     the error shows up when the action validates its input.
//
// The result holds only JSON-like values (objects as map[string]any). The error reports a
// render stopped because ctx ended or the budget was spent (IsStopped is true for it): then
// nothing is kept.
func (e *Engine) RenderValue(ctx context.Context, v any, vars map[string]any) (any, error) {
	out, err := e.RenderOrdered(ctx, v, vars)
	return jsvalue.Plain(out), err
}

// RenderOrdered is RenderValue with objects as *jsvalue.Object, their keys in JavaScript's
// order: an object written in v keeps its order (a map[string]any in v has none: its keys
// come sorted), and an expression's object value keeps the order it has in the template
// (`each:` over an object iterates in that order, as Backstage's Object.entries).
func (e *Engine) RenderOrdered(ctx context.Context, v any, vars map[string]any) (any, error) {
	st, end := e.begin(ctx, vars)
	defer end()
	out, _ := e.renderValue(v, st)
	if st.stopped != nil {
		return nil, st.stopped
	}
	return out, nil
}

// renderValue returns the rendered value and whether it is present (false for "undefined").
func (e *Engine) renderValue(v any, st *state) (any, bool) {
	switch x := v.(type) {
	case string:
		return e.renderLeaf(x, st)
	case *object:
		out := jsvalue.NewObject(x.Len())
		for _, k := range x.Keys() {
			if st.stopped != nil {
				break
			}
			val, _ := x.Get(k)
			if r, ok := e.renderValue(val, st); ok {
				out.Set(k, r)
			}
		}
		return out, true
	case []any:
		out := make([]any, len(x))
		for i, val := range x {
			if st.stopped != nil {
				break
			}
			r, _ := e.renderValue(val, st)
			out[i] = r
		}
		return out, true
	case []string:
		out := make([]any, len(x))
		for i, val := range x {
			r, _ := e.renderValue(val, st)
			out[i] = r
		}
		return out, true
	}
	n := normalize(v) // a map becomes an object with its keys sorted
	switch n.(type) {
	case *object, []any:
		return e.renderValue(n, st)
	}
	return plain(n), true
}

func (e *Engine) renderLeaf(s string, st *state) (any, bool) {
	if st.tick(1) != nil {
		return nil, false
	}
	if !strings.Contains(s, "{") {
		// Fast path: no tag can start without a brace.
		if s == "" {
			return nil, false
		}
		return s, true
	}
	t, err := e.parse(s)
	if err != nil {
		return s, true
	}
	// Each string renders in a fresh scope: a {% set %} in one must not leak into the next.
	st.frames = []map[string]any{{}}
	if len(t.nodes) == 1 {
		if out, isOut := t.nodes[0].(outputNode); isOut {
			// A single expression keeps its type: Backstage renders `(expr) | dump` and parses
			// the JSON back.
			val, err := st.eval(out.x)
			if err != nil {
				return s, true
			}
			dumped, ok, err := toJSON(val, "")
			if err != nil {
				return s, true
			}
			if st.addOutput(len(dumped)) != nil {
				return nil, false
			}
			if !ok {
				return nil, false
			}
			typed, err := jsvalue.DecodeJSON([]byte(dumped))
			if err != nil {
				return s, true
			}
			return typed, true
		}
		if _, isText := t.nodes[0].(textNode); !isText {
			// A lone tag ({% if %}…) renders as text and, like Backstage, is then read as
			// JSON when it is JSON.
			var b strings.Builder
			if err := st.render(t.nodes, &b); err != nil {
				return s, true
			}
			if st.addOutput(b.Len()) != nil || b.Len() == 0 {
				return nil, false
			}
			if typed, err := jsvalue.DecodeJSON([]byte(b.String())); err == nil {
				return typed, true
			}
			return b.String(), true
		}
	}
	var b strings.Builder
	if err := st.render(t.nodes, &b); err != nil {
		return s, true
	}
	if st.addOutput(b.Len()) != nil || b.Len() == 0 {
		return nil, false
	}
	return b.String(), true
}

// EvalCondition evaluates a step's `if`: false and nil skip; a string is rendered with
// RenderValue and then judged by Backstage's truthiness (false, null, "", 0 and empty arrays
// are false); other values are judged the same way.
func (e *Engine) EvalCondition(ctx context.Context, v any, vars map[string]any) (bool, error) {
	r, err := e.RenderValue(ctx, v, vars)
	if err != nil {
		return false, err
	}
	return IsTruthy(r), nil
}

// IsTruthy is Backstage's step truthiness: JavaScript's, except that an empty array is false.
func IsTruthy(v any) bool {
	if a, ok := v.([]any); ok {
		return len(a) > 0
	}
	return truthy(normalize(v))
}
