package model

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

// The helpers in this file work on generic JSON values: nil, bool, float64, string, []any and
// map[string]any. Go integers, json.Number, []string and map[string]string are accepted too, so
// that specs built in Go code validate and encode the same way.

// jsonType returns the JSON Schema type name of a generic value.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case float64, float32, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, json.Number:
		return "number"
	case []any, []string:
		return "array"
	case map[string]any, map[string]string:
		return "object"
	default:
		return "object"
	}
}

// asFloat returns the numeric value of a generic number.
func asFloat(v any) (float64, bool) {
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

// asObject returns a generic object, converting map[string]string.
func asObject(v any) (map[string]any, bool) {
	switch m := v.(type) {
	case map[string]any:
		return m, true
	case map[string]string:
		out := make(map[string]any, len(m))
		for k, s := range m {
			out[k] = s
		}
		return out, true
	}
	return nil, false
}

// asArray returns a generic array, converting []string.
func asArray(v any) ([]any, bool) {
	switch a := v.(type) {
	case []any:
		return a, true
	case []string:
		out := make([]any, len(a))
		for i, s := range a {
			out[i] = s
		}
		return out, true
	}
	return nil, false
}

// escapePointer escapes one JSON pointer reference token (RFC 6901).
func escapePointer(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// unescapePointer reverses escapePointer.
func unescapePointer(s string) string {
	if !strings.Contains(s, "~") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
}

// splitPointer splits a JSON pointer into unescaped tokens; "" yields none.
func splitPointer(p string) []string {
	if p == "" {
		return nil
	}
	parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for i, s := range parts {
		parts[i] = unescapePointer(s)
	}
	return parts
}

// appendJSNumber formats a number as JavaScript's Number#toString and JSON.stringify do
// (JSON.stringify writes null for NaN and infinities; asJSON selects that behaviour).
func appendJSNumber(b []byte, f float64, asJSON bool) []byte {
	switch {
	case math.IsNaN(f):
		if asJSON {
			return append(b, "null"...)
		}
		return append(b, "NaN"...)
	case math.IsInf(f, 1):
		if asJSON {
			return append(b, "null"...)
		}
		return append(b, "Infinity"...)
	case math.IsInf(f, -1):
		if asJSON {
			return append(b, "null"...)
		}
		return append(b, "-Infinity"...)
	case f == 0:
		return append(b, '0')
	}
	format := byte('f')
	if abs := math.Abs(f); abs < 1e-6 || abs >= 1e21 {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// JavaScript writes 1e-7 where Go writes 1e-07.
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// jsString renders a value as JavaScript's String(value) does, which is how Backstage embeds
// found values in its field format messages.
func jsString(v any) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case string:
		return t
	case bool:
		if t {
			return "true"
		}
		return "false"
	case []any:
		parts := make([]string, len(t))
		for i, x := range t {
			if x != nil {
				parts[i] = jsString(x)
			}
		}
		return strings.Join(parts, ",")
	case []string:
		return strings.Join(t, ",")
	case map[string]any, map[string]string:
		return "[object Object]"
	}
	if f, ok := asFloat(v); ok {
		return string(appendJSNumber(nil, f, false))
	}
	return "[object Object]"
}
