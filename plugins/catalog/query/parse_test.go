package query

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

func TestParseFilters(t *testing.T) {
	runParseCases(t, []parseCase[[]string, *Expr]{
		{name: "none", in: nil, want: nil},
		{name: "only empty sets", in: []string{"", " , ,"}, want: nil},
		{name: "single", in: []string{"kind=Component"}, want: ptr(In("kind", "component"))},
		{name: "and", in: []string{"kind=component,spec.type=service"}, want: ptr(All(In("kind", "component"), In("spec.type", "service")))},
		{name: "or across params", in: []string{"kind=user", "kind=group"}, want: ptr(Any(In("kind", "user"), In("kind", "group")))},
		{name: "same key merges", in: []string{"kind=component,kind=api"}, want: ptr(In("kind", "component", "api"))},
		{name: "exists", in: []string{"kind=group,spec.type"}, want: ptr(All(In("kind", "group"), Exists("spec.type")))},
		{name: "exists and value merge", in: []string{"spec.type,spec.type=x"}, want: ptr(In("spec.type", "x"))},
		{name: "empty value", in: []string{"spec.type="}, want: ptr(In("spec.type", ""))},
		{name: "value with equals", in: []string{"a=b=c"}, want: ptr(In("a", "b=c"))},
		{name: "trims and skips empties", in: []string{" kind = a ,, "}, want: ptr(In("kind", "a"))},
		{name: "annotation key", in: []string{"metadata.annotations.backstage.io/orphan=true"}, want: ptr(In("metadata.annotations.backstage.io/orphan", "true"))},
		{name: "empty key", in: []string{"=x"}, wantErr: "Invalid filter, '=x' is not a valid statement (expected a string on the form a=b or a= or a)"},
	}, ParseFilters, "ParseFilters(%q) = %v, want %v")
}

func TestParsePredicate(t *testing.T) {
	runParseCases(t, []parseCase[string, *Expr]{
		{name: "absent", in: ``, want: nil},
		{name: "null", in: `null`, want: nil},
		{name: "empty object", in: `{}`, want: ptr(True())},
		{name: "primitive field", in: `{"kind":"Component"}`, want: ptr(In("kind", "component"))},
		{name: "number and bool", in: `{"spec.replicas":3,"spec.enabled":true}`, want: ptr(All(In("spec.replicas", "3"), In("spec.enabled", "true")))},
		{name: "exists", in: `{"metadata.tags":{"$exists":true}}`, want: ptr(Exists("metadata.tags"))},
		{name: "not exists", in: `{"metadata.tags":{"$exists":false}}`, want: ptr(Not(Exists("metadata.tags")))},
		{name: "in", in: `{"spec.type":{"$in":["Service","website",1]}}`, want: ptr(In("spec.type", "service", "website", "1"))},
		{name: "empty in", in: `{"spec.type":{"$in":[]}}`, want: ptr(Any())},
		{name: "prefix", in: `{"metadata.name":{"$hasPrefix":"Art"}}`, want: ptr(HasPrefix("metadata.name", "art"))},
		{
			name: "all any not",
			in:   `{"$all":[{"kind":"component"},{"$any":[{"a":"1"},{"b":"2"}]},{"$not":{"spec.lifecycle":"experimental"}}]}`,
			want: ptr(All(In("kind", "component"), Any(In("a", "1"), In("b", "2")), Not(In("spec.lifecycle", "experimental")))),
		},
		{name: "empty all", in: `{"$all":[]}`, want: ptr(All())},
		{name: "top-level primitive", in: `"component"`, wantErr: `Invalid filter predicate: top-level primitive values are not supported. Wrap the value in a field expression, e.g. { "kind": "component" }`},
		{name: "top-level array", in: `[1]`, wantErr: `Invalid filter predicate: top-level primitive values are not supported. Wrap the value in a field expression, e.g. { "kind": [1] }`},
		{name: "bad value", in: `{"kind":{"$eq":"x"}}`, wantErr: `Invalid filter predicate value for field "kind": expected a primitive value, $exists, $in, or $hasPrefix operator, but got {"$eq":"x"}`},
		{name: "null value", in: `{"kind":null}`, wantErr: `Invalid filter predicate value for field "kind": expected a primitive value, $exists, $in, or $hasPrefix operator, but got null`},
		{name: "all not array", in: `{"$all":{}}`, wantErr: `Invalid filter predicate: $all must be an array, but got {}`},
		{name: "bad json", in: `{`, wantErr: `Invalid filter predicate: EOF`},
	}, func(in string) (*Expr, error) { return ParsePredicate(json.RawMessage(in)) }, "ParsePredicate(%s) = %v, want %v")
}

