package framework

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portico-dev/portico/internal/testerr"

	"github.com/portico-dev/portico/config"
)

func TestInstanceID(t *testing.T) {
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	abs := func(p string) string {
		a, err := filepath.Abs(p)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	tests := []struct {
		name    string
		backend map[string]any
		want    string
		wantErr string
	}{
		{name: "configured", backend: map[string]any{"instanceId": " portico-0 "}, want: "portico-0"},
		{name: "empty is refused", backend: map[string]any{"instanceId": " "}, wantErr: "backend.instanceId"},
		{name: "too long is refused", backend: map[string]any{"instanceId": strings.Repeat("x", 201)}, wantErr: "backend.instanceId"},
		{name: "default sqlite: the data directory, no host", backend: map[string]any{}, want: "sqlite:" + abs(".portico")},
		{name: "sqlite in a working directory", backend: map[string]any{"workingDirectory": "/srv/data"}, want: "sqlite:/srv/data"},
		{name: "sqlite directory", backend: map[string]any{"database": map[string]any{"client": "better-sqlite3", "connection": map[string]any{"directory": "/var/lib/portico"}}}, want: "sqlite:/var/lib/portico"},
		{name: "in-memory sqlite: random per component", backend: map[string]any{"database": map[string]any{"client": "better-sqlite3", "connection": ":memory:"}}, want: ""},
		{name: "postgres: host and data directory", backend: map[string]any{"workingDirectory": "/srv/data", "database": map[string]any{"client": "pg", "connection": "postgres://db/x"}}, want: host + ":/srv/data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := InstanceID(config.FromMap(map[string]any{"backend": tt.backend}, "test"))
			if testerr.Check(t, err, tt.wantErr) {
				return
			}
			if got != tt.want {
				t.Errorf("InstanceID(%v) = %q, want %q", tt.backend, got, tt.want)
			}
		})
	}
}
