package config

import (
	"reflect"
	"strings"
	"testing"
)

const appSchema = `{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "type": "object",
  "properties": {
    "app": {
      "type": "object",
      "required": ["baseUrl"],
      "properties": {
        "baseUrl": {"type": "string", "visibility": "frontend"},
        "title": {"type": "string", "visibility": "frontend"},
        "support": {"type": "object", "visibility": "frontend", "properties": {"url": {"type": "string"}}},
        "tags": {"type": "array", "visibility": "frontend", "items": {"type": "string"}},
        "theme": {"deepVisibility": "frontend"}
      }
    },
    "backend": {
      "type": "object",
      "properties": {
        "baseUrl": {"type": "string", "visibility": "frontend"},
        "listen": {"anyOf": [
          {"type": "string"},
          {"type": "object", "properties": {"port": {"type": "number"}, "host": {"type": "string"}}}
        ]},
        "flag": {"type": "boolean"},
        "database": {"type": "object", "properties": {
          "connection": {"visibility": "secret", "anyOf": [
            {"type": "string"},
            {"type": "object", "properties": {"password": {"type": "string"}}}
          ]}
        }},
        "auth": {"type": "object", "properties": {
          "keys": {"type": "array", "items": {"type": "object", "properties": {"secret": {"type": "string", "visibility": "secret"}}}}
        }}
      }
    },
    "integrations": {"$ref": "#/definitions/integrations"}
  },
  "definitions": {
    "integrations": {
      "type": "object",
      "additionalProperties": {
        "type": "array",
        "items": {
          "type": "object",
          "properties": {
            "host": {"type": "string", "visibility": "frontend"},
            "token": {"type": "string", "visibility": "secret"}
          }
        }
      }
    }
  }
}`

const catalogSchema = `{
  "type": "object",
  "properties": {
    "catalog": {
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "rules": {"type": "array"},
        "readonly": {"type": "boolean"}
      }
    },
    "app": {"properties": {"title": {"maxLength": 10}}},
    "organization": {"properties": {"name": {"type": "string", "visibility": "frontend"}}},
    "auth": {"deepVisibility": "secret", "properties": {"environment": {"visibility": "backend"}}}
  }
}`

func testSchemas() []Schema {
	return []Schema{{Owner: "app", JSON: []byte(appSchema)}, {Owner: "catalog", JSON: []byte(catalogSchema)}}
}

func TestValidateValid(t *testing.T) {
	files := memFS{"app-config.yaml": `app:
  baseUrl: http://localhost:3000
  title: Portal
backend:
  listen:
    port: ${PORT}
  flag: 'true'
integrations:
  github:
    - host: 42
catalog:
  readonly: false
`}
	c := mustLoad(t, files, []string{"PORT=7007"})
	problems, err := Validate(c, testSchemas())
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 0 {
		t.Fatalf("got problems %v, want none", problems)
	}
}

func TestValidateProblems(t *testing.T) {
	files := memFS{
		"a.yaml": `app:
  title: A very long title indeed
backend:
  listen:
    port: abc
  flag: 3
`,
		"b.yaml": `catalog:
  rules: []
  unknown: 1
backend:
  listen: [1]
`,
	}
	tests := []struct {
		name  string
		paths []string
		want  []string
	}{
		{
			name:  "one file",
			paths: []string{"a.yaml"},
			want: []string{
				"a.yaml:1: app: missing required key 'baseUrl'",
				"a.yaml:2: app.title: maxLength: got 24, want 10",
				"a.yaml:5: backend.listen.port: invalid type, got string, wanted number",
				"a.yaml:6: backend.flag: invalid type, got number, wanted boolean",
			},
		},
		{
			name:  "sorted by file then line",
			paths: []string{"a.yaml", "b.yaml"},
			want: []string{
				"a.yaml:1: app: missing required key 'baseUrl'",
				"a.yaml:2: app.title: maxLength: got 24, want 10",
				"a.yaml:6: backend.flag: invalid type, got number, wanted boolean",
				"b.yaml:3: catalog.unknown: unknown key, not allowed by the schema",
				"b.yaml:5: backend.listen: invalid type, got array, wanted string or object",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustLoad(t, files, nil, tt.paths...)
			problems, err := Validate(c, testSchemas())
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range problems {
				got = append(got, p.String())
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got problems\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
			}
		})
	}
}

