package nunjucks

import (
	"maps"
	"slices"

	"github.com/portico-dev/portico/framework/jsvalue"

	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"
)

// undefinedType is JavaScript's undefined: a missing variable or attribute. It renders as the
// empty string and is distinct from null.
type undefinedType struct{}

var undefined = undefinedType{}

// regexValue is a regular-expression literal (r/…/flags).
type regexValue struct {
	source, flags string
	re            *regexp.Regexp
	global        bool
}

func newRegex(source, flags string) (*regexValue, error) {
	prefix := ""
	if strings.Contains(flags, "i") {
		prefix += "i"
	}
	if strings.Contains(flags, "m") {
		prefix += "m"
	}
	pat := source
	if prefix != "" {
		pat = "(?" + prefix + ")" + source
	}
	re, err := regexp.Compile(pat)
	if err != nil {
		return nil, fmt.Errorf("invalid regular expression r/%s/: %w", source, err)
	}
	return &regexValue{source: source, flags: flags, re: re, global: strings.Contains(flags, "g")}, nil
}

// object is the interpreter's object: its keys in JavaScript's order, which `| dump`,
// `{% for k, v in obj %}`, items() and the filters that walk objects follow.
type object = jsvalue.Object

// newObject returns an object of the key/value pairs kv, in that order.
func newObject(kv ...any) *object {
	o := jsvalue.NewObject(len(kv) / 2)
	for i := 0; i+1 < len(kv); i += 2 {
		o.Set(kv[i].(string), kv[i+1])
	}
	return o
}

// normalize converts Go values into the JSON-like values the interpreter works on: nil,
// bool, float64, string, []any, *object (and Funcs). A map[string]any becomes an object with
// its keys sorted (a map has no order to keep). Other types go through JSON.
func normalize(v any) any {
	switch x := v.(type) {
	case nil, bool, float64, string, undefinedType, *regexValue, Func, Filter, method, Kwargs:
		return x
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case int32:
		return float64(x)
	case uint:
		return float64(x)
	case uint64:
		return float64(x)
	case uint32:
		return float64(x)
	case float32:
		return float64(x)
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return x.String()
		}
		return f
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalize(e)
		}
		return out
	case []string:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = e
		}
		return out
	case *object:
		if x == nil {
			return nil
		}
		if isNormal(x) {
			return x // shared, not copied: the interpreter never changes an object it is given
		}
		out := jsvalue.NewObject(x.Len())
		for _, k := range x.Keys() {
			e, _ := x.Get(k)
			out.Set(k, normalize(e))
		}
		return out
	case map[string]any:
		out := jsvalue.NewObject(len(x))
		for _, k := range slices.Sorted(maps.Keys(x)) {
			out.Set(k, normalize(x[k]))
		}
		return out
	case map[string]string:
		out := jsvalue.NewObject(len(x))
		for _, k := range slices.Sorted(maps.Keys(x)) {
			out.Set(k, x[k])
		}
		return out
	case func(args ...any) (any, error):
		return Func(x)
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return nil
		}
	case reflect.Func:
		return undefined
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	out, err := jsvalue.DecodeJSON(b)
	if err != nil {
		return fmt.Sprint(v)
	}
	return out
}

// isNormal reports whether v holds only interpreter values already.
func isNormal(v any) bool {
	switch x := v.(type) {
	case nil, bool, float64, string, undefinedType, *regexValue, Func, Filter, method, Kwargs:
		return true
	case []any:
		for _, e := range x {
			if !isNormal(e) {
				return false
			}
		}
		return true
	case *object:
		if x == nil {
			return false
		}
		for _, k := range x.Keys() {
			if e, _ := x.Get(k); !isNormal(e) {
				return false
			}
		}
		return true
	}
	return false
}

// truthy is JavaScript truthiness: false, 0, NaN, "", null and undefined are false; every
// array and object is true.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil, undefinedType:
		return false
	case bool:
		return x
	case float64:
		return x != 0 && !math.IsNaN(x)
	case string:
		return x != ""
	}
	return true
}

// jsString is JavaScript's String(v).
func jsString(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case undefinedType:
		return "undefined"
	case bool:
		if x {
			return "true"
		}
		return "false"
	case float64:
		return jsvalue.FormatNumber(x)
	case string:
		return x
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			if e == nil || e == any(undefined) {
				continue
			}
			parts[i] = jsString(e)
		}
		return strings.Join(parts, ",")
	case *object:
		return "[object Object]"
	case *regexValue:
		return "/" + x.source + "/" + x.flags
	case Func, Filter, method:
		return "function () { [native code] }"
	}
	return fmt.Sprint(v)
}

// outputString is how an expression's value is written into the template output: null and
// undefined render as nothing.
func outputString(v any) string {
	if v == nil || v == any(undefined) {
		return ""
	}
	return jsString(v)
}

