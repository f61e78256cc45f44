package config

import (
	"reflect"
	"strings"
	"testing"
)

const visibilityYAML = `app:
  baseUrl: http://localhost:3000
  title: Portal
  support:
    url: http://help
  tags: [a, b]
  theme:
    palette: {primary: blue}
    mode: dark
  hidden: backend-only
backend:
  baseUrl: http://localhost:7007
  listen: {port: 7007}
  database:
    connection:
      host: db
      password: pw-123
  auth:
    keys:
      - secret: key-abcdef
      - secret: key-abcdef
integrations:
  github:
    - host: github.com
      token: ghp_token
organization:
  name: ACME
auth:
  environment: development
  providers:
    github: {clientSecret: cs-1}
`

func visibilityConfig(t *testing.T) (*Config, *Visibility) {
	t.Helper()
	c := mustLoad(t, memFS{"app-config.yaml": visibilityYAML}, nil)
	v, err := NewVisibility(testSchemas())
	if err != nil {
		t.Fatal(err)
	}
	return c, v
}

func TestVisibilityFrontend(t *testing.T) {
	c, v := visibilityConfig(t)
	want := map[string]any{
		"app": map[string]any{
			"baseUrl": "http://localhost:3000",
			"title":   "Portal",
			"support": map[string]any{}, // an object marked frontend shows only marked children
			"tags":    []any{"a", "b"},  // primitive elements share the array's visibility
			"theme":   map[string]any{"palette": map[string]any{"primary": "blue"}, "mode": "dark"},
		},
		"backend":      map[string]any{"baseUrl": "http://localhost:7007"},
		"integrations": map[string]any{"github": []any{map[string]any{"host": "github.com"}}},
		"organization": map[string]any{"name": "ACME"},
	}
	if got := v.Frontend(c); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v\nwant %#v", got, want)
	}

	app, err := c.Config("app")
	if err != nil {
		t.Fatal(err)
	}
	if got := v.Frontend(app); !reflect.DeepEqual(got, want["app"]) {
		t.Fatalf("sub-reader: got %#v, want %#v", got, want["app"])
	}
	if got := v.Frontend(FromMap(nil, "empty")); !reflect.DeepEqual(got, map[string]any{}) {
		t.Fatalf("empty config: got %#v", got)
	}
}

func TestVisibilityRedacted(t *testing.T) {
	c, v := visibilityConfig(t)
	got := v.Redacted(c)
	checks := []struct {
		key  string
		want any
	}{
		{"backend.database.connection", map[string]any{"host": "<secret>", "password": "<secret>"}},
		{"backend.auth.keys", []any{map[string]any{"secret": "<secret>"}, map[string]any{"secret": "<secret>"}}},
		{"integrations.github", []any{map[string]any{"host": "github.com", "token": "<secret>"}}},
		{"auth.providers.github.clientSecret", "<secret>"},
		{"auth.environment", "development"},
		{"app.hidden", "backend-only"},
		{"backend.listen.port", 7007.0},
	}
	r := FromMap(got, "redacted")
	for _, tt := range checks {
		t.Run(tt.key, func(t *testing.T) {
			if v, _ := r.Get(tt.key); !reflect.DeepEqual(v, tt.want) {
				t.Fatalf("got %#v, want %#v", v, tt.want)
			}
		})
	}

	db, err := c.Config("backend.database")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := db.Config("connection")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"host": "<secret>", "password": "<secret>"}
	if got := v.Redacted(conn); !reflect.DeepEqual(got, want) {
		t.Fatalf("sub-reader inside a secret: got %#v, want %#v", got, want)
	}
}

