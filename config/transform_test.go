package config

import (
	"reflect"
	"testing"
)

func TestInterpolate(t *testing.T) {
	env := newEnvLookup([]string{"HOST=example.com", "PORT=7007", "EMPTY=", "SPACED=  padded  ", "TOKEN=abc"})
	tests := []struct {
		name    string
		in      string
		want    string
		defined bool
	}{
		{"no references", "plain", "plain", true},
		{"one variable", "${HOST}", "example.com", true},
		{"several per string", "https://${HOST}:${PORT}/x", "https://example.com:7007/x", true},
		{"whitespace in braces is trimmed", "${ HOST  }", "example.com", true},
		{"values are trimmed", "[${SPACED}]", "[padded]", true},
		{"default when unset", "${NOPE:-localhost:3000}", "localhost:3000", true},
		{"default when empty", "${EMPTY:-fallback}", "fallback", true},
		{"default ignored when set", "${HOST:-fallback}", "example.com", true},
		{"empty default", "a${NOPE:-}b", "ab", true},
		{"whitespace around default", "${ NOPE :- d }", "d", true},
		{"set but empty is empty", "[${EMPTY}]", "[]", true},
		{"escape", "$${HOST}", "${HOST}", true},
		{"escape next to a reference", "${TOKEN} $$${HOST}", "abc $${HOST}", true},
		{"escape of empty braces", "$${}", "${}", true},
		{"unset makes the value undefined", "x ${NOPE}", "", false},
		{"unset with a set one is undefined", "${HOST} ${NOPE}", "", false},
		{"empty reference is undefined", "${}", "", false},
		{"lone dollar", "cost $5 and ${", "cost $5 and ${", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := interpolate(tt.in, env)
			if ok != tt.defined || (ok && got != tt.want) {
				t.Fatalf("interpolate(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.defined)
			}
		})
	}
}

