package config

import (
	"reflect"
	"slices"
	"testing"
	"time"
)

const readerYAML = `app:
  title: Portal
  empty: ''
  port: 7007
  portString: '7007'
  ratio: 1.5
  flag: true
  flagString: 'false'
  flagWord: yes
  list: [a, b]
  mixed: [a, 1]
  objects:
    - name: one
    - name: two
  notObjects: [x]
backend:
  listen:
    port: [1, 2]
  timeout: 5s
`

func readerConfig(t *testing.T) *Config {
	t.Helper()
	return mustLoad(t, memFS{"app-config.yaml": readerYAML}, nil)
}

func TestReaderValues(t *testing.T) {
	c := readerConfig(t)
	tests := []struct {
		name string
		read func() (any, error)
		want any
	}{
		{"String", func() (any, error) { return c.String("app.title") }, "Portal"},
		{"Number", func() (any, error) { return c.Number("app.port") }, 7007.0},
		{"Number from numeric string", func() (any, error) { return c.Number("app.portString") }, 7007.0},
		{"Number fraction", func() (any, error) { return c.Number("app.ratio") }, 1.5},
		{"Int", func() (any, error) { return c.Int("app.port") }, 7007},
		{"Int from numeric string", func() (any, error) { return c.Int("app.portString") }, 7007},
		{"Bool", func() (any, error) { return c.Bool("app.flag") }, true},
		{"Bool from string", func() (any, error) { return c.Bool("app.flagString") }, false},
		{"StringArray", func() (any, error) { return c.StringArray("app.list") }, []string{"a", "b"}},
		{"Duration", func() (any, error) { return c.Duration("backend.timeout") }, 5 * time.Second},
		{"Keys", func() (any, error) { return c.Keys(), nil }, []string{"app", "backend"}},
		{"Has present", func() (any, error) { return c.Has("app.title"), nil }, true},
		{"Has absent", func() (any, error) { return c.Has("app.nope"), nil }, false},
		{"Has through a scalar", func() (any, error) { return c.Has("app.title.x"), nil }, false},
		{"Get subtree", func() (any, error) { v, _ := c.Get("backend.listen"); return v, nil }, map[string]any{"port": []any{1.0, 2.0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.read()
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

// errOf returns a reader of key through read that keeps only its error.
func errOf[T any](read func(string) (T, error), key string) func() error {
	return func() error { _, err := read(key); return err }
}

func TestReaderErrors(t *testing.T) {
	c := readerConfig(t)
	tests := []struct {
		name string
		read func() error
		want string
	}{
		{"missing", errOf(c.String, "app.nope"), "missing required config value at 'app.nope'"},
		{"wrong type names file, line and full key", errOf(c.Number, "backend.listen.port"), "app-config.yaml:18: backend.listen.port: invalid type, got array, wanted number"},
		{"non-numeric string", errOf(c.Number, "app.title"), "app-config.yaml:2: app.title: invalid type, got string that is not a number, wanted number"},
		{"non-integer", errOf(c.Int, "app.ratio"), "app-config.yaml:6: app.ratio: invalid type, got non-integer number, wanted integer"},
		{"empty string", errOf(c.String, "app.empty"), "app-config.yaml:3: app.empty: invalid type, got empty-string, wanted string"},
		{"number is not a string", errOf(c.String, "app.port"), "app-config.yaml:4: app.port: invalid type, got number, wanted string"},
		{"yes is not a boolean", errOf(c.Bool, "app.flagWord"), "app-config.yaml:9: app.flagWord: invalid type, got string, wanted boolean"},
		{"string array element", errOf(c.StringArray, "app.mixed"), "app-config.yaml:11: app.mixed[1]: invalid type, got number, wanted string"},
		{"string array not an array", errOf(c.StringArray, "app.title"), "app.title: invalid type, got string, wanted string-array"},
		{"config not an object", errOf(c.Config, "app.title"), "app-config.yaml:2: app.title: invalid type, got string, wanted object"},
		{"config array element", errOf(c.ConfigArray, "app.notObjects"), "app-config.yaml:15: app.notObjects[0]: invalid type, got string, wanted object"},
		{"config array not an array", errOf(c.ConfigArray, "app"), "app-config.yaml:1: app: invalid type, got object, wanted object-array"},
		{"path through a scalar", errOf(c.String, "app.title.x"), "app-config.yaml:2: app.title: invalid type, got string, wanted object"},
		{"duration", errOf(c.Duration, "app.title"), `app-config.yaml:2: app.title: invalid duration "Portal"`},
		{"missing duration", errOf(c.Duration, "nope"), "missing required config value at 'nope'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, tt.read(), tt.want)
		})
	}
}

func TestReaderOptional(t *testing.T) {
	c := readerConfig(t)
	tests := []struct {
		name string
		read func() (bool, error)
	}{
		{"OptionalString", func() (bool, error) { _, ok, err := c.OptionalString("x"); return ok, err }},
		{"OptionalNumber", func() (bool, error) { _, ok, err := c.OptionalNumber("x"); return ok, err }},
		{"OptionalInt", func() (bool, error) { _, ok, err := c.OptionalInt("x"); return ok, err }},
		{"OptionalBool", func() (bool, error) { _, ok, err := c.OptionalBool("x"); return ok, err }},
		{"OptionalStringArray", func() (bool, error) { _, ok, err := c.OptionalStringArray("x"); return ok, err }},
		{"OptionalConfig", func() (bool, error) { _, ok, err := c.OptionalConfig("x"); return ok, err }},
		{"OptionalConfigArray", func() (bool, error) { _, ok, err := c.OptionalConfigArray("x"); return ok, err }},
		{"OptionalDuration", func() (bool, error) { _, ok, err := c.OptionalDuration("x"); return ok, err }},
		{"deep absent", func() (bool, error) { _, ok, err := c.OptionalString("app.a.b.c"); return ok, err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := tt.read()
			if ok || err != nil {
				t.Fatalf("got ok=%v err=%v, want absent without error", ok, err)
			}
		})
	}
	if v, ok, err := c.OptionalString("app.title"); !ok || err != nil || v != "Portal" {
		t.Fatalf("OptionalString(app.title) = %q, %v, %v", v, ok, err)
	}
}

func TestSubReaders(t *testing.T) {
	c := readerConfig(t)
	app, err := c.Config("app")
	if err != nil {
		t.Fatal(err)
	}
	if app.Path() != "app" || c.Path() != "" {
		t.Fatalf("paths %q and %q", app.Path(), c.Path())
	}
	_, err = app.Number("title")
	wantError(t, err, "app-config.yaml:2: app.title: invalid type")
	_, err = app.String("nope")
	wantError(t, err, "missing required config value at 'app.nope'")
	if f, l := app.Origin("port"); f != "app-config.yaml" || l != 4 {
		t.Fatalf("Origin = %s:%d", f, l)
	}
	if f, l := app.Origin(""); f != "app-config.yaml" || l != 1 {
		t.Fatalf("Origin('') = %s:%d", f, l)
	}
	if !slices.Contains(app.Keys(), "objects") {
		t.Fatalf("Keys = %v", app.Keys())
	}

	objs, err := app.ConfigArray("objects")
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 2 || objs[1].Path() != "app.objects[1]" {
		t.Fatalf("ConfigArray = %d readers, second path %q", len(objs), objs[1].Path())
	}
	if name, _ := objs[1].String("name"); name != "two" {
		t.Fatalf("name = %q", name)
	}
	_, err = objs[0].Number("name")
	wantError(t, err, "app-config.yaml:13: app.objects[0].name: invalid type, got string that is not a number, wanted number")
}

func TestGetReturnsCopies(t *testing.T) {
	c := readerConfig(t)
	v, _ := c.Get("app")
	v.(map[string]any)["title"] = "changed"
	v.(map[string]any)["list"].([]any)[0] = "changed"
	if got, _ := c.String("app.title"); got != "Portal" {
		t.Fatalf("config changed through Get: %q", got)
	}
	if got, _ := c.StringArray("app.list"); got[0] != "a" {
		t.Fatalf("config changed through Get: %q", got)
	}
}
