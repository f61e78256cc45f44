package permission

import (
	"testing"
	"time"

	"github.com/portico-dev/portico/config"
	"github.com/portico-dev/portico/framework/frameworktest"
)

func TestReadSettings(t *testing.T) {
	tests := []struct {
		name    string
		cfg     map[string]any
		want    settings
		wantErr string
	}{
		{"absent: disabled, 3s", map[string]any{}, settings{ReloadInterval: 3 * time.Second}, ""},
		{"enabled, interval", map[string]any{"permission": map[string]any{"enabled": true, "reloadInterval": "1 minute"}}, settings{Enabled: true, ReloadInterval: time.Minute}, ""},
		{"enabled from a string", map[string]any{"permission": map[string]any{"enabled": "true"}}, settings{Enabled: true, ReloadInterval: 3 * time.Second}, ""},
		{"zero interval keeps the default", map[string]any{"permission": map[string]any{"reloadInterval": 0}}, settings{ReloadInterval: 3 * time.Second}, ""},
		{"enabled not a boolean", map[string]any{"permission": map[string]any{"enabled": "yes"}}, settings{}, "test: permission.enabled: invalid type, got string, wanted boolean"},
		{"bad interval", map[string]any{"permission": map[string]any{"reloadInterval": "often"}}, settings{}, `test: permission.reloadInterval: invalid duration "often"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := readSettings(config.FromMap(tt.cfg, "test"))
			if frameworktest.CheckError(t, err, tt.wantErr) {
				return
			}
			if s != tt.want {
				t.Fatalf("got %+v, %v; want %+v", s, err, tt.want)
			}
		})
	}
}
