package model

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/portico-dev/portico/framework/httpbody"
)

// MessageNUL is the reason given for a key or string value holding a NUL character.
const MessageNUL = "contains a NUL character (\\u0000), which entities may not hold"

// nulProblems reports every key and string value under v that holds a NUL character (U+0000).
// PostgreSQL cannot store NUL in text, so an entity holding one could be stored on SQLite
// but not on PostgreSQL; it is invalid everywhere instead, so that both databases accept the
// same catalog. Messages write the NUL of a path as \u0000.
func nulProblems(stage Stage, v any) Problems {
	var out Problems
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch t := v.(type) {
		case string:
			if strings.IndexByte(t, 0) >= 0 {
				out = append(out, nulProblem(stage, path, "value"))
			}
		case map[string]any:
			keys := slices.Sorted(maps.Keys(t))
			for _, k := range keys {
				child := path + "/" + escapePointer(k)
				if strings.IndexByte(k, 0) >= 0 {
					out = append(out, nulProblem(stage, child, "key"))
					continue
				}
				walk(child, t[k])
			}
		case []any:
			for i, e := range t {
				walk(path+"/"+strconv.Itoa(i), e)
			}
		}
	}
	walk("", v)
	return out
}

func nulProblem(stage Stage, path, what string) Problem {
	shown := strings.ReplaceAll(path, "\x00", `\u0000`)
	if shown == "" {
		shown = "/"
	}
	return Problem{Stage: stage, Path: path, Message: "The " + what + " at " + shown + " " + MessageNUL, ErrorName: ErrorNameError}
}

// HasNUL reports whether any key or string value under v holds a NUL character.
func HasNUL(v any) bool { return len(nulProblems(StagePolicy, v)) > 0 }

// identityNUL reports NUL characters in the fields that make an entity's reference (apiVersion,
// kind, metadata.name, metadata.namespace): an entity with one cannot even be given a row.
func identityNUL(value any) Problems {
	root, ok := value.(map[string]any)
	if !ok {
		return nil
	}
	var out Problems
	for _, k := range []string{"apiVersion", "kind"} {
		if s, ok := root[k].(string); ok && strings.IndexByte(s, 0) >= 0 {
			out = append(out, nulProblem(StageEnvelope, "/"+k, "value"))
		}
	}
	if md, ok := root["metadata"].(map[string]any); ok {
		for _, k := range []string{"name", "namespace"} {
			if s, ok := md[k].(string); ok && strings.IndexByte(s, 0) >= 0 {
				out = append(out, nulProblem(StageEnvelope, "/metadata/"+k, "value"))
			}
		}
	}
	return out
}

// JSONHasNUL reports whether JSON text holds a string (or key) with a NUL character: a \u0000
// escape that is not an escaped backslash followed by "u0000", or a raw NUL byte. It is the
// request body decoder's rule ([httpbody.HasNUL]), applied to stitched entities.
func JSONHasNUL(b []byte) bool { return httpbody.HasNUL(b) }
