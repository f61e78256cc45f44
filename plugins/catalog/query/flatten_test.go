package query

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"
)

func str(s string) *string { return &s }

func row(k, v, orig string) Row { return Row{Key: k, Value: str(v), OriginalValue: str(orig)} }

func nullRow(k string) Row { return Row{Key: k} }

func mustJSON(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("bad fixture %s: %v", s, err)
	}
	return m
}

func rowsString(rows []Row) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(r.Key)
		b.WriteString("=")
		if r.Value == nil {
			b.WriteString("<nil>")
		} else {
			b.WriteString(*r.Value)
		}
		b.WriteString("(")
		if r.OriginalValue == nil {
			b.WriteString("<nil>")
		} else {
			b.WriteString(*r.OriginalValue)
		}
		b.WriteString(")\n")
	}
	return b.String()
}

// sortRows orders rows by key then value: the row order carries no meaning.
func sortRows(rows []Row) {
	val := func(r Row) string {
		if r.Value == nil {
			return ""
		}
		return "=" + *r.Value
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].Key != rows[j].Key {
			return rows[i].Key < rows[j].Key
		}
		return val(rows[i]) < val(rows[j])
	})
}

func TestFlatten(t *testing.T) {
	long := strings.Repeat("a", 10000)
	// special is the rows of {"apiVersion":"a","kind":"b","metadata":{"name":"n"}}, with the
	// special keys Flatten adds.
	special := func() []Row {
		return []Row{
			row("apiversion", "a", "a"),
			row("kind", "b", "b"),
			row("metadata.name", "n", "n"),
			nullRow("metadata.namespace"),
			nullRow("metadata.uid"),
			row("metadata.namespace", "default", "default"),
		}
	}
	// withMeta adds the rows of metadata {"name":"n","namespace":"ns","uid":"u"}.
	withMeta := func(rows ...Row) []Row {
		return append(rows, row("metadata.name", "n", "n"), row("metadata.namespace", "ns", "ns"), row("metadata.uid", "u", "u"))
	}
	tests := []struct {
		name   string
		entity string
		want   []Row
	}{
		{
			name:   "adds special keys even if missing",
			entity: `{"apiVersion":"a","kind":"b","metadata":{"name":"n"}}`,
			want:   special(),
		},
		{
			name:   "adds relations",
			entity: `{"relations":[{"type":"t1","targetRef":"k:ns/a"},{"type":"t2","targetRef":"k:ns/b"}],"apiVersion":"a","kind":"b","metadata":{"name":"n"}}`,
			want: append(special(),
				row("relations.t1", "k:ns/a", "k:ns/a"),
				row("relations.t2", "k:ns/b", "k:ns/b"),
			),
		},
		{
			name:   "expands lists of strings to several rows",
			entity: `{"a":["b","c","d"],"metadata":{"name":"n","namespace":"ns","uid":"u"}}`,
			want: withMeta(
				row("a", "b", "b"), row("a.b", "true", "true"),
				row("a", "c", "c"), row("a.c", "true", "true"),
				row("a", "d", "d"), row("a.d", "true", "true"),
			),
		},
		{
			name:   "expands objects and lists of objects",
			entity: `{"a":{"b":{"c":"d"},"e":"f"},"root":{"list":[{"a":1},{"a":2}]},"metadata":{"name":"n","namespace":"ns","uid":"u"}}`,
			want: withMeta(
				row("a.b.c", "d", "d"), row("a.e", "f", "f"),
				row("root.list.a", "1", "1"), row("root.list.a", "2", "2"),
			),
		},
		{
			name:   "skips over special keys",
			entity: `{"status":{"x":1},"attachments":[{"y":2}],"relations":[{"z":3}],"a":"a","metadata":{"b":"b","name":"name","namespace":"namespace","uid":"uid","etag":"etag","c":"c"},"d":"d"}`,
			want: []Row{
				row("a", "a", "a"), row("d", "d", "d"),
				row("metadata.b", "b", "b"), row("metadata.c", "c", "c"),
				row("metadata.name", "name", "name"),
				row("metadata.namespace", "namespace", "namespace"),
				row("metadata.uid", "uid", "uid"),
			},
		},
		{
			name:   "converts base types to strings or null",
			entity: `{"s":{"a":true,"b":false,"c":7,"d":"string","e":null,"f":1.5},"metadata":{"name":"n","namespace":"ns","uid":"u"}}`,
			want: withMeta(
				row("s.a", "true", "true"), row("s.b", "false", "false"),
				row("s.c", "7", "7"), row("s.d", "string", "string"),
				nullRow("s.e"), row("s.f", "1.5", "1.5"),
			),
		},
		{
			name:   "lower-cases keys and values and keeps the original value",
			entity: `{"fOo":"BaR","metadata":{"name":"N","namespace":"NS","uid":"U"}}`,
			want: []Row{
				row("foo", "bar", "BaR"),
				row("metadata.name", "n", "N"),
				row("metadata.namespace", "ns", "NS"),
				row("metadata.uid", "u", "U"),
			},
		},
		{
			name:   "skips very large keys and nulls very large values",
			entity: `{"` + long + `":true,"foo":"` + long + `","metadata":{"name":"n","namespace":"ns","uid":"u"}}`,
			want: withMeta(
				nullRow("foo"),
			),
		},
		{
			name:   "deduplicates repeated array items",
			entity: `{"metadata":{"name":"n","namespace":"ns","uid":"u","tags":["java","java","Java"]}}`,
			want: withMeta(
				row("metadata.tags", "java", "java"),
				row("metadata.tags.java", "true", "true"),
			),
		},
		{
			name:   "empty namespace also matches default",
			entity: `{"metadata":{"name":"n","namespace":"","uid":"u"}}`,
			want: []Row{
				row("metadata.name", "n", "n"),
				row("metadata.namespace", "", ""),
				row("metadata.uid", "u", "u"),
				row("metadata.namespace", "default", "default"),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Flatten(mustJSON(t, tt.entity))
			sortRows(got)
			sortRows(tt.want)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Flatten(%.200s)\ngot:\n%s\nwant:\n%s", tt.entity, rowsString(got), rowsString(tt.want))
			}
		})
	}
}

