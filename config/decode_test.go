package config

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

type decodeInner struct {
	Host string `config:"host"`
	Port int    `config:"port"`
}

type decodeEmbedded struct {
	Shared string `config:"shared"`
}

// switchValue is false or a duration, read by its own UnmarshalConfig.
type switchValue struct {
	Off   bool
	Every time.Duration
}

func (s *switchValue) UnmarshalConfig(parent *Config, key string) error {
	if v, _ := parent.Get(key); v == false {
		s.Off = true
		return nil
	}
	d, err := parent.Duration(key)
	s.Every = d
	return err
}

type decodeAll struct {
	decodeEmbedded
	Name     string                 `config:"name"`
	Enabled  bool                   `config:"enabled"`
	Count    int                    `config:"count"`
	Big      int64                  `config:"big"`
	Small    int8                   `config:"small"`
	Unsigned uint                   `config:"unsigned"`
	Ratio    float64                `config:"ratio"`
	Timeout  time.Duration          `config:"timeout"`
	Inner    decodeInner            `config:"inner"`
	Optional *decodeInner           `config:"optional"`
	MaybeInt *int                   `config:"maybeInt"`
	Tags     []string               `config:"tags"`
	Items    []decodeInner          `config:"items"`
	Labels   map[string]string      `config:"labels"`
	Servers  map[string]decodeInner `config:"servers"`
	Block    *Config                `config:"block"`
	Raw      any                    `config:"raw"`
	Interval switchValue            `config:"interval"`
	Untagged string
	Skipped  string `config:"-"`
}

func decodeDefaults() decodeAll {
	return decodeAll{
		Name: "default", Count: 3, Timeout: time.Minute,
		Inner: decodeInner{Host: "localhost", Port: 80},
		Tags:  []string{"x"}, Untagged: "kept", Skipped: "kept",
	}
}

func decodeConfig(t *testing.T, yaml string) *Config {
	t.Helper()
	return mustLoad(t, memFS{"app-config.yaml": yaml}, nil)
}

// decodeInto decodes key of yaml into a decodeAll holding decodeDefaults.
func decodeInto(t *testing.T, yaml, key string) (decodeAll, error) {
	t.Helper()
	d := decodeDefaults()
	err := decodeConfig(t, yaml).Decode(key, &d)
	return d, err
}