// toNumber is JavaScript's Number(v).
func toNumber(v any) float64 {
	switch x := v.(type) {
	case nil:
		return 0
	case bool:
		if x {
			return 1
		}
		return 0
	case float64:
		return x
	case string:
		s := strings.TrimSpace(x)
		if s == "" {
			return 0
		}
		if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
			n, err := strconv.ParseInt(s[2:], 16, 64)
			if err != nil {
				return math.NaN()
			}
			return float64(n)
		}
		switch s {
		case "Infinity", "+Infinity":
			return math.Inf(1)
		case "-Infinity":
			return math.Inf(-1)
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return math.NaN()
		}
		return f
	case []any:
		switch len(x) {
		case 0:
			return 0
		case 1:
			return toNumber(jsString(x[0]))
		}
	}
	return math.NaN()
}

func isNumber(v any) bool { _, ok := v.(float64); return ok }

// looseEqual is JavaScript's == for JSON-like values; arrays and objects compare by content
// (JavaScript compares identity, which templates cannot observe usefully).
func looseEqual(a, b any) bool {
	an := a == nil || a == any(undefined)
	bn := b == nil || b == any(undefined)
	if an || bn {
		return an && bn
	}
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			return x == y
		}
		if _, ok := b.(*object); ok {
			return false
		}
		return toNumber(x) == toNumber(b)
	case float64:
		if _, ok := b.(*object); ok {
			return false
		}
		return x == toNumber(b)
	case bool:
		return looseEqual(toNumber(x), b)
	}
	if y, ok := b.(bool); ok {
		return looseEqual(a, toNumber(y))
	}
	if _, ok := b.(string); ok {
		if _, isArr := a.([]any); isArr {
			return jsString(a) == b
		}
	}
	return reflect.DeepEqual(a, b)
}

// strictEqual is JavaScript's ===.
func strictEqual(a, b any) bool {
	if reflect.TypeOf(a) != reflect.TypeOf(b) {
		return false
	}
	return looseEqual(a, b)
}

// compare implements <, >, <=, >= with JavaScript's coercions: strings compare as strings,
// anything else as numbers, and a comparison involving NaN is false.
func compare(op string, a, b any) bool {
	a, b = toPrimitive(a), toPrimitive(b)
	as, aok := a.(string)
	bs, bok := b.(string)
	var c int
	if aok && bok {
		c = strings.Compare(as, bs)
	} else {
		x, y := toNumber(a), toNumber(b)
		if math.IsNaN(x) || math.IsNaN(y) {
			return false
		}
		switch {
		case x < y:
			c = -1
		case x > y:
			c = 1
		}
	}
	switch op {
	case "<":
		return c < 0
	case ">":
		return c > 0
	case "<=":
		return c <= 0
	default:
		return c >= 0
	}
}

// toJSON is JSON.stringify(v, null, indent); ok is false for undefined (and functions), whose
// JSON.stringify is undefined.
func toJSON(v any, indent string) (string, bool, error) {
	if v == any(undefined) {
		return "", false, nil
	}
	switch v.(type) {
	case Func, Filter, method:
		return "", false, nil
	}
	return jsvalue.Stringify(jsonable(v), indent), true, nil
}

// jsonable maps interpreter values to what JSON.stringify would write: undefined object
// members are dropped, undefined array elements and non-finite numbers become null.
func jsonable(v any) any {
	switch x := v.(type) {
	case undefinedType, Func, Filter, method:
		return nil
	case float64:
		switch {
		case math.IsNaN(x) || math.IsInf(x, 0):
			return nil
		case x == 0:
			return 0.0 // JSON.stringify(-0) is 0
		}
		return x
	case *regexValue:
		return jsvalue.NewObject(0)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonable(e)
		}
		return out
	case *object:
		out := jsvalue.NewObject(x.Len())
		for _, k := range x.Keys() {
			e, _ := x.Get(k)
			switch e.(type) {
			case undefinedType, Func, Filter, method:
				continue
			}
			out.Set(k, jsonable(e))
		}
		return out
	}
	return v
}

// plain converts an interpreter value into a JSON value for callers, objects as
// *jsvalue.Object in their order: undefined becomes nil, and is dropped from objects.
func plain(v any) any {
	switch x := v.(type) {
	case undefinedType, Func, Filter, method:
		return nil
	case *regexValue:
		return jsString(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plain(e)
		}
		return out
	case *object:
		out := jsvalue.NewObject(x.Len())
		for _, k := range x.Keys() {
			e, _ := x.Get(k)
			if e == any(undefined) {
				continue
			}
			out.Set(k, plain(e))
		}
		return out
	}
	return v
}

// toPrimitive is JavaScript's ToPrimitive for comparisons: arrays and objects become their
// string form.
func toPrimitive(v any) any {
	switch v.(type) {
	case []any, *object, *regexValue:
		return jsString(v)
	}
	return v
}
