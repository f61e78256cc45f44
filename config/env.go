package config

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

const (
	envPrefix = "APP_CONFIG_"
	// envFile is the origin reported for values set through APP_CONFIG_* variables.
	envFile = "env"
)

// envSegmentRE is the pattern every APP_CONFIG_ key segment must match.
var envSegmentRE = regexp.MustCompile(`(?i)^[a-z][a-z0-9]*(?:[-_][a-z][a-z0-9]*)*$`)

type envOverride struct {
	name  string
	parts []string
	value *node
}

// envSource builds the highest-priority source from APP_CONFIG_* variables. It returns nil when
// there are none.
func envSource(environ []string) (*node, error) {
	vars := map[string]string{}
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		if ok && strings.HasPrefix(k, envPrefix) {
			vars[k] = v
		}
	}
	names := make([]string, 0, len(vars))
	for k, v := range vars {
		if v != "" { // empty values are skipped, as in Backstage
			names = append(names, k)
		}
	}
	if len(names) == 0 {
		return nil, nil
	}
	sort.Strings(names)

	overrides := make([]envOverride, 0, len(names))
	for _, name := range names {
		parts := strings.Split(strings.TrimPrefix(name, envPrefix), "_")
		for _, p := range parts {
			if !envSegmentRE.MatchString(p) {
				return nil, &Error{File: envFile, Message: fmt.Sprintf("invalid variable %s: key segment %q must match %s", name, p, envSegmentRE.String())}
			}
		}
		value, err := envValue(name, vars[name])
		if err != nil {
			return nil, err
		}
		overrides = append(overrides, envOverride{name: name, parts: parts, value: value})
	}

	// A variable whose path is a prefix of another's would set a value and also nest under it.
	// Sorted names put such pairs next to each other only sometimes, so compare all pairs.
	for i, a := range overrides {
		for _, b := range overrides[i+1:] {
			short, long := a, b
			if len(short.parts) > len(long.parts) {
				short, long = long, short
			}
			if isPrefix(short.parts, long.parts) {
				return nil, &Error{
					File: envFile, Key: strings.Join(long.parts, "."),
					Message: fmt.Sprintf("%s conflicts with %s, which sets %s", long.name, short.name, strings.Join(short.parts, ".")),
				}
			}
		}
	}

	root := newObject(envFile, 0)
	for _, o := range overrides {
		cur := root
		for _, p := range o.parts[:len(o.parts)-1] {
			next, ok := cur.obj[p]
			if !ok {
				next = newObject(envFile, 0)
				cur.obj[p] = next
			}
			cur = next
		}
		cur.obj[o.parts[len(o.parts)-1]] = o.value
	}
	return root, nil
}

// envValue parses a variable as JSON, falling back to the raw string.
func envValue(name, raw string) (*node, error) {
	n, err := parseJSON([]byte(raw), envFile)
	if err != nil {
		return newString(raw, envFile, 0), nil
	}
	if n.kind == kindNull {
		return nil, &Error{File: envFile, Message: fmt.Sprintf("invalid variable %s: value may not be null", name)}
	}
	clearLines(n)
	return n, nil
}

func clearLines(n *node) {
	n.line = 0
	for _, e := range n.arr {
		clearLines(e)
	}
	for _, e := range n.obj {
		clearLines(e)
	}
}

func isPrefix(short, long []string) bool {
	if len(short) > len(long) {
		return false
	}
	for i := range short {
		if short[i] != long[i] {
			return false
		}
	}
	return true
}
