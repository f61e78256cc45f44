package config

import (
	"reflect"
	"testing"
)

func TestEnvOverrides(t *testing.T) {
	files := memFS{"app-config.yaml": "app:\n  title: File\n  list: [a, b]\nbackend:\n  listen: {port: 7007}\n"}
	tests := []struct {
		name string
		env  []string
		key  string
		want any
	}{
		{"raw string", []string{"APP_CONFIG_app_title=My Title"}, "app.title", "My Title"},
		{"json string", []string{`APP_CONFIG_app_title="42"`}, "app.title", "42"},
		{"json number", []string{"APP_CONFIG_backend_listen_port=8080"}, "backend.listen.port", 8080.0},
		{"json boolean", []string{"APP_CONFIG_app_flag=true"}, "app.flag", true},
		{"json object deep-merges", []string{`APP_CONFIG_backend={"listen":{"host":"h"}}`}, "backend.listen", map[string]any{"port": 7007.0, "host": "h"}},
		{"json array replaces", []string{`APP_CONFIG_app_list=["z"]`}, "app.list", []any{"z"}},
		{"case is preserved", []string{"APP_CONFIG_app_baseUrl=http://x"}, "app.baseUrl", "http://x"},
		{"dashes are allowed", []string{"APP_CONFIG_app_my-key=v"}, "app.my-key", "v"},
		{"empty values are skipped", []string{"APP_CONFIG_app_title="}, "app.title", "File"},
		{"invalid json is a raw string", []string{"APP_CONFIG_app_title={oops"}, "app.title", "{oops"},
		{"later duplicates win", []string{"APP_CONFIG_app_title=a", "APP_CONFIG_app_title=b"}, "app.title", "b"},
		{"other variables are ignored", []string{"APP_CONFIGX=1", "HOME=/root"}, "app.title", "File"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustLoad(t, files, tt.env)
			got, _ := c.Get(tt.key)
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Get(%q) = %#v, want %#v", tt.key, got, tt.want)
			}
		})
	}
}

func TestEnvOverrideOrigin(t *testing.T) {
	c := mustLoad(t, memFS{}, []string{"APP_CONFIG_backend_listen_port=[1]"})
	_, err := c.Number("backend.listen.port")
	wantError(t, err, "env: backend.listen.port: invalid type, got array, wanted number")
}

func TestEnvOverrideErrors(t *testing.T) {
	tests := []struct {
		name string
		env  []string
		want string
	}{
		{"double underscore", []string{"APP_CONFIG_app__title=x"}, `env: invalid variable APP_CONFIG_app__title: key segment ""`},
		{"segment starting with a digit", []string{"APP_CONFIG_app_1x=x"}, `key segment "1x"`},
		{"bad character", []string{"APP_CONFIG_app_ti.tle=x"}, `key segment "ti.tle"`},
		{"nothing after the prefix", []string{"APP_CONFIG_=x"}, `key segment ""`},
		{"json null", []string{"APP_CONFIG_app_title=null"}, "env: invalid variable APP_CONFIG_app_title: value may not be null"},
		{"nesting under a scalar", []string{"APP_CONFIG_app=1", "APP_CONFIG_app_title=x"}, "env: app.title: APP_CONFIG_app_title conflicts with APP_CONFIG_app, which sets app"},
		{"nesting under a json object", []string{`APP_CONFIG_app={"title":"a"}`, "APP_CONFIG_app_title=b"}, "APP_CONFIG_app_title conflicts with APP_CONFIG_app"},
		{"conflict regardless of order", []string{"APP_CONFIG_a_b_c=1", "APP_CONFIG_a_b=2"}, "env: a.b.c: APP_CONFIG_a_b_c conflicts with APP_CONFIG_a_b, which sets a.b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(t, memFS{}, tt.env)
			wantError(t, err, tt.want)
		})
	}
}

func TestEnvOverridesBeatFiles(t *testing.T) {
	files := memFS{"a.yaml": "x: {y: [1, 2]}\n", "b.yaml": "x: {y: null}\n"}
	c := mustLoad(t, files, []string{"APP_CONFIG_x_y=3"}, "a.yaml", "b.yaml")
	if got, _ := c.Get("x.y"); got != 3.0 {
		t.Fatalf("got %#v, want 3", got)
	}
}