func TestCheckKeys(t *testing.T) {
	tests := []struct {
		name, entity, want string
	}{
		{"valid", `{"kind":"b","metadata":{"name":"n"},"spec":{"owner":"o"}}`, ""},
		{"metadata namespace", `{"relations":[],"kind":"b","metadata":{"name":"n","Namespace":"ns"}}`, "'metadata.namespace'"},
		{"relations", `{"relations":[{"type":"dup","targetRef":"k:ns/a"},{"type":"DUP","targetRef":"k:ns/b"}],"metadata":{"name":"n"}}`, "'relations.dup'"},
		{"spec", `{"metadata":{"name":"n"},"spec":{"lifeCycle":"p","lifecycle":"p","OWNER":"o","owner":"o"}}`, "'spec.lifecycle', 'spec.owner'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckKeys(mustJSON(t, tt.entity))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("CheckKeys(%s) = %v, want nil", tt.entity, err)
				}
				return
			}
			if err == nil || !strings.HasSuffix(err.Error(), tt.want) {
				t.Fatalf("CheckKeys(%s) = %v, want suffix %s", tt.entity, err, tt.want)
			}
		})
	}
}

// TestFlattenJavaScriptValues pins the search rows of values whose JavaScript String() or
// toLocaleLowerCase('en-US') differ from Go's defaults: Backstage writes -0 as "0", large and
// small numbers in exponent form, İ as "i̇" and a final sigma as "ς".
func TestFlattenJavaScriptValues(t *testing.T) {
	entity := mustJSON(t, `{"metadata":{"name":"n","namespace":"ns","uid":"u"},"spec":{`+
		`"zero":-0,"big":1e21,"tiny":1e-7,"sum":0.30000000000000004,"huge":123456789012345680000,"min":5e-324,`+
		`"city":"İSTANBUL","road":"ΟΔΟΣ","Straße":"ß"}}`)
	want := map[string]string{
		"spec.zero":   "0",
		"spec.big":    "1e+21",
		"spec.tiny":   "1e-7",
		"spec.sum":    "0.30000000000000004",
		"spec.huge":   "123456789012345680000",
		"spec.min":    "5e-324",
		"spec.city":   "i\u0307stanbul",
		"spec.road":   "οδος",
		"spec.straße": "ß",
	}
	got := map[string]string{}
	for _, r := range Flatten(entity) {
		if r.Value != nil {
			got[r.Key] = *r.Value
		}
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("row %s = %q, want %q", k, got[k], v)
		}
	}
}
