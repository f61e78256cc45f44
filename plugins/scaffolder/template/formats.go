package template

import (
	"errors"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Backstage validates template parameters, secrets and action inputs with the npm jsonschema
// package, not ajv: its formats are regular expressions that differ from RFC 3339 and from
// santhosh-tekuri/jsonschema's (format `time` is hh:mm:ss with no time zone, `duration` is
// searched for anywhere in the string, unknown formats always pass). npmFormats has the same
// definitions, written for Go's regexp where JavaScript used look-arounds.
var npmFormats = func() map[string]func(string) bool {
	re := func(expr string) func(string) bool { return regexp.MustCompile(expr).MatchString }
	hostLabel := `[0-9A-Za-z](?:(?:[0-9A-Za-z]|-){0,61}[0-9A-Za-z])?`
	hostRE := regexp.MustCompile(`^` + hostLabel + `(?:\.` + hostLabel + `)*\.?$`)
	hostname := func(s string) bool { return len(s) >= 1 && len(s) <= 255 && hostRE.MatchString(s) }
	ipv4 := re(`^(?:(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\.){3}(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)$`)
	h16 := `[0-9A-Fa-f]{1,4}`
	v4 := `(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3})`
	ipv6 := re(`^\s*((` + h16 + `:){7}(` + h16 + `|:)|(` + h16 + `:){6}(:` + h16 + `|` + v4 + `|:)|(` + h16 + `:){5}(((:` + h16 + `){1,2})|:` + v4 + `|:)|(` + h16 + `:){4}(((:` + h16 + `){1,3})|((:` + h16 + `)?:` + v4 + `)|:)|(` + h16 + `:){3}(((:` + h16 + `){1,4})|((:` + h16 + `){0,2}:` + v4 + `)|:)|(` + h16 + `:){2}(((:` + h16 + `){1,5})|((:` + h16 + `){0,3}:` + v4 + `)|:)|(` + h16 + `:){1}(((:` + h16 + `){1,6})|((:` + h16 + `){0,4}:` + v4 + `)|:)|(:(((:` + h16 + `){1,7})|((:` + h16 + `){0,5}:` + v4 + `)|:)))(%.+)?\s*$`)
	uri := re(`^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s]*$`)
	always := func(string) bool { return true }
	return map[string]func(string) bool{
		"date-time":             re(`^\d{4}-(?:0[0-9]{1}|1[0-2]{1})-(3[01]|0[1-9]|[12][0-9])[tT ](2[0-4]|[01][0-9]):([0-5][0-9]):(60|[0-5][0-9])(\.\d+)?([zZ]|[+-]([0-5][0-9]):(60|[0-5][0-9]))$`),
		"date":                  re(`^\d{4}-(?:0[0-9]{1}|1[0-2]{1})-(3[01]|0[1-9]|[12][0-9])$`),
		"time":                  re(`^(2[0-4]|[01][0-9]):([0-5][0-9]):(60|[0-5][0-9])$`),
		"duration":              re(`(?i)P(T\d+(H(\d+M(\d+S)?)?|M(\d+S)?|S)|\d+(D|M(\d+D)?|Y(\d+M(\d+D)?)?)(T\d+(H(\d+M(\d+S)?)?|M(\d+S)?|S))?|\d+W)`),
		"email":                 npmEmail,
		"idn-email":             re(`^("(?:[!#-\[\]-\x{10FFFF}]|\\[\t -\x{10FFFF}])*"|[!#-'*+\-/-9=?A-Z\^-\x{10FFFF}](?:\.?[!#-'*+\-/-9=?A-Z\^-\x{10FFFF}])*)@([!#-'*+\-/-9=?A-Z\^-\x{10FFFF}](?:\.?[!#-'*+\-/-9=?A-Z\^-\x{10FFFF}])*|\[[!-Z\^-\x{10FFFF}]*\])$`),
		"ip-address":            ipv4,
		"ipv4":                  ipv4,
		"ipv6":                  ipv6,
		"uri":                   uri,
		"iri":                   uri,
		"uuid":                  re(`(?i)^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$`),
		"uri-template":          always, // npm's expression is unanchored and matches the empty string
		"json-pointer":          re(`(?i)^(/([\x00-\x2e0-@\[-}\x7f]|~[01])*)*$`),
		"relative-json-pointer": re(`(?i)^\d+(#|(/([\x00-\x2e0-@\[-}\x7f]|~[01])*)*)$`),
		"hostname":              hostname,
		"host-name":             hostname,
		"utc-millisec": func(s string) bool {
			f, err1 := strconv.ParseFloat(strings.TrimSpace(s), 64)
			i, err2 := strconv.ParseInt(s, 10, 64)
			return err1 == nil && err2 == nil && f == float64(i)
		},
		"regexp":       npmRegex,
		"pattern":      npmRegex,
		"style":        re(`[\r\n\t ]*[^\r\n\t ][^:]*:[\r\n\t ]*[^\r\n\t ;]*[\r\n\t ]*;?`),
		"color":        re(`^(#?([0-9A-Fa-f]{3}){1,2}\b|aqua|black|blue|fuchsia|gray|green|lime|maroon|navy|olive|orange|purple|red|silver|teal|white|yellow|(rgb\(\s*\b([0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5])\b\s*,\s*\b([0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5])\b\s*,\s*\b([0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5])\b\s*\))|(rgb\(\s*(\d?\d%|100%)+\s*,\s*(\d?\d%|100%)+\s*,\s*(\d?\d%|100%)+\s*\)))$`),
		"phone":        re(`^\+(?:[0-9] ?){6,14}[0-9]$`),
		"alpha":        re(`^[a-zA-Z]+$`),
		"alphanumeric": re(`^[a-zA-Z0-9]+$`),
		// Formats npm jsonschema does not know pass, as there.
		"uri-reference": always, "iri-reference": always, "period": always, "semver": always,
	}
}()

// npmEmail is npm jsonschema's email expression: dot-separated local words, an @, and a host
// of labels (no label starts or ends with '-', none is followed by '.' inside) or an IPv4
// literal in brackets.
func npmEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 {
		return false
	}
	local, host := s[:at], s[at+1:]
	word := regexp.MustCompile(`^[\w!#$%&'*+\-/=?^` + "`" + `{|}~]+$`)
	for _, w := range strings.Split(local, ".") {
		if !word.MatchString(w) {
			return false
		}
	}
	if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		return regexp.MustCompile(`^(?:(?:[01]?\d{1,2}|2[0-4]\d|25[0-5])\.){3}(?:[01]?\d{1,2}|2[0-4]\d|25[0-5])$`).MatchString(host[1 : len(host)-1])
	}
	labels := strings.Split(host, ".")
	if len(labels) < 2 {
		return false
	}
	label := regexp.MustCompile(`^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$`)
	for _, l := range labels {
		if !label.MatchString(l) {
			return false
		}
	}
	return true
}

