package cli

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/database/databasetest"
	"github.com/portico-dev/portico/plugins/all"
)

// run executes a command line in dir with the given files written there first.
func run(t *testing.T, files map[string]string, environ []string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	return runIn(t, t.TempDir(), all.Features(), files, environ, args...)
}

func runIn(t *testing.T, dir string, features []framework.Feature, files map[string]string, environ []string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir) // relative data paths resolve against the process's working directory
	var out, errb bytes.Buffer
	env := Env{Stdout: &out, Stderr: &errb, Environ: environ, Dir: dir}
	err = Run(t.Context(), env, features, args)
	return out.String(), errb.String(), err
}

func TestConfigCheck(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		environ []string
		flags   []string // after "config check"
		wantErr bool
		want    []string // substrings of stdout or the error
		notWant []string // nor these
	}{
		{
			name:  "no config at all is fine",
			files: nil,
			want:  []string{"config ok"},
		},
		{
			name:  "valid config",
			files: map[string]string{"app-config.yaml": "app:\n  title: Acme\nbackend:\n  listen:\n    port: 7010\n"},
			want:  []string{"config ok"},
		},
		{
			name:    "missing --config file",
			flags:   []string{"--config", "nope.yaml"},
			wantErr: true, want: []string{"nope.yaml"},
		},
		{
			name:    "malformed yaml names file and line",
			files:   map[string]string{"app-config.yaml": "app:\n  title: [unclosed\n"},
			wantErr: true, want: []string{"app-config.yaml:"},
		},
		{
			name:    "unknown include",
			files:   map[string]string{"app-config.yaml": "app:\n  title:\n    $include: missing.yaml\n"},
			wantErr: true, want: []string{"app-config.yaml:2: app.title", "missing.yaml"},
		},
		{
			name:    "wrong type names file, line and key",
			files:   map[string]string{"app-config.yaml": "app:\n  title: Acme\nbackend:\n  listen:\n    port: [1, 2]\n"},
			wantErr: true, want: []string{"app-config.yaml:5: backend.listen.port"},
		},
		{
			name:    "unset required key",
			files:   map[string]string{"app-config.yaml": "backend:\n  database:\n    client: pg\n"},
			wantErr: true, want: []string{"app-config.yaml:2: backend.database", "connection"},
		},
		{
			// Config for Backstage plugins Portico lacks is reported, as serve logs it, and
			// accepted (serve skips the okta provider rather than refusing it).
			name: "backstage-only keys are warnings",
			files: map[string]string{"app-config.yaml": "kubernetes: {serviceLocatorMethod: {type: multiTenant}}\ntechdocs: {builder: local}\n" +
				"proxy: {endpoints: {}}\ncatalog:\n  providers: {github: {org: acme}}\nintegrations:\n  azure: [{host: dev.azure.com}]\n" +
				"auth:\n  providers:\n    okta: {development: {clientId: x, clientSecret: y}}\n"},
			want: []string{"warning: auth.providers.okta: not used by Portico", "warning: catalog.providers.github:", "warning: integrations.azure:",
				"warning: kubernetes:", "warning: proxy:", "warning: techdocs:", "config ok"},
		},
		{
			// app.extensions written for Backstage: pages of plugins Portico lacks are warnings (with a
			// "did you mean" for a near miss of one it has); the extensions Portico has are not
			// listed, and the catalog locations are not read for the check.
			name: "unknown app.extensions are warnings",
			files: map[string]string{"app-config.yaml": "app:\n  extensions:\n    - page:catalog: {config: {path: /}}\n" +
				"    - page:kubernetes: {config: {path: /kubernetes}}\n    - page:catalgo: false\n    - page:home\n" +
				"catalog:\n  locations: [{type: file, target: ./missing.yaml}]\n"},
			want: []string{"warning: app.extensions[1] page:kubernetes: unknown extension",
				"warning: app.extensions[2] page:catalgo: unknown extension, ignored (no installed plugin provides it); did you mean page:catalog?", "config ok"},
			notWant: []string{"app.extensions[0]", "app.extensions[3]", "missing.yaml"},
		},
		{
			// The sandboxed start-up reports what serve would refuse at start-up.
			name:    "app.extensions serve refuses are problems",
			files:   map[string]string{"app-config.yaml": "app:\n  extensions:\n    - page:catalog: {config: {path: /}}\n    - page:user-settings: {config: {path: /}}\n"},
			wantErr: true, want: []string{`"/" is already the path of page:catalog`},
		},
		{
			name:    "bad env override",
			environ: []string{"APP_CONFIG_backend_listen_port=null"},
			wantErr: true, want: []string{"APP_CONFIG_backend_listen_port"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, _, err := run(t, tt.files, tt.environ, append([]string{"config", "check"}, tt.flags...)...)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v; stdout:\n%s", err, tt.wantErr, out)
			}
			text := out
			if err != nil {
				text += err.Error()
			}
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("output lacks %q:\n%s", w, text)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(text, w) {
					t.Errorf("output has %q:\n%s", w, text)
				}
			}
		})
	}
}

