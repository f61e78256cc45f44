package framework

import (
	"net"
	"testing"

	"github.com/portico-dev/portico/config"
)

func TestDiscovery(t *testing.T) {
	cfg := config.FromMap(map[string]any{
		"backend": map[string]any{"baseUrl": "https://portal.example.com/", "listen": map[string]any{"port": 7010}},
		"discovery": map[string]any{"endpoints": []any{
			map[string]any{"target": "https://search.internal/api/{{pluginId}}", "plugins": []any{"search"}},
			map[string]any{"target": map[string]any{"internal": "http://k8s:7007/api/{{ pluginId }}", "external": "https://x/{{pluginId}}"}, "plugins": []any{"techdocs"}},
		}},
	}, "test")
	d, err := DiscoveryFromConfig(cfg, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 7010})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ plugin, internal, external string }{
		{"catalog", "http://127.0.0.1:7010/api/catalog", "https://portal.example.com/api/catalog"},
		{"search", "https://search.internal/api/search", "https://search.internal/api/search"},
		{"techdocs", "http://k8s:7007/api/techdocs", "https://x/techdocs"},
	}
	for _, tt := range tests {
		t.Run(tt.plugin, func(t *testing.T) {
			if got := d.BaseURL(tt.plugin); got != tt.internal {
				t.Errorf("BaseURL = %q, want %q", got, tt.internal)
			}
			if got := d.ExternalBaseURL(tt.plugin); got != tt.external {
				t.Errorf("ExternalBaseURL = %q, want %q", got, tt.external)
			}
		})
	}
}
