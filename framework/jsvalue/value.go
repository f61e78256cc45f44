package jsvalue

import (
	"math"
	"strings"
)

// String is JavaScript's String(value) for the values decoded JSON or YAML holds: null is
// "null", booleans "true"/"false", numbers as FormatNumber, arrays their elements joined by
// "," (null elements empty), objects "[object Object]".
func String(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case bool:
		if x {
			return "true"
		}
		return "false"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			if e != nil {
				parts[i] = String(e)
			}
		}
		return strings.Join(parts, ",")
	case []string:
		return strings.Join(x, ",")
	}
	if f, ok := Number(v); ok {
		return FormatNumber(f)
	}
	return "[object Object]"
}

// Truthy is JavaScript's truthiness: null, false, 0, -0, NaN and "" are false; everything
// else (every array and object) is true.
func Truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	}
	if f, ok := Number(v); ok {
		return f != 0 && !math.IsNaN(f)
	}
	return true
}

// IsPrimitive reports whether v is a JSON string, number or boolean.
func IsPrimitive(v any) bool {
	switch v.(type) {
	case string, bool:
		return true
	}
	_, ok := Number(v)
	return ok
}

// JSONType names the JSON type of a decoded value: "null", "boolean", "string", "number"
// (every Go number type), "array" ([]any, []string) or "object" (map[string]any,
// map[string]string, *Object); "" for a Go value JSON has no type for.
func JSONType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case []any, []string:
		return "array"
	case map[string]any, map[string]string, *Object:
		return "object"
	}
	if _, ok := Number(v); ok {
		return "number"
	}
	return ""
}
