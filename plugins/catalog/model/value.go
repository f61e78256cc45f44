package model

import (
	"strings"

	"github.com/portico-dev/portico/framework/jsvalue"
)

// The helpers in this file work on generic JSON values: nil, bool, float64, string, []any and
// map[string]any. Go integers, json.Number, []string and map[string]string are accepted too, so
// that specs built in Go code validate and encode the same way.

// jsonType returns the JSON Schema type name of a generic value (other Go values count as
// objects).
func jsonType(v any) string {
	if t := jsvalue.JSONType(v); t != "" {
		return t
	}
	return "object"
}

// asFloat returns the numeric value of a generic number.
func asFloat(v any) (float64, bool) { return jsvalue.Number(v) }

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
	if asJSON {
		return jsvalue.AppendJSONNumber(b, f)
	}
	return jsvalue.AppendNumber(b, f)
}

// jsString renders a value as JavaScript's String(value) does, which is how Backstage embeds
// found values in its field format messages.
func jsString(v any) string { return jsvalue.String(v) }