func TestTransforms(t *testing.T) {
	env := []string{"HOST=example.com", "PORT=7007", "STAGE=prod", "SECRET=  hunter2 ", "EMPTY="}
	files := memFS{
		"app-config.yaml":       "",
		"secret.txt":            "s3cret\n\n",
		"sub/token.txt":         "tok  \t\n",
		"sub/inc.yaml":          "a: 1\nnested:\n  $include: deeper/more.yaml\nfile:\n  $file: token.txt\nurl: http://${HOST}\n",
		"sub/deeper/more.yaml":  "leaf: deep\n",
		"secrets.prod.yaml":     "db: {password: pw-prod}\n",
		"data.json":             "{\n  \"deployment\": {\n    \"key\": \"k-123\",\n    \"list\": [1, 2]\n  }\n}\n",
		"scalar.yaml":           "hello ${HOST}\n",
		"empty.yaml":            "",
		"root-include.yaml":     "$include: sub/deeper/more.yaml\n",
		"list-with-unset.yaml":  "x: [a, '${NOPE}', c]\n",
		"include-in-list.yaml":  "x:\n  - $include: sub/deeper/more.yaml\n  - $env: HOST\n",
		"unset-keeps-lower.yml": "k: lower\n",
	}
	tests := []struct {
		name string
		yaml string
		want any
	}{
		{"$env", "a: {$env: HOST}\n", map[string]any{"a": "example.com"}},
		{"$env is trimmed", "a: {$env: SECRET}\n", map[string]any{"a": "hunter2"}},
		{"$env of an empty variable is empty", "a: {$env: EMPTY}\n", map[string]any{"a": ""}},
		{"$env unset removes the key", "a: {$env: NOPE}\nb: 1\n", map[string]any{"b": 1.0}},
		{"$file trims trailing whitespace", "a: {$file: secret.txt}\n", map[string]any{"a": "s3cret"}},
		{"$include yaml with nested includes relative to the included file", "a: {$include: sub/inc.yaml}\n", map[string]any{"a": map[string]any{
			"a": 1.0, "nested": map[string]any{"leaf": "deep"}, "file": "tok", "url": "http://example.com",
		}}},
		{"$include target is interpolated", "a: {$include: 'secrets.${STAGE}.yaml'}\n", map[string]any{"a": map[string]any{"db": map[string]any{"password": "pw-prod"}}}},
		{"$include json with fragment", "a: {$include: 'data.json#deployment.key'}\n", map[string]any{"a": "k-123"}},
		{"$include json fragment object", "a: {$include: 'data.json#deployment'}\n", map[string]any{"a": map[string]any{"key": "k-123", "list": []any{1.0, 2.0}}}},
		{"$include empty fragment is the whole file", "a: {$include: 'sub/deeper/more.yaml#'}\n", map[string]any{"a": map[string]any{"leaf": "deep"}}},
		{"$include scalar document is interpolated", "a: {$include: scalar.yaml}\n", map[string]any{"a": "hello example.com"}},
		{"$include empty document removes the key", "a: {$include: empty.yaml}\nb: 1\n", map[string]any{"b": 1.0}},
		{"$include at the root", "$include: root-include.yaml\n", map[string]any{"leaf": "deep"}},
		{"includes inside arrays", "$include: include-in-list.yaml\n", map[string]any{"x": []any{map[string]any{"leaf": "deep"}, "example.com"}}},
		{"undefined array elements are dropped", "$include: list-with-unset.yaml\n", map[string]any{"x": []any{"a", "c"}}},
		{"interpolated numbers stay strings", "port: ${PORT}\n", map[string]any{"port": "7007"}},
		{"other $ keys are ordinary keys", "a: {$other: 1, b: 2}\n", map[string]any{"a": map[string]any{"$other": 1.0, "b": 2.0}}},
		{"keys are not interpolated", "${HOST}: v\n", map[string]any{"${HOST}": "v"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := memFS{}
			for k, v := range files {
				fs[k] = v
			}
			fs["app-config.yaml"] = tt.yaml
			c := mustLoad(t, fs, env)
			if got := tree(c); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestTransformUnsetKeepsLowerFile(t *testing.T) {
	files := memFS{"a.yaml": "k: lower\nj: lower\n", "b.yaml": "k: ${NOPE}\nj: {$env: NOPE}\n"}
	c := mustLoad(t, files, nil, "a.yaml", "b.yaml")
	want := map[string]any{"k": "lower", "j": "lower"}
	if got := tree(c); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v, want %#v", got, want)
	}
}

func TestTransformOrigins(t *testing.T) {
	files := memFS{
		"app-config.yaml": "a:\n  b: {$env: HOST}\n  inc:\n    $include: conf/inc.yaml\n  f: {$file: conf/x.txt}\n",
		"conf/inc.yaml":   "# header\nx: 1\ny:\n  z: 2\n",
		"conf/x.txt":      "x",
	}
	c := mustLoad(t, files, []string{"HOST=h"})
	wantOrigins(t, c, []origin{
		{"a.b", "app-config.yaml", 2},
		{"a.inc.x", "conf/inc.yaml", 2},
		{"a.inc.y.z", "conf/inc.yaml", 4},
		{"a.f", "app-config.yaml", 5},
	})
}

func TestTransformErrors(t *testing.T) {
	files := memFS{
		"data.json":  "{\"a\": {\"b\": 1}, \"s\": \"x\"}",
		"bad.json":   "{\n  \"a\": 1,\n  \"b\": \n}\n",
		"bad.yaml":   "a: [\n",
		"self.yaml":  "x:\n  $include: self.yaml\n",
		"loop1.yaml": "$include: loop2.yaml\n",
		"loop2.yaml": "$include: loop1.yaml\n",
		"notes.txt":  "hi",
	}
	tests := []struct {
		name string
		yaml string
		want string
	}{
		{"sibling keys", "x:\n  y:\n    $include: data.json\n    other: 1\n", "app-config.yaml:2: x.y: include key $include must not have sibling keys"},
		{"two include keys", "x: {$env: A, $file: b}\n", "app-config.yaml:1: x: include key"},
		{"include value not a string", "x:\n  $file: [a]\n", "app-config.yaml:2: x: $file value must be a string, got array"},
		{"include target with unset variable", "x: {$include: '${NOPE}.yaml'}\n", `app-config.yaml:1: x: $include value "${NOPE}.yaml" refers to an unset environment variable`},
		{"missing $file", "x: {$file: nope.txt}\n", "app-config.yaml:1: x: $file: cannot read nope.txt: file does not exist"},
		{"missing $include", "a:\n  - 1\n  - {$include: nope.yaml}\n", "app-config.yaml:3: a[1]: $include: cannot read nope.yaml: file does not exist"},
		{"unknown extension", "x: {$include: notes.txt}\n", `app-config.yaml:1: x: $include: unsupported file type ".txt" for notes.txt`},
		{"missing fragment key", "x: {$include: 'data.json#a.c'}\n", `app-config.yaml:1: x: $include: key "a.c" not found in data.json`},
		{"fragment through a scalar", "x: {$include: 'data.json#s.t'}\n", `app-config.yaml:1: x: $include: value at "s" in data.json is not an object`},
		{"malformed included json", "x: {$include: bad.json}\n", "bad.json:4: invalid JSON"},
		{"malformed included yaml", "x: {$include: bad.yaml}\n", "bad.yaml:2: invalid YAML"},
		{"include cycle", "x: {$include: self.yaml}\n", "self.yaml:1: x.x: $include: self.yaml includes itself"},
		{"include loop", "$include: loop1.yaml\n", "includes itself"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := memFS{"app-config.yaml": tt.yaml}
			for k, v := range files {
				fs[k] = v
			}
			_, err := load(t, fs, nil)
			wantError(t, err, tt.want)
		})
	}
}
