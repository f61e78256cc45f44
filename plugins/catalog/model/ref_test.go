package model

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestParseEntityRef(t *testing.T) {
	tests := []struct {
		name    string
		ref     string
		ctx     RefContext
		want    EntityRef
		wantStr string
		wantErr string
		is      error
	}{
		{name: "name with defaults", ref: "artist-api", ctx: RefContext{DefaultKind: "API", DefaultNamespace: "default"}, want: EntityRef{"API", "default", "artist-api"}, wantStr: "api:default/artist-api"},
		{name: "kind given", ref: "group:team-a", want: EntityRef{"group", "default", "team-a"}, wantStr: "group:default/team-a"},
		{name: "namespace given", ref: "ops/team-a", ctx: RefContext{DefaultKind: "Group"}, want: EntityRef{"Group", "ops", "team-a"}, wantStr: "group:ops/team-a"},
		{name: "full", ref: "user:ops/jdoe", want: EntityRef{"user", "ops", "jdoe"}, wantStr: "user:ops/jdoe"},
		{name: "case kept, string lower-cased", ref: "Component:Default/Foo", want: EntityRef{"Component", "Default", "Foo"}, wantStr: "component:default/foo"},
		{name: "context namespace", ref: "team-a", ctx: RefContext{DefaultKind: "Group", DefaultNamespace: "ops"}, want: EntityRef{"Group", "ops", "team-a"}, wantStr: "group:ops/team-a"},
		{name: "slash before colon", ref: "default/foo:bar", ctx: RefContext{DefaultKind: "Component"}, want: EntityRef{"Component", "default", "foo:bar"}, wantStr: "component:default/foo:bar"},
		{name: "name keeps extra slashes", ref: "component:ns/a/b", want: EntityRef{"component", "ns", "a/b"}, wantStr: "component:ns/a/b"},
		{name: "name keeps extra colons", ref: "a:b:c", want: EntityRef{"a", "default", "b:c"}, wantStr: "a:default/b:c"},
		{name: "empty", ref: "", wantErr: "Entity reference must not be empty", is: ErrInvalidRef},
		{name: "empty kind", ref: ":x", wantErr: `Entity reference ":x" was not on the form [<kind>:][<namespace>/]<name>`, is: ErrInvalidRef},
		{name: "empty namespace", ref: "a:/x", wantErr: `Entity reference "a:/x" was not on the form [<kind>:][<namespace>/]<name>`, is: ErrInvalidRef},
		{name: "empty name", ref: "a:b/", wantErr: `Entity reference "a:b/" was not on the form [<kind>:][<namespace>/]<name>`, is: ErrInvalidRef},
		{name: "missing kind", ref: "artists-db", wantErr: `Entity reference "artists-db" had missing or empty kind (e.g. did not start with "component:" or similar)`, is: ErrIncompleteRef},
		{name: "missing kind quotes JSON", ref: `a"b`, wantErr: `Entity reference "a\"b" had missing or empty kind (e.g. did not start with "component:" or similar)`, is: ErrIncompleteRef},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseEntityRef(tt.ref, tt.ctx)
			if wantedErr(t, err, tt.wantErr, tt.is) {
				return
			}
			if err != nil {
				t.Fatalf("ParseEntityRef(%q): %v", tt.ref, err)
			}
			if got != tt.want || got.String() != tt.wantStr {
				t.Errorf("ParseEntityRef(%q) = %+v (%s), want %+v (%s)", tt.ref, got, got, tt.want, tt.wantStr)
			}
		})
	}
}

func TestParseEntityRefValue(t *testing.T) {
	tests := []struct {
		name    string
		value   any
		ctx     RefContext
		want    string
		wantErr string
	}{
		{name: "string", value: "group:a", want: "group:default/a"},
		{name: "object", value: map[string]any{"kind": "User", "name": "Jdoe"}, want: "user:default/jdoe"},
		{name: "object with defaults", value: map[string]any{"name": "x"}, ctx: RefContext{DefaultKind: "Group", DefaultNamespace: "ops"}, want: "group:ops/x"},
		{name: "object without kind", value: map[string]any{"name": "x"}, wantErr: `Entity reference {"name":"x"} had missing or empty kind (e.g. did not start with "component:" or similar)`},
		{name: "object without name", value: map[string]any{"kind": "Group"}, wantErr: `Entity reference {"kind":"Group"} had missing or empty name`},
		{name: "null", value: nil, wantErr: "Entity reference must not be empty"},
		{name: "number", value: 7.0, wantErr: "Entity reference 7 is not a string or an object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseEntityRefValue(tt.value, tt.ctx)
			if wantedErr(t, err, tt.wantErr, nil) {
				return
			}
			if err != nil || got.String() != tt.want {
				t.Fatalf("got %s, %v; want %s", got, err, tt.want)
			}
		})
	}
}