func TestDecodeValues(t *testing.T) {
	seven := 7
	tests := []struct {
		name  string
		yaml  string
		check func(d decodeAll) any
		want  any
	}{
		{"absent key keeps every default", "other: 1\n", func(d decodeAll) any { return d.Name + "/" + d.Inner.Host }, "default/localhost"},
		{"string", "plugin:\n  name: hello\n", func(d decodeAll) any { return d.Name }, "hello"},
		{"bool", "plugin:\n  enabled: true\n", func(d decodeAll) any { return d.Enabled }, true},
		{"bool from string", "plugin:\n  enabled: 'true'\n", func(d decodeAll) any { return d.Enabled }, true},
		{"int", "plugin:\n  count: 12\n", func(d decodeAll) any { return d.Count }, 12},
		{"int from numeric string", "plugin:\n  count: '12'\n", func(d decodeAll) any { return d.Count }, 12},
		{"int64", "plugin:\n  big: 4294967296\n", func(d decodeAll) any { return d.Big }, int64(1 << 32)},
		{"int8", "plugin:\n  small: -128\n", func(d decodeAll) any { return d.Small }, int8(-128)},
		{"uint", "plugin:\n  unsigned: 5\n", func(d decodeAll) any { return d.Unsigned }, uint(5)},
		{"float", "plugin:\n  ratio: 0.25\n", func(d decodeAll) any { return d.Ratio }, 0.25},
		{"duration string", "plugin:\n  timeout: 2 minutes\n", func(d decodeAll) any { return d.Timeout }, 2 * time.Minute},
		{"duration ISO", "plugin:\n  timeout: PT30S\n", func(d decodeAll) any { return d.Timeout }, 30 * time.Second},
		{"duration object", "plugin:\n  timeout: {hours: 1, minutes: 30}\n", func(d decodeAll) any { return d.Timeout }, 90 * time.Minute},
		{"duration milliseconds", "plugin:\n  timeout: 1500\n", func(d decodeAll) any { return d.Timeout }, 1500 * time.Millisecond},
		{"nested struct keeps unset defaults", "plugin:\n  inner: {port: 8080}\n", func(d decodeAll) any { return d.Inner }, decodeInner{Host: "localhost", Port: 8080}},
		{"pointer absent is nil", "plugin:\n  name: x\n", func(d decodeAll) any { return d.Optional == nil && d.MaybeInt == nil }, true},
		{"pointer to struct", "plugin:\n  optional: {host: h}\n", func(d decodeAll) any { return *d.Optional }, decodeInner{Host: "h"}},
		{"pointer to int", "plugin:\n  maybeInt: 7\n", func(d decodeAll) any { return d.MaybeInt }, &seven},
		{"slice replaces default", "plugin:\n  tags: [a, b]\n", func(d decodeAll) any { return d.Tags }, []string{"a", "b"}},
		{"empty slice is empty, not nil", "plugin:\n  tags: []\n", func(d decodeAll) any { return d.Tags != nil && len(d.Tags) == 0 }, true},
		{"slice of structs", "plugin:\n  items: [{host: a}, {port: 2}]\n", func(d decodeAll) any { return d.Items }, []decodeInner{{Host: "a"}, {Port: 2}}},
		{"map of strings", "plugin:\n  labels: {a: x, b: y}\n", func(d decodeAll) any { return d.Labels }, map[string]string{"a": "x", "b": "y"}},
		{"map of structs", "plugin:\n  servers: {one: {port: 1}}\n", func(d decodeAll) any { return d.Servers }, map[string]decodeInner{"one": {Port: 1}}},
		{"config block keeps full paths", "plugin:\n  block: {deep: {x: 1}}\n", func(d decodeAll) any { return d.Block.Path() + "|" + strings.Join(d.Block.Keys(), ",") }, "plugin.block|deep"},
		{"any is the plain value", "plugin:\n  raw: {a: [1, true]}\n", func(d decodeAll) any { return d.Raw }, map[string]any{"a": []any{1.0, true}}},
		{"unmarshaler false", "plugin:\n  interval: false\n", func(d decodeAll) any { return d.Interval }, switchValue{Off: true}},
		{"unmarshaler duration", "plugin:\n  interval: 5s\n", func(d decodeAll) any { return d.Interval }, switchValue{Every: 5 * time.Second}},
		{"embedded struct is inline", "plugin:\n  shared: s\n", func(d decodeAll) any { return d.Shared }, "s"},
		{"untagged and '-' fields are left alone", "plugin:\n  Untagged: no\n  Skipped: no\n  '-': no\n", func(d decodeAll) any { return d.Untagged + d.Skipped }, "keptkept"},
		{"unknown keys are ignored", "plugin:\n  nope: 1\n  name: n\n", func(d decodeAll) any { return d.Name }, "n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := decodeInto(t, tt.yaml, "plugin")
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if got := tt.check(d); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		key  string
		want string // the whole message: file, line, full key and problem
	}{
		{"not an object", "plugin: 5\n", "plugin", "app-config.yaml:1: plugin: invalid type, got number, wanted object"},
		{"string wanted", "plugin:\n  name: [a]\n", "plugin", "app-config.yaml:2: plugin.name: invalid type, got array, wanted string"},
		{"empty string", "plugin:\n  name: ''\n", "plugin", "app-config.yaml:2: plugin.name: invalid type, got empty-string, wanted string"},
		{"bool wanted", "plugin:\n  enabled: yes\n", "plugin", "app-config.yaml:2: plugin.enabled: invalid type, got string, wanted boolean"},
		{"int not a number", "plugin:\n  count: many\n", "plugin", "app-config.yaml:2: plugin.count: invalid type, got string that is not a number, wanted number"},
		{"int fraction", "plugin:\n  count: 1.5\n", "plugin", "app-config.yaml:2: plugin.count: invalid type, got non-integer number, wanted integer"},
		{"int8 out of range", "plugin:\n  small: 128\n", "plugin", "app-config.yaml:2: plugin.small: 128 is out of range for a 8-bit integer"},
		{"uint negative", "plugin:\n  unsigned: -1\n", "plugin", "app-config.yaml:2: plugin.unsigned: -1 is out of range for an unsigned 64-bit integer"},
		{"bad duration", "plugin:\n  timeout: soon\n", "plugin", `app-config.yaml:2: plugin.timeout: invalid duration "soon"`},
		{"negative duration", "plugin:\n  timeout: -5\n", "plugin", "app-config.yaml:2: plugin.timeout: invalid duration -5"},
		{"duration object unknown unit", "plugin:\n  timeout:\n    fortnights: 1\n", "plugin", "app-config.yaml:2: plugin.timeout: invalid duration: unknown property 'fortnights'"},
		{"nested field", "plugin:\n  inner:\n    port: eighty\n", "plugin", "app-config.yaml:3: plugin.inner.port: invalid type, got string that is not a number, wanted number"},
		{"nested not object", "plugin:\n  inner: x\n", "plugin", "app-config.yaml:2: plugin.inner: invalid type, got string, wanted object"},
		{"pointer field", "plugin:\n  maybeInt: x\n", "plugin", "app-config.yaml:2: plugin.maybeInt: invalid type, got string that is not a number, wanted number"},
		{"slice not array", "plugin:\n  tags: a\n", "plugin", "app-config.yaml:2: plugin.tags: invalid type, got string, wanted array"},
		{"slice element", "plugin:\n  tags:\n    - a\n    - [b]\n", "plugin", "app-config.yaml:4: plugin.tags[1]: invalid type, got array, wanted string"},
		{"slice of structs element", "plugin:\n  items:\n    - host: a\n    - port: x\n", "plugin", "app-config.yaml:4: plugin.items[1].port: invalid type, got string that is not a number"},
		{"map value", "plugin:\n  labels:\n    a: [x]\n", "plugin", "app-config.yaml:3: plugin.labels.a: invalid type, got array, wanted string"},
		{"map not object", "plugin:\n  labels: [x]\n", "plugin", "app-config.yaml:2: plugin.labels: invalid type, got array, wanted object"},
		{"block not object", "plugin:\n  block: 1\n", "plugin", "app-config.yaml:2: plugin.block: invalid type, got number, wanted object"},
		{"unmarshaler error", "plugin:\n  interval: sometimes\n", "plugin", `app-config.yaml:2: plugin.interval: invalid duration "sometimes"`},
		{"dotted key", "a:\n  b:\n    count: x\n", "a.b", "app-config.yaml:3: a.b.count: invalid type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeInto(t, tt.yaml, tt.key)
			wantError(t, err, tt.want)
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("got %q, want it to start with %q", err, tt.want)
			}
		})
	}
}

