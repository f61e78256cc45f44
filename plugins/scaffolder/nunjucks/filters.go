package nunjucks

import (
	"github.com/portico-dev/portico/framework/jsvalue"

	"fmt"
	"html"
	"math"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// params maps positional arguments and trailing keyword arguments onto named slots, the way
// Nunjucks binds filter parameters. Missing slots are undefined.
func params(args []any, names ...string) []any {
	out := make([]any, len(names))
	for i := range out {
		out[i] = undefined
	}
	var kw Kwargs
	if n := len(args); n > 0 {
		if k, ok := args[n-1].(Kwargs); ok {
			kw = k
			args = args[:n-1]
		}
	}
	for i, a := range args {
		if i < len(out) {
			out[i] = a
		}
	}
	for i, name := range names {
		if v, ok := kw[name]; ok {
			out[i] = v
		}
	}
	return out
}

// str is Nunjucks' normalize(value, ""): null and undefined become "".
func str(v any) string {
	if v == nil || v == any(undefined) {
		return ""
	}
	return jsString(v)
}

func builtinFilters(e *Engine) map[string]Filter {
	f := map[string]Filter{
		"abs": func(v any, _ ...any) (any, error) { return math.Abs(toNumber(v)), nil },
		"batch": func(v any, args ...any) (any, error) {
			p := params(args, "linecount", "fill_with")
			n := int(toNumber(p[0]))
			arr, _ := v.([]any)
			if n <= 0 {
				return nil, fmt.Errorf("batch size must be positive")
			}
			var out []any
			for i := 0; i < len(arr); i += n {
				row := append([]any{}, arr[i:min(i+n, len(arr))]...)
				if isSet(p[1]) {
					for len(row) < n {
						row = append(row, p[1])
					}
				}
				out = append(out, row)
			}
			return orEmpty(out), nil
		},
		"capitalize": func(v any, _ ...any) (any, error) { return capitalize(str(v)), nil },
		"center": func(v any, args ...any) (any, error) {
			s := str(v)
			width := 80
			if p := params(args, "width"); isSet(p[0]) {
				width = int(toNumber(p[0]))
			}
			n := utf8.RuneCountInString(s)
			if n >= width || width > maxOutput {
				return s, nil
			}
			left := (width - n) / 2
			return strings.Repeat(" ", left) + s + strings.Repeat(" ", width-n-left), nil
		},
		"default": defaultFilter,
		"d":       defaultFilter,
		"dictsort": func(v any, args ...any) (any, error) {
			m, ok := v.(*object)
			if !ok {
				return nil, fmt.Errorf("dictsort filter: val must be an object")
			}
			p := params(args, "caseSensitive", "by")
			type kv struct {
				k string
				v any
			}
			items := make([]kv, 0, m.Len())
			for _, k := range m.Keys() {
				x, _ := m.Get(k)
				items = append(items, kv{k, x})
			}
			byValue := jsString(p[1]) == "value"
			cs := truthy(p[0])
			sort.SliceStable(items, func(i, j int) bool {
				var a, b any = items[i].k, items[j].k
				if byValue {
					a, b = items[i].v, items[j].v
				}
				if sa, ok := a.(string); ok && !cs {
					a = jsvalue.Lower(sa)
				}
				if sb, ok := b.(string); ok && !cs {
					b = jsvalue.Lower(sb)
				}
				return compare("<", a, b)
			})
			out := make([]any, len(items))
			for i, it := range items {
				out[i] = []any{it.k, it.v}
			}
			return out, nil
		},
		"dump": func(v any, args ...any) (any, error) {
			indent := ""
			if p := params(args, "spaces"); isSet(p[0]) {
				switch x := p[0].(type) {
				case float64:
					indent = strings.Repeat(" ", min(max(int(x), 0), 10))
				case string:
					indent = x
				}
			}
			s, ok, err := toJSON(v, indent)
			if err != nil || !ok {
				return undefined, err
			}
			return s, nil
		},
		"escape": func(v any, _ ...any) (any, error) { return escapeHTML(str(v)), nil },
		"e":      func(v any, _ ...any) (any, error) { return escapeHTML(str(v)), nil },
		"forceescape": func(v any, _ ...any) (any, error) {
			return escapeHTML(str(v)), nil
		},
		"first": func(v any, _ ...any) (any, error) {
			switch x := v.(type) {
			case []any:
				if len(x) > 0 {
					return x[0], nil
				}
			case string:
				if x != "" {
					r, _ := utf8.DecodeRuneInString(x)
					return string(r), nil
				}
			}
			return undefined, nil
		},
		"last": func(v any, _ ...any) (any, error) {
			switch x := v.(type) {
			case []any:
				if len(x) > 0 {
					return x[len(x)-1], nil
				}
			case string:
				if x != "" {
					r, _ := utf8.DecodeLastRuneInString(x)
					return string(r), nil
				}
			}
			return undefined, nil
		},
		"float": func(v any, args ...any) (any, error) {
			p := params(args, "default")
			f := parseFloatPrefix(str(v))
			if math.IsNaN(f) {
				return p[0], nil
			}
			return f, nil
		},
		"int": func(v any, args ...any) (any, error) {
			p := params(args, "default", "base")
			base := 10
			if isSet(p[1]) {
				base = int(toNumber(p[1]))
			}
			f := parseIntPrefix(str(v), base)
			if math.IsNaN(f) {
				return p[0], nil
			}
			return f, nil
		},
		"groupby": func(v any, args ...any) (any, error) {
			p := params(args, "attribute")
			arr, _ := v.([]any)
			out := jsvalue.NewObject(0)
			for _, it := range arr {
				k := jsString(attrPath(it, p[0]))
				l, _ := out.Get(k)
				list, _ := l.([]any)
				out.Set(k, append(list, it))
			}
			return out, nil
		},
		"indent": func(v any, args ...any) (any, error) {
			p := params(args, "width", "first")
			s := str(v)
			if s == "" {
				return "", nil
			}
			width := 4
			if isSet(p[0]) {
				width = min(max(int(toNumber(p[0])), 0), 1000)
			}
			sp := strings.Repeat(" ", width)
			lines := strings.Split(s, "\n")
			for i, l := range lines {
				if i == 0 && !truthy(p[1]) {
					continue
				}
				lines[i] = sp + l
			}
			return strings.Join(lines, "\n"), nil
		},
		"join": func(v any, args ...any) (any, error) {
			p := params(args, "delimiter", "attribute")
			arr, ok := v.([]any)
			if !ok {
				return v, nil
			}
			parts := make([]string, len(arr))
			for i, it := range arr {
				if isSet(p[1]) {
					it = attrPath(it, p[1])
				}
				parts[i] = outputString(it)
			}
			return strings.Join(parts, str(p[0])), nil
		},
		"length": func(v any, _ ...any) (any, error) {
			switch x := v.(type) {
			case []any:
				return float64(len(x)), nil
			case string:
				return float64(utf8.RuneCountInString(x)), nil
			case *object:
				return float64(x.Len()), nil
			case nil, undefinedType:
				return float64(0), nil
			}
			return undefined, nil // numbers and booleans have no length
		},
		"list": func(v any, _ ...any) (any, error) {
			switch x := v.(type) {
			case []any:
				return x, nil
			case string:
				out := []any{}
				for _, r := range x {
					out = append(out, string(r))
				}
				return out, nil
			case *object:
				out := []any{}
				for _, k := range x.Keys() {
					v, _ := x.Get(k)
					out = append(out, newObject("key", k, "value", v))
				}
				return out, nil
			}
			return nil, fmt.Errorf("list filter: type not iterable")
		},
		"lower":  func(v any, _ ...any) (any, error) { return jsvalue.Lower(str(v)), nil },
		"upper":  func(v any, _ ...any) (any, error) { return jsvalue.Upper(str(v)), nil },
		"urlize": func(v any, args ...any) (any, error) { return urlize(str(v), args...), nil },
		"random": func(v any, _ ...any) (any, error) { return random(v), nil },
		"nl2br": func(v any, _ ...any) (any, error) {
			return newlineRe.ReplaceAllString(str(v), "<br />\n"), nil
		},
		"reject":     func(v any, args ...any) (any, error) { return selectItems(v, args, false, false) },
		"select":     func(v any, args ...any) (any, error) { return selectItems(v, args, true, false) },
		"rejectattr": func(v any, args ...any) (any, error) { return selectItems(v, args, false, true) },
		"selectattr": func(v any, args ...any) (any, error) { return selectItems(v, args, true, true) },
		"replace": func(v any, args ...any) (any, error) {
			p := params(args, "old", "new", "count")
			s := str(v)
			if f, ok := v.(float64); ok {
				s = jsvalue.FormatNumber(f)
			}
			repl := str(p[1])
			if re, ok := p[0].(*regexValue); ok {
				return regexReplace(re, s, repl, false), nil
			}
			old := jsString(p[0])
			n := -1
			if isSet(p[2]) {
				n = int(toNumber(p[2]))
			}
			if old == "" {
				chars := splitChars(s)
				if n < 0 || n > len(chars)+1 {
					return repl + strings.Join(chars, repl) + repl, nil
				}
			}
			return strings.Replace(s, old, repl, n), nil
		},
		"reverse": func(v any, _ ...any) (any, error) {
			switch x := v.(type) {
			case string:
				r := []rune(x)
				for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
					r[i], r[j] = r[j], r[i]
				}
				return string(r), nil
			case []any:
				out := make([]any, len(x))
				for i, e := range x {
					out[len(x)-1-i] = e
				}
				return out, nil
			}
			return v, nil
		},
		"round": func(v any, args ...any) (any, error) {
			p := params(args, "precision", "method")
			prec := 0.0
			if isSet(p[0]) {
				prec = toNumber(p[0])
			}
			factor := math.Pow(10, prec)
			x := toNumber(v) * factor
			switch jsString(p[1]) {
			case "ceil":
				x = math.Ceil(x)
			case "floor":
				x = math.Floor(x)
			default:
				x = math.Floor(x + 0.5) // JavaScript's Math.round
			}
			return x / factor, nil
		},
		"safe": func(v any, _ ...any) (any, error) { return v, nil },
		"slice": func(v any, args ...any) (any, error) {
			p := params(args, "slices", "fill_with")
			arr, _ := v.([]any)
			n := int(toNumber(p[0]))
			if n <= 0 {
				return nil, fmt.Errorf("slice count must be positive")
			}
			per, extra := len(arr)/n, len(arr)%n
			out := []any{}
			offset := 0
			for i := 0; i < n; i++ {
				start := offset + i*per
				if i < extra {
					offset++
				}
				end := offset + (i+1)*per
				part := append([]any{}, arr[start:end]...)
				if isSet(p[1]) && i >= extra && extra > 0 {
					part = append(part, p[1])
				}
				out = append(out, part)
			}
			return out, nil
		},
		"sort": func(v any, args ...any) (any, error) {
			p := params(args, "reverse", "case_sensitive", "attribute")
			arr, ok := v.([]any)
			if !ok {
				return v, nil
			}
			out := append([]any{}, arr...)
			key := func(x any) any {
				if isSet(p[2]) {
					x = attrPath(x, p[2])
				}
				if s, ok := x.(string); ok && !truthy(p[1]) {
					return jsvalue.Lower(s)
				}
				return x
			}
			sort.SliceStable(out, func(i, j int) bool {
				a, b := key(out[i]), key(out[j])
				if truthy(p[0]) {
					return compare(">", a, b)
				}
				return compare("<", a, b)
			})
			return out, nil
		},
		"string": func(v any, _ ...any) (any, error) { return jsString(v), nil },
		"striptags": func(v any, args ...any) (any, error) {
			p := params(args, "preserve_linebreaks")
			s := tagRe.ReplaceAllString(str(v), "")
			if truthy(p[0]) {
				s = edgeSpaceRe.ReplaceAllString(s, "")
				s = spacesRe.ReplaceAllString(s, " ")
				s = crlfRe.ReplaceAllString(s, "\n")
				s = blankLinesRe.ReplaceAllString(s, "\n\n")
				return s, nil
			}
			return strings.Join(strings.Fields(s), " "), nil
		},
		"sum": func(v any, args ...any) (any, error) {
			p := params(args, "attribute", "start")
			total := 0.0
			if isSet(p[1]) {
				total = toNumber(p[1])
			}
			arr, _ := v.([]any)
			for _, it := range arr {
				if isSet(p[0]) {
					it = attrPath(it, p[0])
				}
				total += toNumber(it)
			}
			return total, nil
		},
		"title": func(v any, _ ...any) (any, error) { return title(str(v)), nil },
		"trim":  func(v any, _ ...any) (any, error) { return strings.TrimSpace(str(v)), nil },
		"truncate": func(v any, args ...any) (any, error) {
			p := params(args, "length", "killwords", "end")
			s := str(v)
			length := 255
			if isSet(p[0]) {
				length = int(toNumber(p[0]))
			}
			r := []rune(s)
			if len(r) <= length {
				return s, nil
			}
			var cut string
			if truthy(p[1]) {
				cut = string(r[:length])
			} else {
				idx := strings.LastIndex(string(r[:min(length+1, len(r))]), " ")
				if idx == -1 {
					idx = len(string(r[:length]))
				}
				cut = string(r)[:idx]
			}
			end := "..."
			if isSet(p[2]) {
				end = jsString(p[2])
			}
			return cut + end, nil
		},
		"urlencode": func(v any, _ ...any) (any, error) {
			switch x := v.(type) {
			case string:
				return encodeURIComponent(x), nil
			case *object:
				parts := make([]string, 0, x.Len())
				for _, k := range x.Keys() {
					v, _ := x.Get(k)
					parts = append(parts, encodeURIComponent(k)+"="+encodeURIComponent(jsString(v)))
				}
				return strings.Join(parts, "&"), nil
			case []any:
				parts := make([]string, 0, len(x))
				for _, it := range x {
					pair, _ := it.([]any)
					if len(pair) == 2 {
						parts = append(parts, encodeURIComponent(jsString(pair[0]))+"="+encodeURIComponent(jsString(pair[1])))
					}
				}
				return strings.Join(parts, "&"), nil
			}
			return encodeURIComponent(str(v)), nil
		},
		"wordcount": func(v any, _ ...any) (any, error) {
			return float64(len(wordRe.FindAllString(str(v), -1))), nil
		},
	}
	for name, bf := range backstageFilters(e) {
		f[name] = bf
	}
	return f
}

