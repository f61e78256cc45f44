package predicate

import (
	"fmt"

	"github.com/portico-dev/portico/framework/jsvalue"
)

// ValueAtPath looks up a dot-separated path in JSON-like data the way Backstage's
// getJsonValueAtPath does: object keys may themselves contain dots
// ("metadata.annotations.github.com/project-slug"), arrays are not traversed, and the search
// continues through every key that could match until a value is found. Backstage tries keys in
// the object's insertion order; Go maps have none, so this tries the whole remaining path as one
// key first and then ever longer dotted prefixes, which is deterministic and agrees with
// Backstage whenever only one reading of the path exists.
func ValueAtPath(v any, path string) (any, bool) {
	if path == "" {
		return nil, false
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	if val, ok := obj[path]; ok {
		return val, true
	}
	for i := 0; i < len(path); i++ {
		if path[i] != '.' {
			continue
		}
		child, ok := obj[path[:i]]
		if !ok {
			continue
		}
		if val, ok := ValueAtPath(child, path[i+1:]); ok {
			return val, true
		}
	}
	return nil, false
}

// TypeName names the JSON type of v in messages: null, boolean, string, number, list or
// object (the Go type for other values).
func TypeName(v any) string {
	switch t := jsvalue.JSONType(v); t {
	case "array":
		return "list"
	case "":
		return fmt.Sprintf("%T", v)
	default:
		return t
	}
}
