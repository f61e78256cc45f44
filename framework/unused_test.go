package framework_test

import (
	"slices"
	"testing"

	"github.com/portico-dev/portico/config"
	"github.com/portico-dev/portico/framework"
)

// TestUnusedConfig: config written for Backstage plugins Portico does not ship is listed, one
// entry per key, and never an error.
func TestUnusedConfig(t *testing.T) {
	schemas := []config.Schema{framework.CoreConfigSchema(), {Owner: "plugin auth", JSON: []byte(`{"properties": {"auth": {"properties": {"providers": {"properties": {"github": {}}}}}}}`)},
		{Owner: "plugin catalog", JSON: []byte(`{"properties": {"catalog": {"properties": {"providers": {"type": "object"}, "locations": {}}}}}`)}}
	tests := []struct {
		name string
		cfg  map[string]any
		want []string
	}{
		{"backstage plugins", map[string]any{"kubernetes": map[string]any{}, "techdocs": map[string]any{"builder": "local"}, "proxy": map[string]any{"endpoints": map[string]any{}}, "mcpActions": map[string]any{"namespacedToolNames": true}, "notifications": map[string]any{}},
			[]string{"kubernetes", "mcpActions", "notifications", "proxy", "techdocs"}},
		{"catalog providers", map[string]any{"catalog": map[string]any{"locations": []any{}, "providers": map[string]any{"github": map[string]any{}, "backstageOpenapi": map[string]any{}}}},
			[]string{"catalog.providers.backstageOpenapi", "catalog.providers.github"}},
		{"integrations", map[string]any{"integrations": map[string]any{"github": []any{}, "git": []any{}, "bitbucketCloud": []any{}, "azure": []any{}}},
			[]string{"integrations.azure", "integrations.bitbucketCloud"}},
		{"auth providers", map[string]any{"auth": map[string]any{"providers": map[string]any{"github": map[string]any{}, "okta": map[string]any{}}}},
			[]string{"auth.providers.okta"}},
		{"known keys only", map[string]any{"backend": map[string]any{"baseUrl": "http://x"}, "auth": map[string]any{"environment": "development"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, u := range framework.UnusedConfig(config.FromMap(tt.cfg, "test"), schemas) {
				got = append(got, u.Key)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("UnusedConfig = %v, want %v", got, tt.want)
			}
		})
	}
}