// A required field is an error only when its key is absent from a present object.
func TestDecodeRequired(t *testing.T) {
	type req struct {
		Type string `config:"type,required"`
	}
	tests := []struct {
		name, yaml, want string
	}{
		{"present", "p:\n  type: url\n", ""},
		{"object absent", "other: 1\n", ""},
		{"key absent", "p:\n  target: x\n", "missing required config value at 'p.type'"},
		{"key null", "p:\n  type: null\n  target: x\n", "missing required config value at 'p.type'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r req
			err := decodeConfig(t, tt.yaml).Decode("p", &r)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantError(t, err, tt.want)
		})
	}
}

func TestDecodeEnvOverrideOrigin(t *testing.T) {
	c := mustLoad(t, memFS{"app-config.yaml": "plugin:\n  count: 1\n"}, []string{"APP_CONFIG_plugin_count=\"x\""})
	var d decodeAll
	wantError(t, c.Decode("plugin", &d), "env: plugin.count: invalid type")
}

func TestDecodeProgrammingErrors(t *testing.T) {
	c := decodeConfig(t, "plugin:\n  f: 1\n")
	type unexported struct {
		f int `config:"f"`
	}
	_ = unexported{}.f
	type badMap struct {
		F map[int]string `config:"f"`
	}
	type badKind struct {
		F chan int `config:"f"`
	}
	var s struct{}
	tests := []struct {
		name string
		dst  any
		want string
	}{
		{"not a pointer", s, "needs a non-nil pointer to a struct"},
		{"pointer to non-struct", new(int), "needs a non-nil pointer to a struct"},
		{"unexported tagged field", &unexported{}, "is not exported"},
		{"map with int keys", &badMap{}, "map keys must be strings"},
		{"unsupported kind", &badKind{}, "cannot decode into chan int"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := c.Decode("plugin", tt.dst)
			var ce *Error
			if err == nil || errors.As(err, &ce) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want a programming error containing %q", err, tt.want)
			}
		})
	}
}

func TestErrorAt(t *testing.T) {
	c := decodeConfig(t, "plugin:\n  sub:\n    count: 0\n")
	sub, err := c.Config("plugin.sub")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		c    *Config
		key  string
		want string
	}{
		{"from the root", c, "plugin.sub.count", "app-config.yaml:3: plugin.sub.count: must be positive"},
		{"from a sub-reader", sub, "count", "app-config.yaml:3: plugin.sub.count: must be positive"},
		{"absent key names the key only", c, "plugin.other", "plugin.other: must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.c.ErrorAt(tt.key, "must be %s", "positive").Error(); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}
