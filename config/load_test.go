package config

import (
	"context"
	"errors"
	"reflect"
	"testing"
)

func TestLoadMerge(t *testing.T) {
	tests := []struct {
		name  string
		files memFS
		paths []string
		want  map[string]any
	}{
		{
			name: "objects deep-merge and later files win",
			files: memFS{
				"a.yaml": "app:\n  title: A\n  baseUrl: http://a\nbackend:\n  listen: {port: 7007}\n",
				"b.yaml": "app:\n  title: B\nbackend:\n  listen: {host: 0.0.0.0}\n",
			},
			paths: []string{"a.yaml", "b.yaml"},
			want: map[string]any{
				"app":     map[string]any{"title": "B", "baseUrl": "http://a"},
				"backend": map[string]any{"listen": map[string]any{"port": 7007.0, "host": "0.0.0.0"}},
			},
		},
		{
			name: "arrays are replaced wholesale",
			files: memFS{
				"a.yaml": "catalog:\n  locations: [{type: url, target: a}, {type: url, target: b}]\n",
				"b.yaml": "catalog:\n  locations: [{type: file, target: c}]\n",
			},
			paths: []string{"a.yaml", "b.yaml"},
			want:  map[string]any{"catalog": map[string]any{"locations": []any{map[string]any{"type": "file", "target": "c"}}}},
		},
		{
			name: "null removes the key and does not fall back",
			files: memFS{
				"a.yaml": "app:\n  title: A\n  support: {url: x}\n",
				"b.yaml": "app:\n  support: null\n",
			},
			paths: []string{"a.yaml", "b.yaml"},
			want:  map[string]any{"app": map[string]any{"title": "A"}},
		},
		{
			name: "null in a middle file also hides a later object's absence",
			files: memFS{
				"a.yaml": "x: {a: 1, b: 2}\n",
				"b.yaml": "x: ~\n",
				"c.yaml": "x: {c: 3}\n",
			},
			paths: []string{"a.yaml", "b.yaml", "c.yaml"},
			want:  map[string]any{"x": map[string]any{"c": 3.0}},
		},
		{
			name: "a scalar replaces an object and an object replaces a scalar",
			files: memFS{
				"a.yaml": "x: {a: 1}\ny: text\n",
				"b.yaml": "x: flat\ny: {b: 2}\n",
			},
			paths: []string{"a.yaml", "b.yaml"},
			want:  map[string]any{"x": "flat", "y": map[string]any{"b": 2.0}},
		},
		{
			name:  "nulls inside arrays stay",
			files: memFS{"a.yaml": "x: [1, null, two]\n"},
			paths: []string{"a.yaml"},
			want:  map[string]any{"x": []any{1.0, nil, "two"}},
		},
		{
			name:  "defaults: app-config.yaml then app-config.local.yaml",
			files: memFS{"app-config.yaml": "a: 1\nb: 1\n", "app-config.local.yaml": "b: 2\n"},
			want:  map[string]any{"a": 1.0, "b": 2.0},
		},
		{
			name:  "defaults: only the local file",
			files: memFS{"app-config.local.yaml": "b: 2\n"},
			want:  map[string]any{"b": 2.0},
		},
		{
			name:  "defaults: no files at all is an empty config",
			files: memFS{},
			want:  map[string]any{},
		},
		{
			name:  "explicit paths replace the defaults",
			files: memFS{"app-config.yaml": "a: 1\n", "other.yaml": "o: 1\n"},
			paths: []string{"other.yaml"},
			want:  map[string]any{"o": 1.0},
		},
		{
			name:  "empty and comment-only files are empty objects",
			files: memFS{"a.yaml": "", "b.yaml": "# nothing\n", "c.yaml": "k: v\n"},
			paths: []string{"a.yaml", "b.yaml", "c.yaml"},
			want:  map[string]any{"k": "v"},
		},
		{
			name:  "yaml 1.2 scalars: yes stays a string, timestamps stay text",
			files: memFS{"a.yaml": "a: yes\nb: 2024-01-02\nc: 0x10\nd: 1.5\ne: true\nf: '7'\n"},
			paths: []string{"a.yaml"},
			want:  map[string]any{"a": "yes", "b": "2024-01-02", "c": 16.0, "d": 1.5, "e": true, "f": "7"},
		},
		{
			name:  "anchors and aliases expand",
			files: memFS{"a.yaml": "base: &b {x: 1}\ncopy: *b\n"},
			paths: []string{"a.yaml"},
			want:  map[string]any{"base": map[string]any{"x": 1.0}, "copy": map[string]any{"x": 1.0}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustLoad(t, tt.files, nil, tt.paths...)
			if got := tree(c); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name  string
		files memFS
		paths []string
		want  string
	}{
		{"explicit missing file names the path", memFS{}, []string{"missing.yaml"}, "missing.yaml: cannot read config file: file does not exist"},
		{"remote sources are refused", memFS{}, []string{"https://example.com/app-config.yaml"}, "https://example.com/app-config.yaml: remote config sources are not supported"},
		{"malformed yaml has file and line", memFS{"a.yaml": "a: 1\nb: [1, 2\nc: 3\n"}, []string{"a.yaml"}, "a.yaml:2: invalid YAML: did not find expected ',' or ']'"},
		{"malformed yaml mapping", memFS{"a.yaml": "a:\n  b: 1\n c: 2\n"}, []string{"a.yaml"}, "a.yaml:3: invalid YAML: did not find expected key"},
		{"duplicate keys", memFS{"a.yaml": "a: 1\nb: 2\na: 3\n"}, []string{"a.yaml"}, `a.yaml:3: duplicate key "a"`},
		{"several documents", memFS{"a.yaml": "a: 1\n---\nb: 2\n"}, []string{"a.yaml"}, "a.yaml:2: multiple YAML documents"},
		{"top level must be an object", memFS{"a.yaml": "- a\n- b\n"}, []string{"a.yaml"}, "a.yaml:1: config file must contain an object at the top level, got array"},
		{"non-finite numbers", memFS{"a.yaml": "a: .inf\n"}, []string{"a.yaml"}, `a.yaml:1: unsupported number ".inf"`},
		{"complex keys", memFS{"a.yaml": "? [a]\n: 1\n"}, []string{"a.yaml"}, "a.yaml:1: mapping keys must be scalars"},
		{"second file fails", memFS{"a.yaml": "a: 1\n", "b.yaml": "b: [\n"}, []string{"a.yaml", "b.yaml"}, "b.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(t, tt.files, nil, tt.paths...)
			wantError(t, err, tt.want)
		})
	}
}

func TestLoadDefaultFileReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	_, err := Load(t.Context(), LoadOptions{ReadFile: func(string) ([]byte, error) { return nil, boom }})
	wantError(t, err, "app-config.yaml: cannot read config file: disk on fire")
}

