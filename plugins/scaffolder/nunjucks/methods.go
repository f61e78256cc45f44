package nunjucks

import (
	"github.com/portico-dev/portico/framework/jsvalue"

	"strings"
	"unicode"
)

// stringMethod returns the JavaScript (and Jinja-compat Python) string methods templates use:
// `name.toUpperCase()`, `name.split("-")[0]`, `name.replace("a", "b")`, `name.upper()`…
func stringMethod(s, name string) method {
	switch name {
	case "toUpperCase", "upper":
		return func([]any) (any, error) { return jsvalue.Upper(s), nil }
	case "toLowerCase", "lower":
		return func([]any) (any, error) { return jsvalue.Lower(s), nil }
	case "trim", "strip":
		return func(args []any) (any, error) {
			if isSet(arg(args, 0)) {
				return strings.Trim(s, jsString(args[0])), nil
			}
			return strings.TrimSpace(s), nil
		}
	case "trimStart", "lstrip":
		return func([]any) (any, error) { return strings.TrimLeftFunc(s, unicode.IsSpace), nil }
	case "trimEnd", "rstrip":
		return func([]any) (any, error) { return strings.TrimRightFunc(s, unicode.IsSpace), nil }
	case "toString":
		return func([]any) (any, error) { return s, nil }
	case "capitalize":
		return func([]any) (any, error) { return capitalize(s), nil }
	case "title":
		return func([]any) (any, error) { return title(s), nil }
	case "split":
		return func(args []any) (any, error) {
			var parts []string
			sep := arg(args, 0)
			switch {
			case !isSet(sep):
				if name == "split" && len(args) == 0 {
					// Python's split() splits on runs of whitespace; JavaScript's returns
					// [s]. Templates calling split() without arguments expect Python's.
					parts = strings.Fields(s)
				} else {
					parts = []string{s}
				}
			default:
				if re, ok := sep.(*regexValue); ok {
					parts = re.re.Split(s, -1)
				} else {
					parts = strings.Split(s, jsString(sep))
					if jsString(sep) == "" {
						parts = splitChars(s)
					}
				}
			}
			if lim := arg(args, 1); isSet(lim) {
				n := int(toNumber(lim))
				if n >= 0 && n < len(parts) {
					parts = parts[:n]
				}
			}
			out := make([]any, len(parts))
			for i, p := range parts {
				out[i] = p
			}
			return out, nil
		}
	case "replace", "replaceAll":
		return func(args []any) (any, error) {
			repl := jsString(arg(args, 1))
			if re, ok := arg(args, 0).(*regexValue); ok {
				return regexReplace(re, s, repl, name == "replaceAll"), nil
			}
			old := jsString(arg(args, 0))
			if name == "replaceAll" {
				return strings.ReplaceAll(s, old, repl), nil
			}
			return strings.Replace(s, old, repl, 1), nil
		}
	case "startsWith", "startswith":
		return func(args []any) (any, error) { return strings.HasPrefix(s, jsString(arg(args, 0))), nil }
	case "endsWith", "endswith":
		return func(args []any) (any, error) { return strings.HasSuffix(s, jsString(arg(args, 0))), nil }
	case "includes":
		return func(args []any) (any, error) { return strings.Contains(s, jsString(arg(args, 0))), nil }
	case "indexOf", "find":
		return func(args []any) (any, error) {
			return float64(runeIndex(s, strings.Index(s, jsString(arg(args, 0))))), nil
		}
	case "lastIndexOf":
		return func(args []any) (any, error) {
			return float64(runeIndex(s, strings.LastIndex(s, jsString(arg(args, 0))))), nil
		}
	case "count":
		return func(args []any) (any, error) { return float64(strings.Count(s, jsString(arg(args, 0)))), nil }
	case "charAt":
		return func(args []any) (any, error) {
			r := []rune(s)
			i := int(toNumber(arg(args, 0)))
			if !isSet(arg(args, 0)) {
				i = 0
			}
			if i < 0 || i >= len(r) {
				return "", nil
			}
			return string(r[i]), nil
		}
	case "slice", "substring", "substr":
		return func(args []any) (any, error) {
			r := []rune(s)
			n := len(r)
			start, end := 0, n
			if isSet(arg(args, 0)) {
				start = int(toNumber(args[0]))
			}
			if isSet(arg(args, 1)) {
				end = int(toNumber(args[1]))
				if name == "substr" {
					end = start + end
				}
			}
			if name == "substring" {
				start, end = max(start, 0), max(end, 0)
				if start > end {
					start, end = end, start
				}
			} else {
				if start < 0 {
					start += n
				}
				if end < 0 && name == "slice" {
					end += n
				}
			}
			start, end = min(max(start, 0), n), min(max(end, 0), n)
			if start >= end {
				return "", nil
			}
			return string(r[start:end]), nil
		}
	case "concat":
		return func(args []any) (any, error) {
			var b strings.Builder
			b.WriteString(s)
			for _, a := range args {
				b.WriteString(jsString(a))
			}
			return b.String(), nil
		}
	case "padStart", "padEnd":
		return func(args []any) (any, error) {
			width := int(toNumber(arg(args, 0)))
			pad := " "
			if isSet(arg(args, 1)) {
				pad = jsString(args[1])
			}
			n := len([]rune(s))
			if width <= n || pad == "" || width > maxOutput {
				return s, nil
			}
			fill := []rune(strings.Repeat(pad, width-n))[:width-n]
			if name == "padStart" {
				return string(fill) + s, nil
			}
			return s + string(fill), nil
		}
	case "repeat":
		return func(args []any) (any, error) {
			n := int(toNumber(arg(args, 0)))
			if n < 0 || n*len(s) > maxOutput {
				return nil, renderErr("invalid count value: %d", n)
			}
			return strings.Repeat(s, n), nil
		}
	case "isupper":
		return func([]any) (any, error) { return s != "" && jsvalue.Upper(s) == s && jsvalue.Lower(s) != s, nil }
	case "islower":
		return func([]any) (any, error) { return s != "" && jsvalue.Lower(s) == s && jsvalue.Upper(s) != s, nil }
	case "match":
		return func(args []any) (any, error) {
			re, ok := arg(args, 0).(*regexValue)
			if !ok {
				return nil, renderErr("match needs a regular expression")
			}
			if re.global {
				ms := re.re.FindAllString(s, -1)
				if ms == nil {
					return nil, nil
				}
				out := make([]any, len(ms))
				for i, m := range ms {
					out[i] = m
				}
				return out, nil
			}
			sub := re.re.FindStringSubmatch(s)
			if sub == nil {
				return nil, nil
			}
			out := make([]any, len(sub))
			for i, m := range sub {
				out[i] = m
			}
			return out, nil
		}
	}
	return nil
}

