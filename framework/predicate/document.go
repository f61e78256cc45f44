package predicate

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/portico-dev/portico/framework/jsvalue"
)

// CompileFunc compiles a predicate object evaluated over a JSON document, as Backstage's
// evaluateFilterPredicate evaluates UI extension filters. Keys are dot-separated paths into the
// document (object keys may contain dots: "metadata.annotations.github.com/repo"); values are
// matched against the value found there (see the package documentation for the operators).
//
// Equality is case-insensitive for strings (toLocaleUpperCase, so "straße" equals "STRASSE"), a
// number equals its JavaScript string (7 and "7"), and lists equal lists element by element.
// null never equals anything. Unlike Backstage's evaluator, which silently fails to match
// unknown operators, compiling rejects them, as Backstage's config schema does, so typos
// surface at start-up. The function is safe for concurrent use.
func CompileFunc(pred map[string]any) (func(document any) bool, error) {
	return compilePredicate(pred, "")
}

type predicateFunc = func(v any) bool

func pathErr(path, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if path == "" {
		return fmt.Errorf("%s", msg)
	}
	return fmt.Errorf("%s: %s", path, msg)
}

func joinPath(base, key string) string {
	if base == "" {
		return key
	}
	return base + "." + key
}

func compilePredicate(v any, path string) (predicateFunc, error) {
	if jsvalue.IsPrimitive(v) {
		want := normalizeNumber(v)
		return func(x any) bool { return valuesEqual(x, want) }, nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, pathErr(path, "a predicate must be an object, string, number or boolean, got %s", TypeName(v))
	}
	for _, op := range []string{"$all", "$any", "$not"} {
		if _, ok := obj[op]; !ok {
			continue
		}
		opPath := joinPath(path, op)
		if len(obj) != 1 {
			return nil, pathErr(path, "operator %s must be the only key in its object, wrap in $all to combine with other conditions", op)
		}
		if op == "$not" {
			inner, err := compilePredicate(obj[op], opPath)
			if err != nil {
				return nil, err
			}
			return func(x any) bool { return !inner(x) }, nil
		}
		list, ok := obj[op].([]any)
		if !ok {
			return nil, pathErr(opPath, "must be a list of predicates, got %s", TypeName(obj[op]))
		}
		parts := make([]predicateFunc, len(list))
		for i, item := range list {
			p, err := compilePredicate(item, fmt.Sprintf("%s[%d]", opPath, i))
			if err != nil {
				return nil, err
			}
			parts[i] = p
		}
		if op == "$all" {
			return func(x any) bool {
				for _, p := range parts {
					if !p(x) {
						return false
					}
				}
				return true
			}, nil
		}
		return func(x any) bool {
			for _, p := range parts {
				if p(x) {
					return true
				}
			}
			return false
		}, nil
	}

	type cond struct {
		path  string
		match func(v any, present bool) bool
	}
	conds := make([]cond, 0, len(obj))
	for _, key := range slices.Sorted(maps.Keys(obj)) {
		if strings.HasPrefix(key, "$") {
			return nil, pathErr(path, "unknown operator %s, expected $all, $any or $not", key)
		}
		m, err := compileValueMatcher(obj[key], joinPath(path, key))
		if err != nil {
			return nil, err
		}
		conds = append(conds, cond{path: key, match: m})
	}
	return func(x any) bool {
		for _, c := range conds {
			val, present := ValueAtPath(x, c.path)
			if !c.match(val, present) {
				return false
			}
		}
		return true
	}, nil
}

func compileValueMatcher(v any, path string) (func(v any, present bool) bool, error) {
	if v == nil {
		return nil, pathErr(path, "null is not a valid value; use {$exists: false} to match a missing value")
	}
	if jsvalue.IsPrimitive(v) || isList(v) {
		if l, ok := v.([]any); ok {
			for i, item := range l {
				if !jsvalue.IsPrimitive(item) {
					return nil, pathErr(fmt.Sprintf("%s[%d]", path, i), "must be a string, number or boolean, got %s", TypeName(item))
				}
			}
		}
		want := normalizeNumber(v)
		return func(x any, present bool) bool { return present && valuesEqual(x, want) }, nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, pathErr(path, "must be a value or a value operator, got %s", TypeName(v))
	}
	if len(obj) != 1 {
		return nil, pathErr(path, "a value operator object must have exactly one of $exists, $in, $contains, $hasPrefix, got %d keys", len(obj))
	}
	for op, arg := range obj {
		opPath := joinPath(path, op)
		switch op {
		case "$exists":
			want, ok := arg.(bool)
			if !ok {
				return nil, pathErr(opPath, "must be a boolean, got %s", TypeName(arg))
			}
			return func(_ any, present bool) bool { return present == want }, nil
		case "$in":
			list, ok := arg.([]any)
			if !ok {
				return nil, pathErr(opPath, "must be a list of strings, numbers or booleans, got %s", TypeName(arg))
			}
			wants := make([]any, len(list))
			for i, item := range list {
				if !jsvalue.IsPrimitive(item) {
					return nil, pathErr(fmt.Sprintf("%s[%d]", opPath, i), "must be a string, number or boolean, got %s", TypeName(item))
				}
				wants[i] = normalizeNumber(item)
			}
			return func(x any, present bool) bool {
				if !present {
					return false
				}
				for _, w := range wants {
					if valuesEqual(x, w) {
						return true
					}
				}
				return false
			}, nil
		case "$contains":
			inner, err := compilePredicate(arg, opPath)
			if err != nil {
				return nil, err
			}
			return func(x any, _ bool) bool {
				list, ok := x.([]any)
				if !ok {
					return false
				}
				for _, item := range list {
					if inner(item) {
						return true
					}
				}
				return false
			}, nil
		case "$hasPrefix":
			prefix, ok := arg.(string)
			if !ok {
				return nil, pathErr(opPath, "must be a string, got %s", TypeName(arg))
			}
			upper := jsvalue.Upper(prefix)
			return func(x any, _ bool) bool {
				s, ok := x.(string)
				return ok && strings.HasPrefix(jsvalue.Upper(s), upper)
			}, nil
		}
		return nil, pathErr(path, "unknown value operator %s, expected $exists, $in, $contains or $hasPrefix", op)
	}
	panic("unreachable")
}

func isList(v any) bool {
	_, ok := v.([]any)
	return ok
}

// normalizeNumber turns any numeric filter operand into float64 so comparisons need one path.
func normalizeNumber(v any) any {
	if f, ok := jsvalue.Number(v); ok {
		return f
	}
	if l, ok := v.([]any); ok {
		out := make([]any, len(l))
		for i, item := range l {
			out[i] = normalizeNumber(item)
		}
		return out
	}
	return v
}

// valuesEqual is Backstage's predicate equality: null equals nothing, strings compare
// case-insensitively, when either side is a number both compare as JavaScript strings, and lists
// compare element by element.
func valuesEqual(a, b any) bool {
	if a == nil || b == nil {
		return false
	}
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			return jsvalue.EqualFold(x, y)
		}
	case bool:
		if y, ok := b.(bool); ok {
			return x == y
		}
	}
	_, aNum := jsvalue.Number(a)
	_, bNum := jsvalue.Number(b)
	if aNum || bNum {
		return jsvalue.String(a) == jsvalue.String(b)
	}
	la, okA := a.([]any)
	lb, okB := b.([]any)
	if okA && okB {
		if len(la) != len(lb) {
			return false
		}
		for i := range la {
			if !valuesEqual(la[i], lb[i]) {
				return false
			}
		}
		return true
	}
	return false
}