func TestEntityRefCompare(t *testing.T) {
	tests := []struct {
		name  string
		a, b  EntityRef
		equal bool
		cmp   int
	}{
		{"case-insensitive", EntityRef{"Component", "Default", "Foo"}, EntityRef{"component", "default", "foo"}, true, 0},
		{"namespace defaulted", EntityRef{Kind: "group", Name: "a"}, EntityRef{"group", "default", "a"}, true, 0},
		{"different names", EntityRef{"group", "default", "a"}, EntityRef{"group", "default", "b"}, false, -1},
		{"kind orders first", EntityRef{"user", "a", "a"}, EntityRef{"api", "z", "z"}, false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.a.Equal(tt.b); got != tt.equal {
				t.Errorf("Equal = %v, want %v", got, tt.equal)
			}
			if got := CompareEntityRefs(tt.a, tt.b); got != tt.cmp {
				t.Errorf("Compare = %d, want %d", got, tt.cmp)
			}
		})
	}
}

func TestEntityRefJSONAndNormalize(t *testing.T) {
	b, err := json.Marshal(EntityRef{"Group", "ops", "Team-A"})
	if err != nil || string(b) != `{"kind":"Group","namespace":"ops","name":"Team-A"}` {
		t.Fatalf("marshal = %s, %v", b, err)
	}
	got, err := NormalizeEntityRef("Group:Ops/Team-A")
	if err != nil || got != "group:ops/team-a" {
		t.Fatalf("NormalizeEntityRef = %q, %v", got, err)
	}
	if _, err := NormalizeEntityRef("team-a"); !errors.Is(err, ErrIncompleteRef) {
		t.Fatalf("NormalizeEntityRef without kind: %v", err)
	}
	e := mustEntity(t, "apiVersion: v1\nkind: Component\nmetadata: {name: Web}\n")
	if got := e.Ref().String(); got != "component:default/web" {
		t.Errorf("Entity.Ref = %s", got)
	}
}

func TestLocationRef(t *testing.T) {
	tests := []struct {
		name    string
		ref     string
		want    LocationRef
		wantErr string
	}{
		{name: "url", ref: "url:https://github.com/o/r/blob/main/catalog-info.yaml", want: LocationRef{"url", "https://github.com/o/r/blob/main/catalog-info.yaml"}},
		{name: "file", ref: "file:/abs/path.yaml", want: LocationRef{"file", "/abs/path.yaml"}},
		{name: "split on first colon, trimmed", ref: " bootstrap : bootstrap ", want: LocationRef{"bootstrap", "bootstrap"}},
		{name: "empty", ref: "", wantErr: "Unable to parse location reference '', expected '<type>:<target>', e.g. 'url:https://host/path'"},
		{name: "no colon", ref: "hello", wantErr: "Unable to parse location reference 'hello', expected '<type>:<target>', e.g. 'url:https://host/path'"},
		{name: "empty type", ref: ":hello", wantErr: "Unable to parse location reference ':hello', expected '<type>:<target>', e.g. 'url:https://host/path'"},
		{name: "empty target", ref: "hello:", wantErr: "Unable to parse location reference 'hello:', expected '<type>:<target>', e.g. 'url:https://host/path'"},
		{name: "bare url", ref: "https://bleh", wantErr: "Invalid location reference 'https://bleh', please prefix it with 'url:', e.g. 'url:https://bleh'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseLocationRef(tt.ref)
			if wantedErr(t, err, tt.wantErr, ErrInvalidLocationRef) {
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
			if again, err := ParseLocationRef(got.String()); err != nil || again != got {
				t.Errorf("round trip of %q: %+v, %v", got.String(), again, err)
			}
		})
	}
	if err := (LocationRef{Type: "url"}).Validate(); err == nil || err.Error() != "Unable to stringify location reference, empty target" {
		t.Errorf("Validate empty target: %v", err)
	}
	if got := URLLocation("https://x/y").String(); got != "url:https://x/y" {
		t.Errorf("URLLocation = %s", got)
	}
	if got := FileLocation("/a").String(); got != "file:/a" {
		t.Errorf("FileLocation = %s", got)
	}
}

func TestSourceLocation(t *testing.T) {
	tests := []struct {
		name        string
		annotations map[string]string
		want        string
		wantErr     string
	}{
		{"source-location wins", map[string]string{AnnotationSourceLocation: "url:https://x/tree/main/", AnnotationManagedByLocation: "url:https://x/blob/main/c.yaml"}, "url:https://x/tree/main/", ""},
		{"managed-by-location", map[string]string{AnnotationManagedByLocation: "file:/a/c.yaml"}, "file:/a/c.yaml", ""},
		{"missing", nil, "", "Entity 'component:default/web' is missing location"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &Entity{Kind: "Component", Metadata: Metadata{Name: "web", Annotations: tt.annotations}}
			got, err := SourceLocation(e)
			if wantedErr(t, err, tt.wantErr, nil) {
				return
			}
			if err != nil || got.String() != tt.want {
				t.Fatalf("got %s, %v; want %s", got, err, tt.want)
			}
		})
	}
}
