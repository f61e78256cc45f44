package model

import (
	"encoding/json"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The seed corpora live in testdata/fuzz/<FuzzName>.

// FuzzParseDescriptor runs arbitrary input through the whole pipeline: parsing, validation,
// relation derivation, locating problems, encoding and hashing. Nothing may panic, and an
// encoded entity must decode strictly and encode to the same bytes again.
func FuzzParseDescriptor(f *testing.F) {
	f.Add([]byte("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: a}\nspec: {type: s, lifecycle: l, owner: o}\n"))
	v := NewValidator(Options{})
	f.Fuzz(func(t *testing.T, data []byte) {
		merge := len(data) > 0 && data[0]&1 == 1
		for _, d := range ParseDescriptor(data, ParseOptions{MergeKeys: merge}) {
			for _, p := range v.CheckDocument(&d) {
				_ = p.ProcessingError("x:y/z")
				_ = p.Error()
			}
			if d.Value == nil {
				continue
			}
			_ = StableHash(d.Value)
			if d.Entity == nil {
				continue
			}
			_, _ = v.Relations(d.Entity)
			_ = d.Entity.Hash()
			_ = d.Entity.Clone()
			out, err := d.Entity.MarshalJSON()
			if err != nil {
				t.Fatalf("marshal: %v", err)
			}
			var back Entity
			if err := json.Unmarshal(out, &back); err != nil {
				t.Fatalf("re-decode of %s: %v", out, err)
			}
			again, _ := back.MarshalJSON()
			if string(again) != string(out) {
				t.Fatalf("unstable encoding:\n%s\n%s", out, again)
			}
			if _, err := yaml.Marshal(back); err != nil {
				t.Fatalf("yaml marshal: %v", err)
			}
		}
	})
}

// FuzzParseEntityRef checks that parsing never panics and that the canonical string of a parsed
// reference parses back to the same canonical string.
func FuzzParseEntityRef(f *testing.F) {
	f.Add("component:default/x")
	ctx := RefContext{DefaultKind: "Component", DefaultNamespace: "default"}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseEntityRef(s, ctx)
		_, _ = ParseEntityRef(s, RefContext{})
		_, _ = ParseEntityRefValue(map[string]any{"kind": s, "name": s}, ctx)
		if err != nil {
			return
		}
		canonical := r.String()
		back, err := ParseEntityRef(canonical, RefContext{})
		if err != nil {
			t.Fatalf("canonical %q of %q does not parse: %v", canonical, s, err)
		}
		if back.String() != canonical {
			t.Fatalf("canonical %q of %q reparses as %q", canonical, s, back.String())
		}
	})
}

// FuzzParseLocationRef checks that parsing never panics and that String parses back.
func FuzzParseLocationRef(f *testing.F) {
	f.Add("url:https://x/y.yaml")
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ParseLocationRef(s)
		if err != nil {
			return
		}
		back, err := ParseLocationRef(l.String())
		if err != nil || back != l {
			t.Fatalf("%q parsed as %+v, which reparses as %+v, %v", s, l, back, err)
		}
	})
}
