package scaffolder

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/portico-dev/portico/config"
	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/plugins/scaffolder/nunjucks"
)

// loadYAML loads yaml from a real app-config.yaml, so errors carry its name and line.
func loadYAML(t *testing.T, yaml string) *config.Config {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "app-config.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(t.Context(), config.LoadOptions{Paths: []string{path}})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestReadSettings(t *testing.T) {
	defaults := settings{Concurrency: 10, TaskTimeout: 24 * time.Hour, Lease: 30 * time.Second, Limits: defaultLimits()}
	tests := []struct {
		name    string
		yaml    string
		want    func(s *settings)
		wantErr string // what follows the file name: ":line: key: message"
	}{
		{name: "no scaffolder block: defaults", yaml: "app: {}\n", want: func(*settings) {}},
		{name: "every key", yaml: `scaffolder:
  concurrentTasksLimit: 0
  taskTimeout: 2 hours
  taskLease: PT1M
  taskTimeoutJanitorFrequency: {seconds: 20}
  secretsKey: 0123456789abcdef
  limits:
    templateOperations: 1000
    templateTimeout: 3s
    templateOutputBytes: 2048
    workspaceBytes: 4096
    workspaceFiles: 12
    dryRunBytes: 8192
    dryRunTimeout: 1m
`, want: func(s *settings) {
			s.Concurrency, s.TaskTimeout, s.Lease, s.JanitorEvery = 0, 2*time.Hour, time.Minute, 20*time.Second
			s.SecretsKey = "0123456789abcdef"
			s.Limits = limits{TemplateOperations: 1000, TemplateTimeout: 3 * time.Second, TemplateOutputBytes: 2048,
				WorkspaceBytes: 4096, WorkspaceFiles: 12, DryRunBytes: 8192, DryRunTimeout: time.Minute}
		}},
		{name: "absolute publish:file root", yaml: "scaffolder:\n  publishFileRoot: /srv/published\n", want: func(s *settings) { s.PublishFileRoot = "/srv/published" }},
		{name: "relative publish:file root, from the working directory", yaml: "scaffolder:\n  publishFileRoot: published/../out\n", want: func(s *settings) { s.PublishFileRoot = mustAbs(t, "out") }},
		{name: "negative concurrency", yaml: "scaffolder:\n  concurrentTasksLimit: -1\n", wantErr: ":2: scaffolder.concurrentTasksLimit: must be 0 or more"},
		{name: "zero task timeout", yaml: "scaffolder:\n  taskTimeout: 0\n", wantErr: ":2: scaffolder.taskTimeout: must be positive"},
		{name: "zero janitor frequency", yaml: "scaffolder:\n  taskLease: 5s\n  taskTimeoutJanitorFrequency: 0s\n", wantErr: ":3: scaffolder.taskTimeoutJanitorFrequency: must be positive"},
		{name: "bad duration", yaml: "scaffolder:\n  taskLease: soon\n", wantErr: `:2: scaffolder.taskLease: invalid duration "soon": `},
		{name: "empty secrets key", yaml: "scaffolder:\n  secretsKey: ''\n", wantErr: ":2: scaffolder.secretsKey: invalid type, got empty-string, wanted string"},
		{name: "zero operations", yaml: "scaffolder:\n  limits:\n    templateOperations: 0\n", wantErr: ":3: scaffolder.limits.templateOperations: must be a positive integer"},
		{name: "fractional bytes", yaml: "scaffolder:\n  limits:\n    workspaceBytes: 1.5\n", wantErr: ":3: scaffolder.limits.workspaceBytes: invalid type, got non-integer number, wanted integer"},
		{name: "zero files", yaml: "scaffolder:\n  limits:\n    workspaceFiles: 0\n", wantErr: ":3: scaffolder.limits.workspaceFiles: must be positive"},
		{name: "output above the maximum", yaml: "scaffolder:\n  limits:\n    templateOutputBytes: 16777217\n", wantErr: ":3: scaffolder.limits.templateOutputBytes: at most 16777216"},
		{name: "zero dry-run timeout", yaml: "scaffolder:\n  limits:\n    dryRunTimeout: 0\n", wantErr: ":3: scaffolder.limits.dryRunTimeout: must be positive"},
		{name: "limits not an object", yaml: "scaffolder:\n  limits: 5\n", wantErr: ":2: scaffolder.limits: invalid type, got number, wanted object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := readSettings(loadYAML(t, tt.yaml))
			// An error reads file:line: key: message.
			if tt.wantErr != "" && frameworktest.CheckError(t, err, "app-config.yaml"+tt.wantErr) {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := defaults
			tt.want(&want)
			if s != want {
				t.Fatalf("got %+v\nwant %+v", s, want)
			}
		})
	}
	if defaults.Limits.template() != (nunjucks.Limits{Operations: nunjucks.DefaultOperations, Timeout: nunjucks.DefaultTimeout, OutputBytes: nunjucks.DefaultOutputBytes}) {
		t.Fatalf("default template limits: %+v", defaults.Limits.template())
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	abs, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}