// npmRegex accepts what Go compiles and the JavaScript-only constructs (look-arounds,
// back-references) that Go's syntax refuses but JavaScript's RegExp accepts.
func npmRegex(s string) bool {
	_, err := syntax.Parse(s, syntax.Perl)
	var se *syntax.Error
	return err == nil || (errors.As(err, &se) && se.Code == syntax.ErrInvalidPerlOp)
}

// registerNPMFormats makes c check formats as Backstage's validator does.
func registerNPMFormats(c *jsonschema.Compiler) {
	c.AssertFormat()
	for name, ok := range npmFormats {
		c.RegisterFormat(&jsonschema.Format{Name: name, Validate: func(v any) error {
			s, isString := v.(string)
			if !isString || ok(s) {
				return nil
			}
			return errors.New("does not conform to the " + strconv.Quote(name) + " format")
		}})
	}
}

// renameRegexFormat turns `format: regex` into its npm alias `regexp` throughout a decoded
// schema: the validator's own "regex" format cannot be replaced and refuses JavaScript-only
// syntax.
func renameRegexFormat(v any) {
	switch x := v.(type) {
	case map[string]any:
		if f, ok := x["format"].(string); ok && f == "regex" {
			x["format"] = "regexp"
		}
		for _, val := range x {
			renameRegexFormat(val)
		}
	case []any:
		for _, val := range x {
			renameRegexFormat(val)
		}
	}
}
