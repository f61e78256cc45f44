package jsvalue

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// Stringify is JSON.stringify(v, null, indent) for JSON values: null, booleans, strings,
// every Go number type (NaN and the infinities as null), []any, []string, *Object (in its
// key order) and map[string]any, map[string]string (keys sorted: a map has no order). It
// writes what JavaScript writes: numbers as AppendJSONNumber, no HTML escaping, U+2028 and
// U+2029 as they are, "[]" and "{}" for empty containers, and with an indent, one member a
// line and ": " after keys. A value of another type is written as null.
func Stringify(v any, indent string) string {
	var sb strings.Builder
	appendJSON(&sb, v, indent, "")
	return sb.String()
}

func appendJSON(sb *strings.Builder, v any, indent, prefix string) {
	switch x := v.(type) {
	case nil:
		sb.WriteString("null")
	case bool:
		if x {
			sb.WriteString("true")
		} else {
			sb.WriteString("false")
		}
	case string:
		quote(sb, x)
	case []any:
		writeList(sb, len(x), indent, prefix, func(i int, p string) { appendJSON(sb, x[i], indent, p) })
	case []string:
		writeList(sb, len(x), indent, prefix, func(i int, _ string) { quote(sb, x[i]) })
	case *Object:
		if x == nil {
			sb.WriteString("null")
			return
		}
		writeMembers(sb, x.keys, indent, prefix, func(k, p string) { appendJSON(sb, x.vals[k], indent, p) })
	case map[string]any:
		writeMembers(sb, sortedKeys(x), indent, prefix, func(k, p string) { appendJSON(sb, x[k], indent, p) })
	case map[string]string:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		writeMembers(sb, keys, indent, prefix, func(k, _ string) { quote(sb, x[k]) })
	default:
		if f, ok := Number(v); ok {
			sb.Write(AppendJSONNumber(nil, f))
			return
		}
		sb.WriteString("null")
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func writeList(sb *strings.Builder, n int, indent, prefix string, elem func(i int, prefix string)) {
	if n == 0 {
		sb.WriteString("[]")
		return
	}
	inner := prefix + indent
	sb.WriteByte('[')
	for i := 0; i < n; i++ {
		if i > 0 {
			sb.WriteByte(',')
		}
		if indent != "" {
			sb.WriteString("\n" + inner)
		}
		elem(i, inner)
	}
	if indent != "" {
		sb.WriteString("\n" + prefix)
	}
	sb.WriteByte(']')
}

func writeMembers(sb *strings.Builder, keys []string, indent, prefix string, val func(k, prefix string)) {
	if len(keys) == 0 {
		sb.WriteString("{}")
		return
	}
	inner := prefix + indent
	sb.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			sb.WriteByte(',')
		}
		if indent != "" {
			sb.WriteString("\n" + inner)
		}
		quote(sb, k)
		sb.WriteByte(':')
		if indent != "" {
			sb.WriteByte(' ')
		}
		val(k, inner)
	}
	if indent != "" {
		sb.WriteString("\n" + prefix)
	}
	sb.WriteByte('}')
}

// quote writes s as JSON.stringify quotes a string: the short escapes for ", \, \b, \f,
// \n, \r, \t, \u00XX for the other control characters, everything else as it is (bytes
// that are not UTF-8 as U+FFFD).
func quote(sb *strings.Builder, s string) {
	const hex = "0123456789abcdef"
	sb.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			sb.WriteRune(r)
			i += n
			continue
		}
		switch c {
		case '"':
			sb.WriteString(`\"`)
		case '\\':
			sb.WriteString(`\\`)
		case '\b':
			sb.WriteString(`\b`)
		case '\f':
			sb.WriteString(`\f`)
		case '\n':
			sb.WriteString(`\n`)
		case '\r':
			sb.WriteString(`\r`)
		case '\t':
			sb.WriteString(`\t`)
		default:
			if c < 0x20 {
				sb.WriteString(`\u00`)
				sb.WriteByte(hex[c>>4])
				sb.WriteByte(hex[c&0xF])
			} else {
				sb.WriteByte(c)
			}
		}
		i++
	}
	sb.WriteByte('"')
}