func TestVisibilitySecrets(t *testing.T) {
	c, v := visibilityConfig(t)
	want := []string{"key-abcdef", "ghp_token", "pw-123", "cs-1", "db"}
	if got := v.Secrets(c); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	noSchemas, err := NewVisibility(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := noSchemas.Secrets(c); len(got) != 0 {
		t.Fatalf("without schemas got secrets %q", got)
	}
	if got := noSchemas.Frontend(c); len(got) != 0 {
		t.Fatalf("without schemas got frontend %v", got)
	}
}

func TestVisibilityConflicts(t *testing.T) {
	tests := []struct {
		name    string
		schemas []Schema
		want    string
	}{
		{
			name: "frontend in one schema and secret in another",
			schemas: []Schema{
				{Owner: "a", JSON: []byte(`{"properties": {"app": {"properties": {"baseUrl": {"visibility": "frontend"}}}}}`)},
				{Owner: "b", JSON: []byte(`{"properties": {"app": {"properties": {"baseUrl": {"visibility": "secret"}}}}}`)},
			},
			want: `config schema visibility of "app.baseUrl" is both 'frontend' (schema "a") and 'secret' (schema "b")`,
		},
		{
			name: "conflict through a ref and array items",
			schemas: []Schema{
				{Owner: "a", JSON: []byte(`{"properties": {"list": {"items": {"$ref": "#/definitions/x"}}}, "definitions": {"x": {"visibility": "secret"}}}`)},
				{Owner: "b", JSON: []byte(`{"properties": {"list": {"type": "array", "items": {"visibility": "frontend"}}}}`)},
			},
			want: `config schema visibility of "list[]" is both`,
		},
		{
			name: "frontend under deepVisibility secret",
			schemas: []Schema{
				{Owner: "a", JSON: []byte(`{"properties": {"s": {"deepVisibility": "secret", "properties": {"url": {"visibility": "frontend"}}}}}`)},
			},
			want: `config schema marks "s.url" frontend-visible (schema "a") inside "s", which has deepVisibility 'secret' (schema "a")`,
		},
		{
			name: "deepVisibility both ways",
			schemas: []Schema{
				{Owner: "a", JSON: []byte(`{"properties": {"s": {"deepVisibility": "secret"}}}`)},
				{Owner: "b", JSON: []byte(`{"properties": {"s": {"deepVisibility": "frontend"}}}`)},
			},
			want: `config schema deepVisibility of "s" is both`,
		},
		{
			name:    "invalid value",
			schemas: []Schema{{Owner: "a", JSON: []byte(`{"properties": {"s": {"visibility": "everyone"}}}`)}},
			want:    `config schema "a": schema at "#/properties/s": invalid visibility everyone`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewVisibility(tt.schemas)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestVisibilityAllowedCombinations(t *testing.T) {
	schemas := []Schema{
		{Owner: "a", JSON: []byte(`{"properties": {"s": {"deepVisibility": "frontend", "properties": {"key": {"visibility": "secret"}}}}}`)},
		{Owner: "b", JSON: []byte(`{"properties": {"s": {"properties": {"name": {"visibility": "frontend"}}}}}`)},
		{Owner: "c", JSON: []byte(`{"properties": {"tree": {"$ref": "#/definitions/node"}}, "definitions": {"node": {"properties": {"label": {"visibility": "frontend"}, "children": {"items": {"$ref": "#/definitions/node"}}}}}}`)},
	}
	v, err := NewVisibility(schemas)
	if err != nil {
		t.Fatal(err)
	}
	c := FromMap(map[string]any{
		"s":    map[string]any{"name": "n", "key": "k", "other": map[string]any{"x": 1}},
		"tree": map[string]any{"label": "root", "id": 1, "children": []any{map[string]any{"label": "leaf", "id": 2}}},
	}, "test")
	want := map[string]any{
		"s":    map[string]any{"name": "n", "other": map[string]any{"x": 1.0}},
		"tree": map[string]any{"label": "root", "children": []any{map[string]any{"label": "leaf"}}},
	}
	if got := v.Frontend(c); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v\nwant %#v", got, want)
	}
	if got := v.Secrets(c); !reflect.DeepEqual(got, []string{"k"}) {
		t.Fatalf("secrets %q", got)
	}
}

func TestVisibilityPatternsAndTuples(t *testing.T) {
	v, err := NewVisibility([]Schema{{Owner: "a", JSON: []byte(`{
	  "properties": {
	    "headers": {"patternProperties": {"^x-": {"visibility": "frontend"}}, "additionalProperties": {"visibility": "secret"}},
	    "pair": {"items": [{"visibility": "frontend"}, {"visibility": "secret"}]},
	    "choice": {"oneOf": [
	      {"type": "string", "visibility": "frontend"},
	      {"type": "object", "properties": {"token": {"visibility": "secret"}}}
	    ]}
	  }
	}`)}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name         string
		data         map[string]any
		wantFrontend map[string]any
		wantSecrets  []string
	}{
		{
			name:         "pattern and additional properties",
			data:         map[string]any{"headers": map[string]any{"x-team": "t", "authorization": "Bearer z"}},
			wantFrontend: map[string]any{"headers": map[string]any{"x-team": "t"}},
			wantSecrets:  []string{"Bearer z"},
		},
		{
			name:         "tuple items",
			data:         map[string]any{"pair": []any{"open", "closed"}},
			wantFrontend: map[string]any{"pair": []any{"open"}},
			wantSecrets:  []string{"closed"},
		},
		{
			name:         "oneOf string branch",
			data:         map[string]any{"choice": "plain"},
			wantFrontend: map[string]any{"choice": "plain"},
			wantSecrets:  []string{},
		},
		{
			name:         "oneOf object branch",
			data:         map[string]any{"choice": map[string]any{"token": "tk"}},
			wantFrontend: map[string]any{},
			wantSecrets:  []string{"tk"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := FromMap(tt.data, "test")
			if got := v.Frontend(c); !reflect.DeepEqual(got, tt.wantFrontend) {
				t.Fatalf("Frontend = %#v, want %#v", got, tt.wantFrontend)
			}
			if got := v.Secrets(c); !reflect.DeepEqual(got, tt.wantSecrets) {
				t.Fatalf("Secrets = %#v, want %#v", got, tt.wantSecrets)
			}
		})
	}
}
