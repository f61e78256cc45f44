package extension

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// CompilePredicate compiles Backstage's object filter predicate. Keys are dot-separated paths
// into the entity (object keys may contain dots: "metadata.annotations.github.com/repo"); values
// are matched against the value found there:
//
//	{kind: component, spec.type: service}      every key must match (AND)
//	{$all: [p…]} {$any: [p…]} {$not: p}         logical operators, each the only key of its object
//	{spec.type: {$in: [service, website]}}       one of the listed values
//	{spec.owner: {$exists: true}}                the path is present (or absent with false)
//	{metadata.tags: {$contains: java}}           the value is a list with a matching element
//	{spec.type: {$hasPrefix: web}}               the value is a string with that prefix
//
// Equality is case-insensitive for strings, a number equals its decimal string (7 and "7"), and
// lists equal lists element by element. null never equals anything. Unlike Backstage's
// evaluator, which silently fails to match unknown operators, compiling rejects them, as
// Backstage's config schema does, so typos surface at start-up.
func CompilePredicate(pred map[string]any) (*EntityFilter, error) {
	m, err := compilePredicate(pred, "")
	if err != nil {
		return nil, err
	}
	return &EntityFilter{src: pred, m: m}, nil
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
	if isPrimitive(v) {
		want := normalizeNumber(v)
		return func(x any) bool { return valuesEqual(x, want) }, nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, pathErr(path, "a predicate must be an object, string, number or boolean, got %s", typeName(v))
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
			return nil, pathErr(opPath, "must be a list of predicates, got %s", typeName(obj[op]))
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
	for _, key := range sortedKeys(obj) {
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
			val, present := valueAtPath(x, c.path)
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
	if isPrimitive(v) || isList(v) {
		if l, ok := v.([]any); ok {
			for i, item := range l {
				if !isPrimitive(item) {
					return nil, pathErr(fmt.Sprintf("%s[%d]", path, i), "must be a string, number or boolean, got %s", typeName(item))
				}
			}
		}
		want := normalizeNumber(v)
		return func(x any, present bool) bool { return present && valuesEqual(x, want) }, nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, pathErr(path, "must be a value or a value operator, got %s", typeName(v))
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
				return nil, pathErr(opPath, "must be a boolean, got %s", typeName(arg))
			}
			return func(_ any, present bool) bool { return present == want }, nil
		case "$in":
			list, ok := arg.([]any)
			if !ok {
				return nil, pathErr(opPath, "must be a list of strings, numbers or booleans, got %s", typeName(arg))
			}
			wants := make([]any, len(list))
			for i, item := range list {
				if !isPrimitive(item) {
					return nil, pathErr(fmt.Sprintf("%s[%d]", opPath, i), "must be a string, number or boolean, got %s", typeName(item))
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
				return nil, pathErr(opPath, "must be a string, got %s", typeName(arg))
			}
			upper := strings.ToUpper(prefix)
			return func(x any, _ bool) bool {
				s, ok := x.(string)
				return ok && strings.HasPrefix(strings.ToUpper(s), upper)
			}, nil
		}
		return nil, pathErr(path, "unknown value operator %s, expected $exists, $in, $contains or $hasPrefix", op)
	}
	panic("unreachable")
}

func isPrimitive(v any) bool {
	switch v.(type) {
	case string, bool:
		return true
	}
	_, ok := toFloat(v)
	return ok
}

func isList(v any) bool {
	_, ok := v.([]any)
	return ok
}

// toFloat converts any Go numeric type (as produced by JSON, YAML or hand-built maps) to float64.
func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int:
		return float64(n), true
	case int8:
		return float64(n), true
	case int16:
		return float64(n), true
	case int32:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint:
		return float64(n), true
	case uint8:
		return float64(n), true
	case uint16:
		return float64(n), true
	case uint32:
		return float64(n), true
	case uint64:
		return float64(n), true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

// normalizeNumber turns any numeric filter operand into float64 so comparisons need one path.
func normalizeNumber(v any) any {
	if f, ok := toFloat(v); ok {
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
			return strings.EqualFold(x, y)
		}
	case bool:
		if y, ok := b.(bool); ok {
			return x == y
		}
	}
	_, aNum := toFloat(a)
	_, bNum := toFloat(b)
	if aNum || bNum {
		return jsString(a) == jsString(b)
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

// jsString is JavaScript's String(value) for JSON values.
func jsString(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case []any:
		parts := make([]string, len(x))
		for i, item := range x {
			if item != nil {
				parts[i] = jsString(item)
			}
		}
		return strings.Join(parts, ",")
	case map[string]any:
		return "[object Object]"
	}
	if f, ok := toFloat(v); ok {
		return jsNumber(f)
	}
	return fmt.Sprint(v)
}

func jsNumber(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		return "0"
	}
	if abs := math.Abs(f); abs >= 1e21 || abs < 1e-6 {
		s := strconv.FormatFloat(f, 'e', -1, 64)
		mant, exp, _ := strings.Cut(s, "e")
		sign := exp[0]
		exp = strings.TrimLeft(exp[1:], "0")
		return mant + "e" + string(sign) + exp
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}