// parseCase is a case of a parser test: an input and either the parse or the error it gives.
type parseCase[I, O any] struct {
	name    string
	in      I
	want    O
	wantErr string
}

// runParseCases runs each case through parse; format prints a mismatch from the input, the result
// and the wanted result.
func runParseCases[I, O any](t *testing.T, tests []parseCase[I, O], parse func(I) (O, error), format string) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parse(tt.in)
			checkErr(t, err, tt.wantErr)
			if tt.wantErr == "" && !reflect.DeepEqual(got, tt.want) {
				t.Errorf(format, tt.in, got, tt.want)
			}
		})
	}
}

func TestExprJSONRoundTrip(t *testing.T) {
	e := All(In("kind", "component"), Not(Exists("spec.type")), HasPrefix("metadata.name", "a%"), Any(), True())
	back := roundTrip(t, e)
	if err := back.Validate(); err != nil {
		t.Fatalf("Validate(%s) = %v", back, err)
	}
	if !reflect.DeepEqual(back, e) {
		t.Errorf("round trip of %s = %v", e, back)
	}
}

func TestParseFields(t *testing.T) {
	runParseCases(t, []parseCase[[]string, []string]{
		{name: "none", in: nil, want: nil},
		{name: "comma list", in: []string{"kind,metadata.name"}, want: []string{"kind", "metadata.name"}},
		{name: "repeated", in: []string{"kind", " metadata.name ,"}, want: []string{"kind", "metadata.name"}},
		{name: "array", in: []string{"metadata.tags[0]"}, wantErr: "invalid fields, array type fields are not supported"},
	}, ParseFields, "ParseFields(%q) = %q, want %q")
}

func TestProject(t *testing.T) {
	entity := `{"apiVersion":"v1","kind":"Component","metadata":{"name":"x","annotations":{"a.b/c":"d"}},"spec":{"type":"service"},"relations":[{"type":"ownedBy"}]}`
	tests := []struct {
		name   string
		fields []string
		want   string
	}{
		{name: "all", fields: nil, want: entity},
		{name: "kind and name", fields: []string{"kind", "metadata.name"}, want: `{"kind":"Component","metadata":{"name":"x"}}`},
		{name: "subtree", fields: []string{"metadata.annotations", "relations"}, want: `{"metadata":{"annotations":{"a.b/c":"d"}},"relations":[{"type":"ownedBy"}]}`},
		{name: "missing skipped", fields: []string{"spec.owner", "nope", "kind"}, want: `{"kind":"Component"}`},
		{name: "case-sensitive", fields: []string{"Kind"}, want: `{}`},
		{name: "through a scalar", fields: []string{"kind.x"}, want: `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ProjectJSON(json.RawMessage(entity), tt.fields)
			if err != nil {
				t.Fatal(err)
			}
			if !jsonEqual(t, got, tt.want) {
				t.Errorf("ProjectJSON(%v) = %s, want %s", tt.fields, got, tt.want)
			}
		})
	}
}

func TestParseOrder(t *testing.T) {
	tests := []struct {
		name    string
		order   []string
		fields  []string
		want    []OrderField
		wantErr string
	}{
		{name: "order asc desc", order: []string{"asc:metadata.name", "desc:Kind"}, want: []OrderField{{Field: "metadata.name"}, {Field: "kind", Desc: true}}},
		{name: "order bad", order: []string{"up:metadata.name"}, wantErr: `Invalid order parameter "up:metadata.name", expected "<asc or desc>:<field name>"`},
		{name: "order empty field", order: []string{"asc:"}, wantErr: `Invalid order parameter "asc:", expected "<asc or desc>:<field name>"`},
		{name: "orderField", fields: []string{"metadata.name,desc", "kind"}, want: []OrderField{{Field: "metadata.name", Desc: true}, {Field: "kind"}}},
		{name: "orderField bad", fields: []string{"metadata.name,up"}, wantErr: "Invalid order field order, must be asc or desc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []OrderField
			var err error
			if tt.order != nil {
				got, err = ParseOrder(tt.order)
			} else {
				got, err = ParseOrderFields(tt.fields)
			}
			checkErr(t, err, tt.wantErr)
			if tt.wantErr == "" && !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func ptr(e Expr) *Expr { return &e }

func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
		return
	}
	var ie *InputError
	if !errors.As(err, &ie) {
		t.Fatalf("error = %v, want InputError %q", err, want)
	}
	if ie.Message != want {
		t.Fatalf("error = %q, want %q", ie.Message, want)
	}
}

func jsonEqual(t *testing.T, a []byte, b string) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(b), &y); err != nil {
		t.Fatal(err)
	}
	return reflect.DeepEqual(x, y)
}