func TestConfigPrintMasksSecrets(t *testing.T) {
	files := map[string]string{"app-config.yaml": `
app:
  title: Acme
backend:
  baseUrl: http://localhost:7007
  database:
    client: pg
    connection: postgres://u:hunter22@db/x
integrations:
  github:
    - host: github.com
      token: ghp_supersecret
`}
	out, _, err := run(t, files, nil, "config", "print")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "hunter22") || strings.Contains(out, "ghp_supersecret") || !strings.Contains(out, "title: Acme") {
		t.Fatalf("print output:\n%s", out)
	}
	out, _, err = run(t, files, nil, "config", "print", "--frontend", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `"title": "Acme"`) || !strings.Contains(out, `"baseUrl": "http://localhost:7007"`) || strings.Contains(out, "database") {
		t.Fatalf("frontend output:\n%s", out)
	}
}

func TestConfigSchema(t *testing.T) {
	out, _, err := run(t, nil, nil, "config", "schema")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `"allOf"`) || !strings.Contains(out, `"plugin app"`) || !strings.Contains(out, `"framework"`) {
		t.Fatalf("schema output:\n%.400s", out)
	}
}

func TestVersion(t *testing.T) {
	out, _, err := run(t, nil, nil, "version")
	if err != nil || !strings.HasPrefix(out, "portico ") {
		t.Fatalf("%q %v", out, err)
	}
}

func TestServeFailsWithOneLine(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	busy := ln.Addr().(*net.TCPAddr).Port
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"port in use", map[string]string{"app-config.yaml": fmt.Sprintf("backend:\n  listen: { host: 127.0.0.1, port: %d }\n", busy)},
			fmt.Sprintf("listen on 127.0.0.1:%d (backend.listen)", busy)},
		{"unreachable postgres", map[string]string{"app-config.yaml": "backend:\n  listen: 127.0.0.1:0\n  database:\n    client: pg\n    connection: postgres://postgres@127.0.0.1:1/x?sslmode=disable&connect_timeout=2\n"},
			"127.0.0.1:1"},
		{"invalid config", map[string]string{"app-config.yaml": "backend:\n  listen:\n    port: [1]\n"},
			"app-config.yaml:3: backend.listen.port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := run(t, tt.files, []string{"LOG_LEVEL=error"}, "serve")
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("err = %v, want one line containing %q", err, tt.want)
			}
		})
	}
}

//go:embed testdata/migrations
var testMigrations embed.FS

func TestDBMigrate(t *testing.T) {
	migrations, err := fs.Sub(testMigrations, "testdata/migrations")
	if err != nil {
		t.Fatal(err)
	}
	features := append(all.Features(), framework.Plugin{ID: "notes", Migrations: migrations})
	dir := t.TempDir()
	out, stderr, err := runIn(t, dir, features, nil, nil, "db", "migrate")
	if err != nil {
		t.Fatal(err)
	}
	if out != "" || stderr != "" {
		t.Errorf("db migrate is not quiet in a pipe: %q %q", out, stderr)
	}
	// The plugin's table now exists in its own SQLite file under ./.portico.
	dbFile := filepath.Join(dir, ".portico", "backstage_plugin_notes.sqlite")
	db := databasetest.ForPlugins(t, databasetest.NewManager(t, database.Options{Filename: dbFile}), "notes")[0]
	if _, err := db.ExecContext(t.Context(), "INSERT INTO notes (body) VALUES ('hi')"); err != nil {
		t.Fatalf("table missing after db migrate: %v", err)
	}
	// Running it again is a no-op.
	if _, _, err := runIn(t, dir, features, nil, nil, "db", "migrate"); err != nil {
		t.Fatal(err)
	}
}

// TestUnusableDataDirectory: a data directory (or database file) that SQLite cannot use is
// reported in one line naming the path and the cause, not as SQLite's "unable to open
// database file (14)" under a chain of service names. The cases work as root too (root
// ignores permission bits; the read-only directory is tested in framework/database).
func TestUnusableDataDirectory(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  func(dir string) string
	}{
		{
			name: "the data directory is a file",
			setup: func(t *testing.T, dir string) {
				if err := os.WriteFile(filepath.Join(dir, ".portico"), []byte("x"), 0o600); err != nil {
					t.Fatal(err)
				}
			},
			want: func(dir string) string {
				return "database file " + filepath.Join(dir, ".portico", "backstage_plugin_catalog.sqlite") + ": directory " +
					filepath.Join(dir, ".portico") + " is not a directory: not a directory"
			},
		},
		{
			name: "a database file is a directory",
			setup: func(t *testing.T, dir string) {
				if err := os.MkdirAll(filepath.Join(dir, ".portico", "backstage_plugin_catalog.sqlite"), 0o700); err != nil {
					t.Fatal(err)
				}
			},
			want: func(dir string) string {
				return "database file " + filepath.Join(dir, ".portico", "backstage_plugin_catalog.sqlite") + " is a directory: is a directory"
			},
		},
		{
			name: "SQLite's log cannot be created",
			setup: func(t *testing.T, dir string) {
				if err := os.MkdirAll(filepath.Join(dir, ".portico", "backstage_plugin_catalog.sqlite-wal"), 0o700); err != nil {
					t.Fatal(err)
				}
			},
			want: func(dir string) string {
				f := filepath.Join(dir, ".portico", "backstage_plugin_catalog.sqlite")
				return "database file " + f + ": file " + f + "-wal is a directory: is a directory"
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.setup(t, dir)
			_, _, err := runIn(t, dir, all.Features(), nil, []string{"LOG_LEVEL=error"}, "db", "migrate")
			if err == nil {
				t.Fatal("db migrate succeeded")
			}
			if got, want := errorLine(err).Error(), tt.want(dir); got != want {
				t.Errorf("error line = %q\nwant         %q", got, want)
			}
		})
	}
}
