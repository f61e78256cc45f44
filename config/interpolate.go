package config

import (
	"regexp"
	"strings"
)

// substitutionRE finds ${...} references and their $${...} escapes.
var substitutionRE = regexp.MustCompile(`\$?\$\{[^{}]*\}`)

// envLookup returns an environment variable, trimmed of surrounding whitespace as Backstage
// does, and whether it is set.
type envLookup func(name string) (string, bool)

// interpolate replaces ${VAR} and ${VAR:-default} references in s. It reports false when a
// referenced variable is unset and has no default: the whole value is then undefined.
func interpolate(s string, env envLookup) (string, bool) {
	if !strings.Contains(s, "${") {
		return s, true
	}
	defined := true
	out := substitutionRE.ReplaceAllStringFunc(s, func(ref string) string {
		if strings.HasPrefix(ref, "$$") {
			return ref[1:]
		}
		inner := strings.TrimSpace(ref[2 : len(ref)-1])
		name, def, hasDef := strings.Cut(inner, ":-")
		name = strings.TrimSpace(name)
		val, ok := env(name)
		if hasDef && (!ok || val == "") {
			return strings.TrimSpace(def)
		}
		if !ok {
			defined = false
		}
		return val
	})
	return out, defined
}

// newEnvLookup builds a lookup over an os.Environ-style list; later entries win.
func newEnvLookup(environ []string) envLookup {
	vars := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
			vars[k] = v
		}
	}
	return func(name string) (string, bool) {
		if name == "" {
			return "", false
		}
		v, ok := vars[name]
		return strings.TrimSpace(v), ok
	}
}
