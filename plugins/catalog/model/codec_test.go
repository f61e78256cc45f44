package model

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

const fullEntityJSON = `{"apiVersion":"backstage.io/v1alpha1","kind":"Component","metadata":{"name":"artist-web","namespace":"default","uid":"2152f463-549d-4d8d-a94d-ce2b7676c6e2","etag":"7d8c","generation":2,"title":"Artist Web","description":"The <place> & more","labels":{"a":"b"},"annotations":{"backstage.io/managed-by-location":"url:https://x/c.yaml","z":""},"tags":["java"],"links":[{"url":"https://x","title":"X","icon":"web","type":"site","extraLinkKey":true}],"customMeta":{"nested":[1,2.5,null]},"zzz":"last"},"spec":{"lifecycle":"production","owner":"team-a","providesApis":["artist-api"],"type":"website","x-unknown":{"deep":{"deeper":[true,false]}}},"relations":[{"type":"ownedBy","targetRef":"group:default/team-a"},{"type":"partOf","targetRef":"system:default/s","target":{"kind":"system","namespace":"default","name":"s"}}],"status":{"items":[{"type":"backstage.io/catalog-processing","level":"error","message":"InputError: boom","error":{"name":"InputError","message":"boom","code":"E1","cause":{"name":"Error","message":"inner"},"extraErr":1},"extraItem":"x"}],"extraStatus":1},"extraRoot":{"k":"v"}}`

func TestEntityJSONRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{name: "every field and unknown keys kept, order stable", in: fullEntityJSON, want: fullEntityJSON},
		{
			name: "keys reordered on input come out in canonical order",
			in:   `{"spec":{"b":1,"a":2},"metadata":{"zeta":1,"name":"x","alpha":2},"kind":"K","apiVersion":"v"}`,
			want: `{"apiVersion":"v","kind":"K","metadata":{"name":"x","alpha":2,"zeta":1},"spec":{"a":2,"b":1}}`,
		},
		{
			name: "empty collections kept apart from absent ones",
			in:   `{"apiVersion":"v","kind":"K","metadata":{"name":"x","labels":{},"tags":[],"links":[]},"spec":{},"relations":[]}`,
			want: `{"apiVersion":"v","kind":"K","metadata":{"name":"x","labels":{},"tags":[],"links":[]},"spec":{},"relations":[]}`,
		},
		{
			name: "numbers as JavaScript writes them",
			in:   `{"apiVersion":"v","kind":"K","metadata":{"name":"x"},"spec":{"a":1.0,"b":1e21,"c":0.0000001,"d":-0,"e":12345678901234567890}}`,
			want: `{"apiVersion":"v","kind":"K","metadata":{"name":"x"},"spec":{"a":1,"b":1e+21,"c":1e-7,"d":0,"e":12345678901234567000}}`,
		},
		{
			name: "strings escaped as JSON.stringify does",
			in:   `{"apiVersion":"v","kind":"K","metadata":{"name":"x","description":"<a href=\"x\">&</a>\u0001\u2028\t"}}`,
			want: `{"apiVersion":"v","kind":"K","metadata":{"name":"x","description":"<a href=\"x\">&</a>\u0001` + "\u2028" + `\t"}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e Entity
			if err := json.Unmarshal([]byte(tt.in), &e); err != nil {
				t.Fatalf("unmarshal: %v", err)
			}
			// MarshalJSON writes what JavaScript's JSON.stringify writes; json.Marshal would
			// additionally HTML-escape it.
			out, err := e.MarshalJSON()
			if err != nil {
				t.Fatalf("marshal: %v", err)
			}
			if string(out) != tt.want {
				t.Errorf("got  %s\nwant %s", out, tt.want)
			}
			// Through encoding/json (HTML-escaped) the entity decodes to the same thing.
			std, err := json.Marshal(&e)
			if err != nil {
				t.Fatalf("json.Marshal: %v", err)
			}
			var viaStd Entity
			if err := json.Unmarshal(std, &viaStd); err != nil {
				t.Fatalf("unmarshal json.Marshal output: %v", err)
			}
			if out3, _ := viaStd.MarshalJSON(); string(out3) != string(out) {
				t.Errorf("json.Marshal round trip differs:\n%s\n%s", out3, out)
			}
			var again Entity
			if err := json.Unmarshal(out, &again); err != nil {
				t.Fatalf("unmarshal again: %v", err)
			}
			if out2, _ := again.MarshalJSON(); string(out2) != string(out) {
				t.Errorf("second round trip differs:\n%s\n%s", out2, out)
			}
		})
	}
}

func TestEntityUnmarshalStrict(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr string
	}{
		{"not an object", `[1]`, "expected an object, got array"},
		{"annotation not a string", `{"apiVersion":"v","kind":"K","metadata":{"name":"x","annotations":{"a":true}}}`, "/metadata/annotations/a: expected string, got boolean"},
		{"spec not an object", `{"apiVersion":"v","kind":"K","metadata":{"name":"x"},"spec":7}`, "/spec: expected object, got number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e Entity
			err := json.Unmarshal([]byte(tt.in), &e)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
	if _, err := ParseEntityJSON([]byte(`{} {}`)); err == nil || !strings.Contains(err.Error(), "unexpected data after the entity") {
		t.Errorf("ParseEntityJSON with trailing data: %v", err)
	}
	// Lenient decoding keeps what it can.
	e, err := DecodeEntity(map[string]any{"apiVersion": "v", "kind": "K", "metadata": map[string]any{"name": "x", "tags": []any{"a", 1.0}}})
	if err == nil || e == nil || e.Metadata.Name != "x" || !reflect.DeepEqual(e.Metadata.Tags, []string{"a"}) {
		t.Fatalf("DecodeEntity = %+v, %v", e, err)
	}
}

func TestEntityYAMLRoundTrip(t *testing.T) {
	var e Entity
	if err := json.Unmarshal([]byte(fullEntityJSON), &e); err != nil {
		t.Fatal(err)
	}
	out, err := yaml.Marshal(e)
	if err != nil {
		t.Fatalf("yaml marshal: %v", err)
	}
	if !strings.HasPrefix(string(out), "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n    name: artist-web\n") {
		t.Errorf("unexpected YAML layout:\n%s", out)
	}
	var back Entity
	if err := yaml.Unmarshal(out, &back); err != nil {
		t.Fatalf("yaml unmarshal: %v\n%s", err, out)
	}
	j, _ := back.MarshalJSON()
	if string(j) != fullEntityJSON {
		t.Errorf("YAML round trip changed the entity:\n%s\n%s", j, fullEntityJSON)
	}
	// Strings that look like other types stay strings.
	e2 := Entity{APIVersion: "v", Kind: "K", Metadata: Metadata{Name: "x", Annotations: map[string]string{"a": "true", "b": "12", "c": "null"}}}
	out, _ = yaml.Marshal(e2)
	var back2 Entity
	if err := yaml.Unmarshal(out, &back2); err != nil || !reflect.DeepEqual(back2.Metadata.Annotations, e2.Metadata.Annotations) {
		t.Fatalf("quoted scalars lost: %v\n%s", err, out)
	}
}

func TestStableHash(t *testing.T) {
	a := mustEntity(t, "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: a\n  namespace: default\n  tags: [x, y]\nspec: {type: service, owner: team-a, lifecycle: production}\n")
	b := mustEntity(t, "kind: Component\nspec: {lifecycle: production, owner: team-a, type: service}\nmetadata:\n  tags: [x, y]\n  namespace: default\n  name: a\napiVersion: backstage.io/v1alpha1\n")
	c := mustEntity(t, "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: a\n  namespace: default\n  tags: [y, x]\nspec: {type: service, owner: team-a, lifecycle: production}\n")
	wantJSON := `{"apiVersion":"backstage.io/v1alpha1","kind":"Component","metadata":{"name":"a","namespace":"default","tags":["x","y"]},"spec":{"lifecycle":"production","owner":"team-a","type":"service"}}`
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"stable JSON sorts every key", string(StableJSON(a)), wantJSON},
		{"hash is SHA-1 of stable JSON", a.Hash(), "687a4912327e20a007e1ca34187a7acf5dbf9ca1"},
		{"key order does not matter", b.Hash(), a.Hash()},
		{"generic value hashes the same", StableHash(mustValue(t, "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: a, namespace: default, tags: [x, y]}\nspec: {type: service, owner: team-a, lifecycle: production}\n")), a.Hash()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got  %s\nwant %s", tt.got, tt.want)
			}
		})
	}
	if c.Hash() == a.Hash() {
		t.Error("array order must change the hash")
	}
}

func TestCloneIsDeep(t *testing.T) {
	var e Entity
	if err := json.Unmarshal([]byte(fullEntityJSON), &e); err != nil {
		t.Fatal(err)
	}
	c := e.Clone()
	c.Metadata.Labels["a"] = "changed"
	c.Metadata.Tags[0] = "changed"
	c.Metadata.Links[0].Extra["extraLinkKey"] = false
	c.Spec["x-unknown"].(map[string]any)["deep"] = nil
	c.Relations[1].Target.Name = "changed"
	c.Status.Items[0].Error.Cause.Message = "changed"
	c.Extra["extraRoot"].(map[string]any)["k"] = "changed"
	c.SetAnnotation("new", "x")
	if out, _ := e.MarshalJSON(); string(out) != fullEntityJSON {
		t.Errorf("changing the clone changed the original:\n%s", out)
	}
}

func TestSetDefaults(t *testing.T) {
	tests := []struct {
		name, namespace, want string
	}{
		{"missing namespace", "", DefaultNamespace},
		{"kept namespace", "ops", "ops"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &Entity{Metadata: Metadata{Name: "x", Namespace: tt.namespace}}
			SetDefaults(e)
			if e.Metadata.Namespace != tt.want {
				t.Errorf("namespace = %q, want %q", e.Metadata.Namespace, tt.want)
			}
		})
	}
}
