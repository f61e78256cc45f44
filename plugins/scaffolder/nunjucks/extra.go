package nunjucks

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"regexp"
	"strings"

	"github.com/portico-dev/portico/framework/jsvalue"
)

// Nunjucks' urlize expressions.
var (
	urlizePunct = regexp.MustCompile(`^(?:\(|<|&lt;)?((?s:.*?))(?:\.|,|\)|\n|&gt;)?$`)
	urlizeEmail = regexp.MustCompile("(?i)^[\\w.!#$%&'*+\\-/=?^`{|}~]+@[a-z\\d-]+(\\.[a-z\\d-]+)+$")
	urlizeHTTP  = regexp.MustCompile(`^https?://`)
	urlizeWWW   = regexp.MustCompile(`^www\.`)
	urlizeTLD   = regexp.MustCompile(`\.(?:org|net|com)(?::|/|$)`)
	urlizeSpace = regexp.MustCompile(`\s+`)
)

// urlize is Nunjucks' urlize(length, nofollow): each word that looks like a URL or an e-mail
// address becomes a link (words lose a leading "(" or "<" and a trailing ".", "," or ")", as
// in Nunjucks).
func urlize(s string, args ...any) string {
	p := params(args, "length", "nofollow")
	limit := -1
	if isSet(p[0]) {
		if n := toNumber(p[0]); !math.IsNaN(n) && !math.IsInf(n, 1) {
			limit = max(int(n), 0)
		}
	}
	nofollow := ""
	if b, ok := p[1].(bool); ok && b {
		nofollow = ` rel="nofollow"`
	}
	var out strings.Builder
	word := func(w string) {
		u := w
		if m := urlizePunct.FindStringSubmatch(w); m != nil {
			u = m[1]
		}
		short := u
		if limit >= 0 && limit < len([]rune(u)) {
			short = string([]rune(u)[:limit])
		}
		switch {
		case urlizeHTTP.MatchString(u):
			fmt.Fprintf(&out, `<a href="%s"%s>%s</a>`, u, nofollow, short)
		case urlizeWWW.MatchString(u):
			fmt.Fprintf(&out, `<a href="http://%s"%s>%s</a>`, u, nofollow, short)
		case urlizeEmail.MatchString(u):
			fmt.Fprintf(&out, `<a href="mailto:%s">%s</a>`, u, u)
		case urlizeTLD.MatchString(u):
			fmt.Fprintf(&out, `<a href="http://%s"%s>%s</a>`, u, nofollow, short)
		default:
			out.WriteString(w)
		}
	}
	last := 0
	for _, sp := range urlizeSpace.FindAllStringIndex(s, -1) {
		if sp[0] > last {
			word(s[last:sp[0]])
		}
		out.WriteString(s[sp[0]:sp[1]])
		last = sp[1]
	}
	if last < len(s) {
		word(s[last:])
	}
	return out.String()
}

// random is Nunjucks' random filter: an item of a list (a character of a string).
func random(v any) any {
	switch x := v.(type) {
	case []any:
		if len(x) == 0 {
			return undefined
		}
		return x[rand.IntN(len(x))]
	case string:
		r := []rune(x)
		if len(r) == 0 {
			return undefined
		}
		return string(r[rand.IntN(len(r))])
	}
	return undefined
}

// numberMethod returns the JavaScript number methods templates use: `n.toFixed(2)`,
// `n.toString()`.
func numberMethod(n float64, name string) method {
	switch name {
	case "toFixed":
		return func(args []any) (any, error) {
			d := 0.0
			if isSet(arg(args, 0)) {
				d = math.Trunc(toNumber(args[0]))
			}
			if math.IsNaN(d) {
				d = 0
			}
			if d < 0 || d > 100 {
				return nil, fmt.Errorf("RangeError: toFixed() digits argument must be between 0 and 100")
			}
			return toFixed(n, int(d)), nil
		}
	case "toString":
		return func([]any) (any, error) { return jsvalue.FormatNumber(n), nil }
	}
	return nil
}

// toFixed is Number.prototype.toFixed: the exact binary value rounded to digits decimals,
// a tie going to the larger magnitude; numbers of 1e21 and more print as String(n).
func toFixed(n float64, digits int) string {
	if math.IsNaN(n) || math.IsInf(n, 0) || math.Abs(n) >= 1e21 {
		return jsvalue.FormatNumber(n)
	}
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	// The exact decimal expansion of n (a float64 has at most 1074 fraction digits).
	exact := new(big.Float).SetPrec(2000).SetFloat64(n).Text('f', 1100)
	intPart, frac, _ := strings.Cut(exact, ".")
	frac += strings.Repeat("0", digits+1)
	keep := []byte(intPart + frac[:digits])
	if frac[digits] >= '5' {
		i := len(keep) - 1
		for ; i >= 0; i-- {
			if keep[i] == '9' {
				keep[i] = '0'
				continue
			}
			keep[i]++
			break
		}
		if i < 0 {
			keep = append([]byte{'1'}, keep...)
		}
	}
	out := string(keep[:len(keep)-digits])
	if digits > 0 {
		out += "." + string(keep[len(keep)-digits:])
	}
	return sign + out // (-0.001).toFixed(2) is "-0.00", as in JavaScript
}
