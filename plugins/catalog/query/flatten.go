package query

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/portico-dev/portico/framework/jsvalue"
)

// Limits of the search table, as Backstage's: longer keys are not indexed,
// longer values are indexed as NULL (they match "exists" only).
const (
	MaxKeyLength   = 200
	MaxValueLength = 200
)

// DefaultNamespace is the namespace of entities that name none.
const DefaultNamespace = "default"

// Row is one search-table row of an entity: a lower-cased dotted key and its
// lower-cased value (nil for null, missing or over-long values) plus the
// value as written in the entity (nil under the same conditions).
type Row struct {
	Key           string
	Value         *string
	OriginalValue *string
}

// StoredOriginal is the original_value column of the row: nil when the value
// as written is its lower-cased value (most values), which readers take from
// the value column instead (COALESCE(original_value, value)); the search
// table and its (key, value, entity_id, original_value) index stay smaller.
func (r Row) StoredOriginal() *string {
	if r.OriginalValue == nil || r.Value == nil || *r.OriginalValue == *r.Value {
		return nil
	}
	return r.OriginalValue
}

// specialKeys are skipped by the generic traversal: either not indexed at all
// or always emitted explicitly afterwards.
var specialKeys = map[string]bool{
	"attachments":        true,
	"relations":          true,
	"status":             true,
	"metadata.name":      true,
	"metadata.namespace": true,
	"metadata.uid":       true,
	"metadata.etag":      true,
}

type kv struct {
	key   string
	value any // nil, string, bool, float64, json.Number, int kinds
}

// Flatten returns the search rows of a final entity (catalog-api.md §1.2):
// every leaf under its dotted path, arrays traversed, string array items also
// as "<path>.<item>" = "true", metadata.name/namespace/uid always present
// (plus metadata.namespace = "default" when it has none), relations as
// "relations.<type>" = targetRef. status, attachments and metadata.etag are
// not indexed. Keys and values are lower-cased; rows are unique by
// (key, value). Object members are visited in sorted key order so the output
// is deterministic.
func Flatten(entity map[string]any) []Row {
	return mapToRows(collect(entity))
}

// CheckKeys reports keys of the entity that differ only in casing (such as
// spec.owner and spec.OWNER), which Backstage rejects at stitching time with
// "Entity has duplicate keys that vary only in casing, 'spec.owner'".
func CheckKeys(entity map[string]any) error {
	raw := collect(entity)
	exact := make(map[string]bool, len(raw))
	lower := make(map[string]string, len(raw))
	var bad []string
	seenBad := map[string]bool{}
	for _, r := range raw {
		if exact[r.key] {
			continue
		}
		exact[r.key] = true
		l := jsvalue.Lower(r.key)
		if prev, ok := lower[l]; ok && prev != r.key && !seenBad[l] {
			seenBad[l] = true
			bad = append(bad, l)
			continue
		}
		lower[l] = r.key
	}
	if len(bad) == 0 {
		return nil
	}
	return fmt.Errorf("entity has duplicate keys that vary only in casing, '%s'", strings.Join(bad, "', '"))
}

func collect(entity map[string]any) []kv {
	var out []kv
	seenPathKeys := map[string]bool{}
	visit("", entity, &out, seenPathKeys)

	meta, _ := entity["metadata"].(map[string]any)
	out = append(out,
		kv{"metadata.name", meta["name"]},
		kv{"metadata.namespace", meta["namespace"]},
		kv{"metadata.uid", meta["uid"]},
	)
	if !jsvalue.Truthy(meta["namespace"]) {
		out = append(out, kv{"metadata.namespace", DefaultNamespace})
	}
	if rels, ok := entity["relations"].([]any); ok {
		for _, r := range rels {
			rel, ok := r.(map[string]any)
			if !ok {
				continue
			}
			typ, ok := rel["type"].(string)
			if !ok {
				continue
			}
			out = append(out, kv{"relations." + typ, rel["targetRef"]})
		}
	}
	return out
}

func visit(path string, current any, out *[]kv, seen map[string]bool) {
	if specialKeys[path] {
		return
	}
	switch c := current.(type) {
	case nil, string, bool, float64, float32, int, int64, int32, uint, uint64, json.Number:
		*out = append(*out, kv{path, c})
	case []any:
		for _, item := range c {
			visit(path, item, out, seen)
			if s, ok := item.(string); ok {
				pk := path + "." + s
				lk := jsvalue.Lower(pk)
				if !seen[lk] {
					seen[lk] = true
					*out = append(*out, kv{pk, true})
				}
			}
		}
	case []string:
		items := make([]any, len(c))
		for i, s := range c {
			items[i] = s
		}
		visit(path, items, out, seen)
	case map[string]any:
		keys := slices.Sorted(maps.Keys(c))
		for _, k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			visit(p, c[k], out, seen)
		}
	}
}

func mapToRows(raw []kv) []Row {
	rows := make([]Row, 0, len(raw))
	type dedup struct {
		key   string
		null  bool
		value string
	}
	seen := make(map[dedup]bool, len(raw))
	for _, r := range raw {
		key := jsvalue.Lower(r.key)
		if jsvalue.Length(key) > MaxKeyLength {
			continue
		}
		row := Row{Key: key}
		if s, ok := stringify(r.value); ok {
			v := jsvalue.Lower(s)
			if jsvalue.Length(v) <= MaxValueLength {
				orig := s
				row.Value, row.OriginalValue = &v, &orig
			}
		}
		d := dedup{key: key, null: row.Value == nil}
		if row.Value != nil {
			d.value = *row.Value
		}
		if seen[d] {
			continue
		}
		seen[d] = true
		rows = append(rows, row)
	}
	return rows
}

// stringify renders a scalar as JavaScript's String() would; false for null.
func stringify(v any) (string, bool) {
	if v == nil {
		return "", false
	}
	return jsvalue.String(v), true
}
