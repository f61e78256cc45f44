package catalog

import (
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/portico-dev/portico/config"
	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/plugins/catalog/engine"
)

func TestReadSettings(t *testing.T) {
	abs, err := filepath.Abs("catalog/all.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		cfg     map[string]any
		check   func(t *testing.T, s settings)
		wantErr string
	}{
		{"defaults", map[string]any{}, func(t *testing.T, s settings) {
			if s.readonly || s.engine.Rules != nil || s.engine.Locations != nil || s.engine.ProcessingInterval != 0 {
				t.Errorf("%+v", s)
			}
		}, ""},
		{"backstage catalog block", map[string]any{"catalog": map[string]any{
			"readonly": true,
			"rules":    []any{map[string]any{"allow": []any{"Component", "API"}}},
			"locations": []any{
				map[string]any{"type": "file", "target": "catalog/all.yaml"},
				map[string]any{"type": "url", "target": "https://github.com/o/r/blob/main/t.yaml",
					"rules": []any{map[string]any{"allow": []any{"Template"}, "locations": []any{map[string]any{"type": "url", "pattern": "https://github.com/o/*"}}}}},
			},
			"orphanStrategy":     "keep",
			"processingInterval": map[string]any{"minutes": 3},
		}}, func(t *testing.T, s settings) {
			want := []engine.ConfigLocation{
				{Type: "file", Target: abs},
				{Type: "url", Target: "https://github.com/o/r/blob/main/t.yaml", Rules: []engine.Rule{{Allow: []string{"Template"}, Locations: []engine.RuleLocation{{Type: "url", Pattern: "https://github.com/o/*"}}}}},
			}
			if !reflect.DeepEqual(s.engine.Locations, want) {
				t.Errorf("locations %+v", s.engine.Locations)
			}
			if !s.readonly || s.engine.OrphanStrategy != "keep" || s.engine.ProcessingInterval != 3*time.Minute ||
				!reflect.DeepEqual(s.engine.Rules, []engine.Rule{{Allow: []string{"Component", "API"}}}) {
				t.Errorf("%+v", s)
			}
		}, ""},
		{"empty rules allow nothing", map[string]any{"catalog": map[string]any{"rules": []any{}}}, func(t *testing.T, s settings) {
			if s.engine.Rules == nil || len(s.engine.Rules) != 0 {
				t.Errorf("rules %#v", s.engine.Rules)
			}
		}, ""},
		{"processing off", map[string]any{"catalog": map[string]any{"processingInterval": false}}, func(t *testing.T, s settings) {
			if s.engine.ProcessingInterval < 365*24*time.Hour {
				t.Errorf("interval %v", s.engine.ProcessingInterval)
			}
		}, ""},
		{"rule location target is exact", map[string]any{"catalog": map[string]any{"rules": []any{map[string]any{"allow": []any{"User"}, "locations": []any{map[string]any{"type": "file", "target": "/org.yaml"}}}}}}, func(t *testing.T, s settings) {
			if want := []engine.Rule{{Allow: []string{"User"}, Locations: []engine.RuleLocation{{Type: "file", Exact: "/org.yaml"}}}}; !reflect.DeepEqual(s.engine.Rules, want) {
				t.Errorf("rules %#v", s.engine.Rules)
			}
		}, ""},
		{"rule without allow", map[string]any{"catalog": map[string]any{"rules": []any{map[string]any{"locations": []any{}}}}}, nil, "missing required config value at 'catalog.rules[0].allow'"},
		{"location rule without allow", map[string]any{"catalog": map[string]any{"locations": []any{map[string]any{"type": "url", "target": "https://x/y.yaml", "rules": []any{map[string]any{}}}}}}, nil, "catalog.locations[0].rules[0].allow"},
		{"processing interval true", map[string]any{"catalog": map[string]any{"processingInterval": true}}, nil, "test: catalog.processingInterval: invalid type, got boolean, wanted duration"},
		{"allowed location types not strings", map[string]any{"catalog": map[string]any{"allowedLocationTypes": []any{"url", 3}}}, nil, "test: catalog.allowedLocationTypes[1]: invalid type, got number, wanted string"},
		{"location without target", map[string]any{"catalog": map[string]any{"locations": []any{map[string]any{"type": "url"}}}}, nil, "catalog.locations[0].target"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := readSettings(config.FromMap(tt.cfg, "test"))
			if frameworktest.CheckError(t, err, tt.wantErr) {
				return
			}
			tt.check(t, s)
		})
	}
}
