package query

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
)

func FuzzParseFilters(f *testing.F) {
	for _, s := range []string{"kind=component", "kind=a,kind=b,spec.type", "=x", " , ", "a=b=c", "metadata.tags.java"} {
		f.Add(s, "kind=user")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		e, err := ParseFilters([]string{a, b})
		checkParsed(t, e, err, fmt.Sprintf("%q %q", a, b))
	})
}

// checkParsed fails unless the parse of input either failed with an *InputError or gave a valid
// expression that survives a round trip.
func checkParsed(t *testing.T, e *Expr, err error, input string) {
	t.Helper()
	if err != nil {
		var ie *InputError
		if !errors.As(err, &ie) {
			t.Fatalf("non-input error %v", err)
		}
		return
	}
	if e == nil {
		return
	}
	if err := e.Validate(); err != nil {
		t.Fatalf("parsed %s into invalid %v: %v", input, e, err)
	}
	roundTrip(t, *e)
}

func FuzzParsePredicate(f *testing.F) {
	for _, s := range []string{
		`{"kind":"component"}`, `{"$all":[{"a":1},{"$not":{"b":{"$exists":true}}}]}`,
		`{"$any":[{"x":{"$in":["a",true,2.5]}},{"y":{"$hasPrefix":"p"}}]}`, `[]`, `"x"`, `{}`, `null`, `{"a":null}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParsePredicate(json.RawMessage(s))
		checkParsed(t, e, err, s)
	})
}

func FuzzFlatten(f *testing.F) {
	f.Add(`{"kind":"A","metadata":{"name":"n","tags":["x","X"]},"relations":[{"type":"t","targetRef":"k:n/a"}]}`)
	f.Fuzz(func(t *testing.T, s string) {
		var m map[string]any
		if json.Unmarshal([]byte(s), &m) != nil {
			return
		}
		for _, r := range Flatten(m) {
			if len(r.Key) > 4*MaxKeyLength || (r.Value == nil) != (r.OriginalValue == nil) {
				t.Fatalf("bad row %+v from %s", r, s)
			}
		}
	})
}

// roundTrip encodes e as JSON and decodes it back, failing unless the result prints as e does.
func roundTrip(t *testing.T, e Expr) Expr {
	t.Helper()
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var back Expr
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.String() != e.String() {
		t.Fatalf("round trip %s != %s", back, e)
	}
	return back
}