func orEmpty(a []any) []any {
	if a == nil {
		return []any{}
	}
	return a
}

func defaultFilter(v any, args ...any) (any, error) {
	p := params(args, "default_value", "boolean")
	if truthy(p[1]) {
		if !truthy(v) {
			return p[0], nil
		}
		return v, nil
	}
	if v == any(undefined) {
		return p[0], nil
	}
	return v, nil
}

func capitalize(s string) string {
	s = jsvalue.Lower(s)
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return jsvalue.Upper(string(r)) + s[n:]
}

func title(s string) string {
	words := strings.Split(s, " ")
	for i, w := range words {
		words[i] = capitalize(w)
	}
	return strings.Join(words, " ")
}

func escapeHTML(s string) string {
	return strings.NewReplacer("&", "&amp;", "\"", "&quot;", "'", "&#39;", "<", "&lt;", ">", "&gt;").Replace(html.UnescapeString(s))
}

// encodeURIComponent escapes like JavaScript's function of the same name.
func encodeURIComponent(s string) string {
	e := url.QueryEscape(s)
	e = strings.ReplaceAll(e, "+", "%20")
	for _, c := range []string{"!", "'", "(", ")", "*"} {
		e = strings.ReplaceAll(e, url.QueryEscape(c), c)
	}
	e = strings.ReplaceAll(e, "%7E", "~")
	return e
}

