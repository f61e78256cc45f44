package permissions

import (
	"encoding/json"
	"testing"
)

// FuzzCriteria feeds arbitrary condition JSON through decoding, normalizing, querying and
// applying: no panics, and whatever normalizes re-validates and round-trips.
func FuzzCriteria(f *testing.F) {
	for _, s := range []string{
		`{"rule":"HAS_COLOR","resourceType":"thing","params":{"colors":["red"]}}`,
		`{"rule":"HAS_COLOR","params":[["blue"]]}`,
		`{"allOf":[{"not":{"rule":"HAS_COLOR","params":{"colors":["red"]}}},{"anyOf":[{"rule":"HAS_COLOR","params":{"colors":[]}}]}]}`,
		`{"not":null}`, `{"allOf":[]}`, `[]`, `{"params":5}`,
	} {
		f.Add(s)
	}
	rs := testRules(f)
	f.Fuzz(func(t *testing.T, in string) {
		var c Criteria
		if err := json.Unmarshal([]byte(in), &c); err != nil {
			return
		}
		n, err := rs.Normalize(c)
		if err != nil {
			return
		}
		if err := n.Validate(); err != nil {
			t.Fatalf("normalized criteria invalid: %v (input %s)", err, in)
		}
		_ = rs.Apply(n, doc{"color": "red"})
		if _, err := rs.ToQuery(n, strComb); err != nil {
			t.Fatalf("normalized criteria do not query: %v (input %s)", err, in)
		}
		b, err := json.Marshal(n)
		if err != nil {
			t.Fatal(err)
		}
		var back Criteria
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("round trip %s: %v", b, err)
		}
		if _, err := rs.Normalize(back); err != nil {
			t.Fatalf("round trip %s no longer normalizes: %v", b, err)
		}
	})
}
