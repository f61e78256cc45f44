package model

import (
	"encoding/json"
	"maps"
	"slices"
	"unicode/utf8"
)

// jsonWriter writes JSON the way JavaScript's JSON.stringify does (no HTML escaping, the same
// number formatting), with object keys in sorted order so output is stable.
type jsonWriter struct {
	b []byte
}

const hexDigits = "0123456789abcdef"

func (w *jsonWriter) str(s string) {
	w.b = append(w.b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			w.b = append(w.b, s[start:i]...)
			switch c {
			case '"', '\\':
				w.b = append(w.b, '\\', c)
			case '\n':
				w.b = append(w.b, '\\', 'n')
			case '\r':
				w.b = append(w.b, '\\', 'r')
			case '\t':
				w.b = append(w.b, '\\', 't')
			case '\b':
				w.b = append(w.b, '\\', 'b')
			case '\f':
				w.b = append(w.b, '\\', 'f')
			default:
				w.b = append(w.b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			// Invalid UTF-8 cannot come from JSON or YAML input; write the replacement character.
			w.b = append(w.b, s[start:i]...)
			w.b = append(w.b, "\ufffd"...)
			i++
			start = i
			continue
		}
		i += size
	}
	w.b = append(w.b, s[start:]...)
	w.b = append(w.b, '"')
}

func (w *jsonWriter) value(v any) {
	switch t := v.(type) {
	case nil:
		w.b = append(w.b, "null"...)
	case bool:
		if t {
			w.b = append(w.b, "true"...)
		} else {
			w.b = append(w.b, "false"...)
		}
	case string:
		w.str(t)
	case map[string]any:
		writeSortedObject(w, t, w.value)
	case map[string]string:
		writeSortedObject(w, t, w.str)
	case []any:
		writeArray(w, t, w.value)
	case []string:
		writeArray(w, t, w.str)
	default:
		if f, ok := asFloat(v); ok {
			w.b = appendJSNumber(w.b, f, true)
			return
		}
		// Anything else (structs, typed slices) goes through encoding/json once to become a
		// generic value, so it is written with the same rules.
		raw, err := json.Marshal(v)
		if err != nil {
			w.b = append(w.b, "null"...)
			return
		}
		var generic any
		if err := json.Unmarshal(raw, &generic); err != nil {
			w.b = append(w.b, "null"...)
			return
		}
		w.value(generic)
	}
}

// writeSortedObject writes m with its keys in sorted order, each value written by val.
func writeSortedObject[V any](w *jsonWriter, m map[string]V, val func(V)) {
	w.b = append(w.b, '{')
	for i, k := range slices.Sorted(maps.Keys(m)) {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.str(k)
		w.b = append(w.b, ':')
		val(m[k])
	}
	w.b = append(w.b, '}')
}

// writeArray writes a, each element written by val.
func writeArray[V any](w *jsonWriter, a []V, val func(V)) {
	w.b = append(w.b, '[')
	for i, x := range a {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		val(x)
	}
	w.b = append(w.b, ']')
}

// object writes an object whose known keys come first in a fixed order.
type objectWriter struct {
	w     *jsonWriter
	count int
}

func (w *jsonWriter) object() *objectWriter {
	w.b = append(w.b, '{')
	return &objectWriter{w: w}
}

func (o *objectWriter) key(k string) {
	if o.count > 0 {
		o.w.b = append(o.w.b, ',')
	}
	o.count++
	o.w.str(k)
	o.w.b = append(o.w.b, ':')
}

// str writes a string field unless it is empty.
func (o *objectWriter) str(k, v string) {
	if v == "" {
		return
	}
	o.key(k)
	o.w.str(v)
}

// extra writes unknown keys in sorted order, skipping any that collide with known ones.
func (o *objectWriter) extra(m map[string]any, known func(string) bool) {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if known(k) {
			continue
		}
		o.key(k)
		o.w.value(m[k])
	}
}

func (o *objectWriter) end() {
	o.w.b = append(o.w.b, '}')
}

// StableJSON encodes a generic value as JavaScript's JSON.stringify would after sorting every
// object's keys (the fast-json-stable-stringify form Backstage hashes). Typed values such as
// *Entity are first converted with their Value method when they have one.
func StableJSON(v any) []byte {
	if vv, ok := v.(interface{ Value() map[string]any }); ok {
		v = vv.Value()
	}
	w := jsonWriter{b: make([]byte, 0, 512)}
	w.value(v)
	return w.b
}