var floatPrefix = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?`)

// Compiled once; read-only.
var (
	newlineRe    = regexp.MustCompile(`\r\n|\n`)
	tagRe        = regexp.MustCompile(`<\/?([a-z][a-z0-9]*)\b[^>]*>|<!--[\s\S]*?-->`)
	edgeSpaceRe  = regexp.MustCompile(`(?m)^ +| +$`)
	spacesRe     = regexp.MustCompile(` +`)
	crlfRe       = regexp.MustCompile(`(\r\n)`)
	blankLinesRe = regexp.MustCompile(`\n\n\n+`)
	wordRe       = regexp.MustCompile(`\w+`)
)

// parseFloatPrefix is JavaScript's parseFloat.
func parseFloatPrefix(s string) float64 {
	s = strings.TrimSpace(s)
	m := floatPrefix.FindString(s)
	if m == "" {
		return math.NaN()
	}
	f, err := strconv.ParseFloat(m, 64)
	if err != nil {
		return math.NaN()
	}
	return f
}

// parseIntPrefix is JavaScript's parseInt.
func parseIntPrefix(s string, base int) float64 {
	s = strings.TrimSpace(s)
	neg := false
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
		neg = s[0] == '-'
		s = s[1:]
	}
	if (base == 16 || base == 0) && (strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X")) {
		s, base = s[2:], 16
	}
	if base == 0 {
		base = 10
	}
	if base < 2 || base > 36 {
		return math.NaN()
	}
	end := 0
	for end < len(s) {
		d := digitVal(s[end])
		if d < 0 || d >= base {
			break
		}
		end++
	}
	if end == 0 {
		return math.NaN()
	}
	n, err := strconv.ParseInt(s[:end], base, 64)
	if err != nil {
		f, _ := strconv.ParseFloat(s[:end], 64)
		n = int64(f)
	}
	if neg {
		n = -n
	}
	return float64(n)
}

func digitVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 10
	}
	return -1
}

// attrPath reads a dotted attribute path ("a.b") from v, for sort/join/sum/groupby.
func attrPath(v any, path any) any {
	if f, ok := path.(float64); ok {
		return index(v, f)
	}
	for _, part := range strings.Split(jsString(path), ".") {
		v = member(v, part)
	}
	return v
}

// selectItems implements select/reject (by test) and selectattr/rejectattr (by attribute
// and optional test).
func selectItems(v any, args []any, keep, byAttr bool) (any, error) {
	arr, _ := v.([]any)
	if str, ok := v.(string); ok {
		for _, c := range splitChars(str) {
			arr = append(arr, c)
		}
	}
	out := []any{}
	var attr any
	if byAttr {
		attr = arg(args, 0)
		args = args[min(1, len(args)):]
	}
	for _, it := range arr {
		x := it
		if byAttr {
			x = attrPath(it, attr)
		}
		var ok bool
		if len(args) == 0 {
			ok = truthy(x)
		} else {
			var err error
			if ok, err = runTest(jsString(args[0]), x, args[1:]); err != nil {
				return nil, err
			}
		}
		if ok == keep {
			out = append(out, it)
		}
	}
	return out, nil
}
