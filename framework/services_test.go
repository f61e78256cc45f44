package framework

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/portico-dev/portico/internal/testerr"

	"github.com/portico-dev/portico/config"
	"github.com/portico-dev/portico/framework/database"
)

func TestDatabaseOptionsFromConfig(t *testing.T) {
	tests := []struct {
		name    string
		cfg     map[string]any
		want    database.Options
		wantErr string
	}{
		{
			name: "no database config means sqlite files under .portico",
			cfg:  map[string]any{},
			want: database.Options{Client: "sqlite", EnsureExists: true, Directory: ".portico"},
		},
		{
			name: "working directory moves the data",
			cfg:  map[string]any{"backend": map[string]any{"workingDirectory": "/var/lib/portico"}},
			want: database.Options{Client: "sqlite", EnsureExists: true, Directory: "/var/lib/portico"},
		},
		{
			name: "backstage better-sqlite3 in memory",
			cfg:  map[string]any{"backend": map[string]any{"database": map[string]any{"client": "better-sqlite3", "connection": ":memory:"}}},
			want: database.Options{Client: "sqlite", EnsureExists: true, Memory: true},
		},
		{
			name: "sqlite directory object",
			cfg:  map[string]any{"backend": map[string]any{"database": map[string]any{"client": "sqlite3", "connection": map[string]any{"directory": "/data"}}}},
			want: database.Options{Client: "sqlite", EnsureExists: true, Directory: "/data"},
		},
		{
			name: "pg connection string and schema mode",
			cfg: map[string]any{"backend": map[string]any{"database": map[string]any{
				"client": "pg", "connection": "postgres://u@h/db", "pluginDivisionMode": "schema", "prefix": "p_", "ensureExists": false,
			}}},
			want: database.Options{Client: "pg", ConnString: "postgres://u@h/db", DivisionMode: "schema", Prefix: "p_"},
		},
		{
			name: "pg connection object",
			cfg: map[string]any{"backend": map[string]any{"database": map[string]any{
				"client": "pg", "connection": map[string]any{"host": "db.internal", "port": 5433, "user": "portico", "password": "p@ss", "database": "x", "ssl": true},
				"knexConfig": map[string]any{"pool": map[string]any{"max": 20}},
			}}},
			want: database.Options{Client: "pg", EnsureExists: true, ConnString: "postgres://portico:p%40ss@db.internal:5433/x?sslmode=require", MaxOpenConns: 20},
		},
		{
			name: "per plugin override",
			cfg: map[string]any{"backend": map[string]any{"database": map[string]any{
				"client": "pg", "connection": "postgres://h/db",
				"plugin": map[string]any{"search": map[string]any{"client": "better-sqlite3", "connection": ":memory:"}},
			}}},
			want: database.Options{Client: "pg", EnsureExists: true, ConnString: "postgres://h/db",
				PerPlugin: map[string]database.Options{"search": {Client: "sqlite", Memory: true}}},
		},
		{
			name:    "unknown client",
			cfg:     map[string]any{"backend": map[string]any{"database": map[string]any{"client": "mongodb"}}},
			wantErr: "backend.database.client",
		},
		{
			name:    "bad division mode",
			cfg:     map[string]any{"backend": map[string]any{"database": map[string]any{"client": "pg", "connection": "x", "pluginDivisionMode": "table"}}},
			wantErr: "backend.database.pluginDivisionMode",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DatabaseOptionsFromConfig(config.FromMap(tt.cfg, "test"))
			if testerr.Check(t, err, tt.wantErr) {
				return
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestServerOptionsFromConfig(t *testing.T) {
	tests := []struct {
		name    string
		backend map[string]any
		check   func(t *testing.T, o ServerOptions)
		wantErr string
	}{
		{"defaults", nil, func(t *testing.T, o ServerOptions) {
			if o.Host != "127.0.0.1" || o.Port != 7007 || o.BaseURL != "http://localhost:7007" || o.StartupRequestPauseTimeout != 5*time.Second {
				t.Errorf("%+v", o)
			}
		}, ""},
		{"listen string", map[string]any{"listen": "0.0.0.0:8080"}, func(t *testing.T, o ServerOptions) {
			if o.Host != "0.0.0.0" || o.Port != 8080 || o.BaseURL != "http://localhost:8080" {
				t.Errorf("%+v", o)
			}
		}, ""},
		{"port as string from ${PORT}", map[string]any{"listen": map[string]any{"port": "9000"}, "baseUrl": "https://portal.example.com/"}, func(t *testing.T, o ServerOptions) {
			if o.Port != 9000 || o.BaseURL != "https://portal.example.com" {
				t.Errorf("%+v", o)
			}
		}, ""},
		{"cors, csp, health, lifecycle", map[string]any{
			"cors":      map[string]any{"origin": "http://localhost:3000", "methods": "GET,POST", "credentials": true},
			"csp":       map[string]any{"upgrade-insecure-requests": false, "img-src": []any{"'self'"}},
			"health":    map[string]any{"headers": map[string]any{"x-service": "portico"}},
			"lifecycle": map[string]any{"serverShutdownDelay": "2s", "startupRequestPauseTimeout": map[string]any{"seconds": 10}},
		}, func(t *testing.T, o ServerOptions) {
			if !reflect.DeepEqual(o.CORS.Origins, []string{"http://localhost:3000"}) || !reflect.DeepEqual(o.CORS.Methods, []string{"GET", "POST"}) || !o.CORS.Credentials {
				t.Errorf("cors %+v", o.CORS)
			}
			if v, ok := o.CSP["upgrade-insecure-requests"]; !ok || v != nil || len(o.CSP["img-src"]) != 1 {
				t.Errorf("csp %+v", o.CSP)
			}
			if o.HealthHeaders["x-service"] != "portico" || o.ServerShutdownDelay != 2*time.Second || o.StartupRequestPauseTimeout != 10*time.Second {
				t.Errorf("%+v", o)
			}
		}, ""},
		{"bad listen", map[string]any{"listen": "7007"}, nil, "backend.listen"},
		{"bad port", map[string]any{"listen": map[string]any{"port": 70000}}, nil, "out of range"},
		{"csp true", map[string]any{"csp": map[string]any{"img-src": true}}, nil, "backend.csp.img-src"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := map[string]any{}
			if tt.backend != nil {
				cfg["backend"] = tt.backend
			}
			o, err := ServerOptionsFromConfig(config.FromMap(cfg, "test"))
			if testerr.Check(t, err, tt.wantErr) {
				return
			}
			tt.check(t, o)
		})
	}
}

func TestURLReaderOptionsFromConfig(t *testing.T) {
	cfg := config.FromMap(map[string]any{
		"backend": map[string]any{"reading": map[string]any{"allow": []any{map[string]any{"host": "*.example.com", "paths": []any{"/docs/"}}}}},
		"integrations": map[string]any{
			"github": []any{map[string]any{"host": "github.com", "token": "t1"}, map[string]any{"host": "ghe.acme.net", "apiBaseUrl": "https://ghe.acme.net/api/v3"}},
			"gitlab": []any{map[string]any{"token": "t2"}},
			"git":    []any{map[string]any{"host": "git.acme.net", "username": "bot", "token": "t3"}},
		},
	}, "test")
	o, err := URLReaderOptionsFromConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	if len(o.Allow) != 1 || o.Allow[0].Host != "*.example.com" || o.Allow[0].Paths[0] != "/docs/" {
		t.Errorf("allow %+v", o.Allow)
	}
	if len(o.Integrations.GitHub) != 2 || o.Integrations.GitHub[0].Token != "t1" || o.Integrations.GitHub[1].APIBaseURL != "https://ghe.acme.net/api/v3" {
		t.Errorf("github %+v", o.Integrations.GitHub)
	}
	if len(o.Integrations.GitLab) != 1 || o.Integrations.GitLab[0].Host != "gitlab.com" {
		t.Errorf("gitlab %+v", o.Integrations.GitLab)
	}
	if len(o.Integrations.Git) != 1 || o.Integrations.Git[0].Host != "git.acme.net" || o.Integrations.Git[0].Username != "bot" || o.Integrations.Git[0].Token != "t3" {
		t.Errorf("git %+v", o.Integrations.Git)
	}
	if !reflect.DeepEqual(o.LocalRoots, []string{wd}) || !strings.HasSuffix(o.CacheDir, ".portico/cache/git") ||
		!reflect.DeepEqual(o.DeniedDirs, []string{filepath.Join(wd, ".portico")}) || !reflect.DeepEqual(o.DeniedExceptions, []string{filepath.Join(wd, ".portico", "examples")}) {
		t.Errorf("roots %v cache %q denied %v except %v", o.LocalRoots, o.CacheDir, o.DeniedDirs, o.DeniedExceptions)
	}
}

func TestCacheFromConfig(t *testing.T) {
	lc := newRootLifecycle(nil).forOwner("")
	mem, err := CacheFromConfig(t.Context(), config.FromMap(map[string]any{}, "test"), lc)
	if err != nil {
		t.Fatal(err)
	}
	if err := mem.Set(t.Context(), "k", []byte("v"), 0); err != nil {
		t.Fatal(err)
	}
	_, err = CacheFromConfig(t.Context(), config.FromMap(map[string]any{"backend": map[string]any{"cache": map[string]any{"store": "memcache"}}}, "test"), lc)
	if err == nil || !strings.Contains(err.Error(), "backend.cache.store") {
		t.Fatalf("err = %v", err)
	}
	_, err = CacheFromConfig(t.Context(), config.FromMap(map[string]any{"backend": map[string]any{"cache": map[string]any{"store": "redis", "connection": "redis://127.0.0.1:1"}}}, "test"), lc)
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Fatalf("unreachable redis: err = %v", err)
	}
	url := os.Getenv("PORTICO_TEST_REDIS_URL")
	if url == "" {
		t.Skip("PORTICO_TEST_REDIS_URL not set: redis cache store not exercised")
	}
	r, err := CacheFromConfig(t.Context(), config.FromMap(map[string]any{"backend": map[string]any{"cache": map[string]any{"store": "redis", "connection": url}}}, "test"), lc)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Set(t.Context(), "framework-test", []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := r.Delete(t.Context(), "framework-test"); err != nil {
		t.Fatal(err)
	}
}

func TestURLReaderOptionsFromConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  map[string]any
		want string
	}{
		{"allow rule without host", map[string]any{"backend": map[string]any{"reading": map[string]any{"allow": []any{map[string]any{"paths": []any{"/x"}}}}}}, "missing required config value at 'backend.reading.allow[0].host'"},
		{"git integration without host", map[string]any{"integrations": map[string]any{"git": []any{map[string]any{"token": "t"}}}}, "missing required config value at 'integrations.git[0].host'"},
		{"empty github token", map[string]any{"integrations": map[string]any{"github": []any{map[string]any{"token": ""}}}}, "test: integrations.github[0].token: invalid type, got empty-string, wanted string"},
		{"local roots not a list", map[string]any{"backend": map[string]any{"reading": map[string]any{"localRoots": "."}}}, "test: backend.reading.localRoots: invalid type, got string, wanted array"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := URLReaderOptionsFromConfig(config.FromMap(tt.cfg, "test"))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
