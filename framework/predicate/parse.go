package predicate

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/portico-dev/portico/framework/jsvalue"
)

// MaxDepth bounds nesting so a hostile body cannot exhaust the stack.
const MaxDepth = 64

// Parse parses a predicate body over flattened rows, as Backstage's catalog reads the query of
// POST /entities/by-query and POST /entity-facets (catalog-api.md §3.3): $all, $any, $not, and
// field expressions with a primitive, $exists, $in or $hasPrefix. Keys and values are
// lower-cased. An absent or null predicate yields nil (no filtering). Errors carry Backstage's
// message word for word.
func Parse(raw json.RawMessage) (*Expr, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	v, err := jsvalue.DecodeJSON(raw)
	if err != nil {
		return nil, errorf("Invalid filter predicate: %v", err)
	}
	e, err := parsePredicateValue(v, 0)
	if err != nil {
		return nil, err
	}
	return &e, nil
}

// object is a JSON object as JSON.parse reads it (jsvalue.DecodeJSON), in JavaScript's key
// order, which Backstage's messages (JSON.stringify: jsvalue.Stringify) show.
type object = *jsvalue.Object

// primitive returns the string form of a JSON string, number or boolean (JavaScript's
// String(value)).
func primitive(v any) (string, bool) {
	if !jsvalue.IsPrimitive(v) {
		return "", false
	}
	return jsvalue.String(v), true
}

// errorf makes an error whose message is Backstage's.
func errorf(format string, args ...any) error {
	return fmt.Errorf(format, args...)
}

func parsePredicateValue(v any, depth int) (Expr, error) {
	if depth > MaxDepth {
		return Expr{}, errorf("Invalid filter predicate: nesting deeper than %d levels", MaxDepth)
	}
	switch x := v.(type) {
	case nil:
		return True(), nil
	case object:
		if sub, ok := x.Get("$all"); ok {
			return parseLogical(OpAll, "$all", sub, depth)
		}
		if sub, ok := x.Get("$any"); ok {
			return parseLogical(OpAny, "$any", sub, depth)
		}
		if sub, ok := x.Get("$not"); ok {
			inner, err := parsePredicateValue(sub, depth+1)
			if err != nil {
				return Expr{}, err
			}
			return Not(inner), nil
		}
		return parseFieldExpression(x)
	default:
		return Expr{}, errorf("Invalid filter predicate: top-level primitive values are not supported. Wrap the value in a field expression, e.g. { \"kind\": %s }", jsvalue.Stringify(v, ""))
	}
}

func parseLogical(op Op, name string, sub any, depth int) (Expr, error) {
	items, ok := sub.([]any)
	if !ok {
		return Expr{}, errorf("Invalid filter predicate: %s must be an array, but got %s", name, jsvalue.Stringify(sub, ""))
	}
	var args []Expr
	for _, it := range items {
		e, err := parsePredicateValue(it, depth+1)
		if err != nil {
			return Expr{}, err
		}
		args = append(args, e)
	}
	return Expr{Op: op, Args: args}, nil
}

func parseFieldExpression(o object) (Expr, error) {
	args := make([]Expr, 0, o.Len())
	for _, k := range o.Keys() {
		v, _ := o.Get(k)
		e, err := parseFieldValue(k, v)
		if err != nil {
			return Expr{}, err
		}
		args = append(args, e)
	}
	switch len(args) {
	case 0:
		return True(), nil
	case 1:
		return args[0], nil
	}
	return All(args...), nil
}

func parseFieldValue(key string, v any) (Expr, error) {
	bad := func() error {
		return errorf("Invalid filter predicate value for field %q: expected a primitive value, $exists, $in, or $hasPrefix operator, but got %s", key, jsvalue.Stringify(v, ""))
	}
	if s, ok := primitive(v); ok {
		return In(key, s), nil
	}
	o, ok := v.(object)
	if !ok {
		return Expr{}, bad()
	}
	if ex, ok := o.Get("$exists"); ok {
		// JavaScript truthiness of the operand decides.
		if jsvalue.Truthy(ex) {
			return Exists(key), nil
		}
		return Not(Exists(key)), nil
	}
	if in, ok := o.Get("$in"); ok {
		items, ok := in.([]any)
		if !ok {
			return Expr{}, bad()
		}
		values := make([]string, 0, len(items))
		for _, it := range items {
			s, ok := primitive(it)
			if !ok {
				return Expr{}, bad()
			}
			values = append(values, s)
		}
		if len(values) == 0 {
			return Any(), nil
		}
		return In(key, values...), nil
	}
	if p, ok := o.Get("$hasPrefix"); ok {
		s, ok := p.(string)
		if !ok {
			return Expr{}, bad()
		}
		return HasPrefix(key, s), nil
	}
	return Expr{}, bad()
}
