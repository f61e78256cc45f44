package model

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseDescriptorDocuments(t *testing.T) {
	type doc struct {
		index    int
		line     int
		ref      string
		problems []string // "line: message"
	}
	tests := []struct {
		name string
		src  string
		opts ParseOptions
		want []doc
	}{
		{
			name: "empty file",
			src:  "",
		},
		{
			name: "only comments and separators",
			src:  "# nothing\n---\n---\n",
		},
		{
			name: "several documents with lines",
			src: `# leading comment
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: a
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: b
  namespace: ops
---
---

apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: c}
`,
			want: []doc{
				{index: 0, line: 2, ref: "component:default/a"},
				{index: 1, line: 7, ref: "group:ops/b"},
				{index: 3, line: 15, ref: "user:default/c"},
			},
		},
		{
			name: "documents that are not objects",
			src:  "- a\n---\nplain\n---\n12\n---\ntrue\n",
			want: []doc{
				{index: 0, line: 1, problems: []string{"1: Expected object at root, got object"}},
				{index: 1, line: 3, problems: []string{"3: Expected object at root, got string"}},
				{index: 2, line: 5, problems: []string{"5: Expected object at root, got number"}},
				{index: 3, line: 7, problems: []string{"7: Expected object at root, got boolean"}},
			},
		},
		{
			name: "syntax error stops the stream",
			src:  "kind: Component\nmetadata: {name: a}\n---\nkind: Component\nmetadata:\n  name: [a\n---\nkind: Never\n",
			want: []doc{
				{index: 0, line: 1, ref: "component:default/a"},
				{index: 1, line: 5, problems: []string{"5: did not find expected ',' or ']'"}},
			},
		},
		{
			name: "duplicate keys",
			src:  "kind: Component\nmetadata:\n  name: a\n  name: b\n",
			want: []doc{
				{index: 0, line: 1, problems: []string{`4: Map keys must be unique; "name" is repeated`}},
			},
		},
		{
			name: "merge keys off by default",
			src:  "base: &b {kind: Component}\n<<: *b\nmetadata: {name: a}\n",
			want: []doc{{index: 0, line: 1, ref: ":default/a"}},
		},
		{
			name: "merge keys on",
			opts: ParseOptions{MergeKeys: true},
			src:  "x: &b {kind: Component, metadata: {name: from-merge}}\n<<: *b\nmetadata: {name: a}\n",
			want: []doc{{index: 0, line: 1, ref: "component:default/a"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []doc
			for _, d := range ParseDescriptor([]byte(tt.src), tt.opts) {
				g := doc{index: d.Index, line: d.Line}
				if d.Entity != nil {
					g.ref = d.Entity.Ref().String()
				}
				for _, p := range d.Problems {
					g.problems = append(g.problems, strings.TrimPrefix(p.Error(), "line "))
				}
				got = append(got, g)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("input:\n%s\ngot  %+v\nwant %+v", tt.src, got, tt.want)
			}
		})
	}
}

func TestParseDescriptorValues(t *testing.T) {
	src := `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: a
spec:
  yes: yes
  on: off
  date: 2021-01-02
  int: 12
  hex: 0x1F
  float: 1.5
  exp: 1e3
  inf: .inf
  null1: ~
  null2:
  quoted: "12"
  anchor: &x [1, 2]
  alias: *x
  12: numeric key
  true: bool key
  ~: null key
  multi: |
    line one
    line two
`
	docs := ParseDescriptor([]byte(src), ParseOptions{})
	if len(docs) != 1 || len(docs[0].Problems) > 0 {
		t.Fatalf("docs = %+v", docs)
	}
	spec := docs[0].Entity.Spec
	want := map[string]any{
		"yes": "yes", "on": "off", "date": "2021-01-02", "int": 12.0, "hex": 31.0, "float": 1.5, "exp": 1000.0,
		"null1": nil, "null2": nil, "quoted": "12", "anchor": []any{1.0, 2.0}, "alias": []any{1.0, 2.0},
		"12": "numeric key", "true": "bool key", "": "null key", "multi": "line one\nline two\n",
	}
	for k, w := range want {
		if got := spec[k]; !reflect.DeepEqual(got, w) {
			t.Errorf("spec[%q] = %#v, want %#v", k, got, w)
		}
	}
	if f, _ := spec["inf"].(float64); f <= 1e308 {
		t.Errorf("spec.inf = %v, want +Inf", spec["inf"])
	}
	if got := string(StableJSON(spec["inf"])); got != "null" {
		t.Errorf("JSON of +Inf = %s, want null as in JavaScript", got)
	}
}

func TestParseDescriptorAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 9; i++ {
		prev := "*a" + string(rune('0'+i-1))
		b.WriteString("a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [" + strings.Repeat(prev+", ", 9) + prev + "]\n")
	}
	docs := ParseDescriptor([]byte(b.String()), ParseOptions{})
	if len(docs) != 1 || len(docs[0].Problems) != 1 || !strings.Contains(docs[0].Problems[0].Message, "too many values") {
		t.Fatalf("alias expansion not bounded: %+v", docs)
	}
}

func TestDocumentPosition(t *testing.T) {
	src := `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: a
  labels:
    example.com/x: y
  tags:
    - ok
    - Bad
spec:
  type: service
  providesApis: [a, b]
`
	docs := ParseDescriptor([]byte(src), ParseOptions{})
	d := &docs[0]
	tests := []struct {
		ptr       string
		line, col int
	}{
		{"", 1, 1},
		{"/kind", 2, 1},
		{"/metadata/name", 4, 3},
		{"/metadata/labels/example.com~1x", 6, 5},
		{"/metadata/tags/1", 9, 7},
		{"/spec/providesApis/1", 12, 21},
		{"/spec/owner", 10, 1},
		{"/spec/type/deeper", 11, 3},
		{"/metadata/tags/9", 7, 3},
	}
	for _, tt := range tests {
		t.Run(tt.ptr, func(t *testing.T) {
			line, col := d.Position(tt.ptr)
			if line != tt.line || col != tt.col {
				t.Errorf("Position(%q) = %d:%d, want %d:%d", tt.ptr, line, col, tt.line, tt.col)
			}
		})
	}
}

func TestCheckDocumentLocatesProblems(t *testing.T) {
	src := "apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata:\n  name: jdoe\n  tags: [Ops]\nspec:\n  profile: {}\n"
	docs := ParseDescriptor([]byte(src), ParseOptions{})
	got := NewValidator(Options{}).CheckDocument(&docs[0])
	var lines []int
	for _, p := range got {
		lines = append(lines, p.Line)
	}
	if !reflect.DeepEqual(lines, []int{5, 6}) {
		t.Errorf("problem lines = %v, want [5 6]; problems %v", lines, got)
	}
}
