package query

import (
	"encoding/json"
	"strings"
)

// ParseFields parses fields= values (comma lists, possibly repeated) into
// dotted paths; nil means the whole entity. A path containing '[' is refused
// with Backstage's message.
func ParseFields(values []string) ([]string, error) {
	var out []string
	for _, v := range values {
		for _, f := range strings.Split(v, ",") {
			f = strings.TrimSpace(f)
			if f == "" {
				continue
			}
			if strings.Contains(f, "[") {
				return nil, inputErrorf("invalid fields, array type fields are not supported")
			}
			out = append(out, f)
		}
	}
	return out, nil
}

// Project keeps the subtrees of entity addressed by fields (case-sensitive
// dotted paths through objects) and drops the rest. Paths that do not
// resolve are skipped. An empty field list returns entity unchanged.
func Project(entity map[string]any, fields []string) map[string]any {
	if len(fields) == 0 {
		return entity
	}
	out := map[string]any{}
	for _, f := range fields {
		parts := strings.Split(f, ".")
		var cur any = entity
		found := true
		for _, p := range parts {
			m, ok := cur.(map[string]any)
			if !ok {
				found = false
				break
			}
			if cur, ok = m[p]; !ok {
				found = false
				break
			}
		}
		if !found {
			continue
		}
		dst := out
		for _, p := range parts[:len(parts)-1] {
			next, ok := dst[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				dst[p] = next
			}
			dst = next
		}
		dst[parts[len(parts)-1]] = cur
	}
	return out
}

// ProjectJSON applies Project to an entity in JSON form. With no fields the
// input is returned as is.
func ProjectJSON(raw json.RawMessage, fields []string) (json.RawMessage, error) {
	if len(fields) == 0 {
		return raw, nil
	}
	var m map[string]any
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	return json.Marshal(Project(m, fields))
}