func TestValidateRootRequired(t *testing.T) {
	c := mustLoad(t, memFS{}, nil)
	problems, err := Validate(c, []Schema{{Owner: "x", JSON: []byte(`{"required": ["app"]}`)}})
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 1 || problems[0].String() != "missing required key 'app'" {
		t.Fatalf("got %v", problems)
	}
}

func TestValidateBrokenSchemas(t *testing.T) {
	tests := []struct {
		name   string
		schema string
		want   string
	}{
		{"not json", `{`, `config schema "broken"`},
		{"bad visibility", `{"properties": {"a": {"visibility": "public"}}}`, "invalid visibility public"},
		{"bad deep visibility", `{"properties": {"a": {"properties": {"b": {"deepVisibility": 3}}}}}`, "invalid deepVisibility 3"},
		{"unresolvable ref", `{"properties": {"a": {"$ref": "#/definitions/nope"}}}`, "does not resolve"},
		{"bad type keyword", `{"type": "thing"}`, `config schema "broken"`},
	}
	c := FromMap(map[string]any{"a": 1}, "test")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Validate(c, []Schema{{Owner: "broken", JSON: []byte(tt.schema)}})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestValidateCoercion(t *testing.T) {
	schema := []Schema{{Owner: "coerce", JSON: []byte(`{
	  "properties": {
	    "port": {"anyOf": [{"type": "number"}, {"type": "object"}]},
	    "count": {"type": "integer"},
	    "name": {"type": "string"},
	    "short": {"type": "string", "maxLength": 5},
	    "on": {"type": "boolean"},
	    "ref": {"$ref": "#/definitions/num"},
	    "pp": {"patternProperties": {"^x-": {"type": "number"}}},
	    "tuple": {"items": [{"type": "string"}, {"type": "number"}]}
	  },
	  "definitions": {"num": {"type": "number"}}
	}`)}}
	tests := []struct {
		name string
		yaml string
		want string // "" means valid
	}{
		{"numeric string through anyOf", "port: '7007'\n", ""},
		{"integer string", "count: '12'\n", ""},
		{"fraction is not an integer", "count: '1.5'\n", "app-config.yaml:1: count: invalid type, got string, wanted integer"},
		{"number as string", "name: 42\n", ""},
		{"number as the string JavaScript writes", "short: 1e21\n", ""}, // "1e+21", not 22 digits
		{"boolean string", "on: 'true'\n", ""},
		{"yes is not a boolean", "on: 'yes'\n", "app-config.yaml:1: on: invalid type, got string, wanted boolean"},
		{"through a ref", "ref: '5'\n", ""},
		{"pattern properties", "pp:\n  x-a: '3'\n", ""},
		{"pattern property error", "pp:\n  x-a: z\n", "app-config.yaml:2: pp.x-a: invalid type, got string, wanted number"},
		{"tuple items", "tuple: [a, '2']\n", ""},
		{"tuple item error", "tuple:\n  - a\n  - b\n", "app-config.yaml:3: tuple[1]: invalid type, got string, wanted number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustLoad(t, memFS{"app-config.yaml": tt.yaml}, nil)
			problems, err := Validate(c, schema)
			if err != nil {
				t.Fatal(err)
			}
			var got string
			if len(problems) > 0 {
				got = problems[0].String()
			}
			if len(problems) > 1 || got != tt.want {
				t.Fatalf("got problems %v, want %q", problems, tt.want)
			}
		})
	}
}