func splitChars(s string) []string {
	var out []string
	for _, r := range s {
		out = append(out, string(r))
	}
	return out
}

func runeIndex(s string, byteIdx int) int {
	if byteIdx < 0 {
		return -1
	}
	return len([]rune(s[:byteIdx]))
}

// regexReplace is String#replace with a regular expression: every match when the regex has
// the g flag (or all is set), else the first. $1… and $& work in repl.
func regexReplace(re *regexValue, s, repl string, all bool) string {
	tmpl := strings.ReplaceAll(repl, "$&", "${0}")
	if all || re.global {
		return re.re.ReplaceAllString(s, tmpl)
	}
	loc := re.re.FindStringSubmatchIndex(s)
	if loc == nil {
		return s
	}
	var dst []byte
	dst = re.re.ExpandString(dst, tmpl, s, loc)
	return s[:loc[0]] + string(dst) + s[loc[1]:]
}

func arrayMethod(a []any, name string) method {
	switch name {
	case "join":
		return func(args []any) (any, error) {
			sep := ","
			if isSet(arg(args, 0)) {
				sep = jsString(args[0])
			}
			parts := make([]string, len(a))
			for i, e := range a {
				parts[i] = outputString(e)
			}
			return strings.Join(parts, sep), nil
		}
	case "includes":
		return func(args []any) (any, error) { return contains(a, arg(args, 0)) }
	case "indexOf":
		return func(args []any) (any, error) {
			for i, e := range a {
				if strictEqual(e, arg(args, 0)) {
					return float64(i), nil
				}
			}
			return float64(-1), nil
		}
	case "slice":
		return func(args []any) (any, error) {
			n := len(a)
			start, end := 0, n
			if isSet(arg(args, 0)) {
				start = int(toNumber(args[0]))
			}
			if isSet(arg(args, 1)) {
				end = int(toNumber(args[1]))
			}
			if start < 0 {
				start += n
			}
			if end < 0 {
				end += n
			}
			start, end = min(max(start, 0), n), min(max(end, 0), n)
			if start >= end {
				return []any{}, nil
			}
			return append([]any{}, a[start:end]...), nil
		}
	case "concat":
		return func(args []any) (any, error) {
			out := append([]any{}, a...)
			for _, x := range args {
				if arr, ok := x.([]any); ok {
					out = append(out, arr...)
				} else {
					out = append(out, x)
				}
			}
			return out, nil
		}
	case "reverse":
		return func([]any) (any, error) {
			out := make([]any, len(a))
			for i, e := range a {
				out[len(a)-1-i] = e
			}
			return out, nil
		}
	case "toString":
		return func([]any) (any, error) { return jsString(a), nil }
	}
	return nil
}

// dictMethod is Nunjucks' object methods; items, keys and values follow the object's key
// order.
func dictMethod(m *object, name string) method {
	switch name {
	case "items":
		return func([]any) (any, error) {
			out := make([]any, 0, m.Len())
			for _, k := range m.Keys() {
				v, _ := m.Get(k)
				out = append(out, []any{k, v})
			}
			return out, nil
		}
	case "keys":
		return func([]any) (any, error) {
			out := make([]any, 0, m.Len())
			for _, k := range m.Keys() {
				out = append(out, k)
			}
			return out, nil
		}
	case "values":
		return func([]any) (any, error) {
			out := make([]any, 0, m.Len())
			for _, k := range m.Keys() {
				v, _ := m.Get(k)
				out = append(out, v)
			}
			return out, nil
		}
	case "get":
		return func(args []any) (any, error) {
			if v, ok := m.Get(jsString(arg(args, 0))); ok {
				return v, nil
			}
			if len(args) > 1 {
				return args[1], nil
			}
			return nil, nil
		}
	case "hasOwnProperty", "has_key":
		return func(args []any) (any, error) {
			_, ok := m.Get(jsString(arg(args, 0)))
			return ok, nil
		}
	}
	return nil
}