func TestLoadDir(t *testing.T) {
	files := memFS{"srv/app-config.yaml": "a: {$file: secret.txt}\n", "srv/secret.txt": "s3cret\n", "srv/conf/x.yaml": "x: 1\n"}
	c, err := Load(t.Context(), LoadOptions{Dir: "srv", ReadFile: files.read})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := c.String("a"); got != "s3cret" {
		t.Fatalf("got %q, want s3cret", got)
	}
	if f, l := c.Origin("a"); f != "app-config.yaml" || l != 1 {
		t.Fatalf("origin %s:%d, want app-config.yaml:1", f, l)
	}
	c, err = Load(t.Context(), LoadOptions{Dir: "srv", Paths: []string{"conf/x.yaml"}, ReadFile: files.read})
	if err != nil {
		t.Fatal(err)
	}
	if f, _ := c.Origin("x"); f != "conf/x.yaml" {
		t.Fatalf("origin %q, want conf/x.yaml", f)
	}
}

func TestLoadCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := Load(ctx, LoadOptions{ReadFile: memFS{}.read})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestLoadOrigins(t *testing.T) {
	files := memFS{
		"a.yaml": "app:\n  title: A\nbackend:\n  listen:\n    port: 7007\n",
		"b.yaml": "# comment\nbackend:\n  listen:\n    host: h\n",
	}
	c := mustLoad(t, files, []string{"APP_CONFIG_app_baseUrl=http://x"}, "a.yaml", "b.yaml")
	wantOrigins(t, c, []origin{
		{"app.title", "a.yaml", 2},
		{"backend.listen.port", "a.yaml", 5},
		{"backend.listen.host", "b.yaml", 4},
		{"backend.listen", "b.yaml", 3},
		{"app.baseUrl", "env", 0},
		{"app.missing", "", 0},
	})
}

func TestFromMap(t *testing.T) {
	c := FromMap(map[string]any{
		"a": map[string]any{"b": 1, "c": []string{"x", "y"}, "gone": nil},
		"n": int64(5),
	}, "defaults")
	want := map[string]any{"a": map[string]any{"b": 1.0, "c": []any{"x", "y"}}, "n": 5.0}
	if got := tree(c); !reflect.DeepEqual(got, want) {
		t.Fatalf("got %#v, want %#v", got, want)
	}
	_, err := c.String("a.b")
	wantError(t, err, "defaults: a.b: invalid type, got number, wanted string")
	if got := tree(FromMap(nil, "x")); !reflect.DeepEqual(got, map[string]any{}) {
		t.Fatalf("FromMap(nil) = %#v, want empty", got)
	}
}
