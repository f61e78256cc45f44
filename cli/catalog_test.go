package cli

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/portico-dev/portico/plugins/catalog/model"
)

// runCatalog runs `catalog ARGS…` in dir through the command constructor.
func runCatalog(t *testing.T, dir string, terminal bool, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	a := &app{env: Env{Stdout: &out, Stderr: &errb, Dir: dir, StderrIsTerminal: terminal}}
	cmd := a.catalogCommand()
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	err = cmd.ExecuteContext(t.Context())
	return out.String(), errb.String(), err
}

func TestCatalogValidate(t *testing.T) {
	tests := []struct {
		name    string
		paths   []string
		wantErr bool
		want    []string // exact output lines, in order
	}{
		{name: "valid file", paths: []string{"valid.yaml"}},
		{
			name: "multi-document file reports the bad document with its line", paths: []string{"multi-doc.yaml"}, wantErr: true,
			want: []string{"multi-doc.yaml:14: component:default/cart: /spec must have required property 'owner' - missingProperty: owner"},
		},
		{
			name: "yaml syntax error", paths: []string{"syntax-error.yaml"}, wantErr: true,
			want: []string{"syntax-error.yaml:5: document 1: mapping values are not allowed in this context"},
		},
		{
			name: "invalid name", paths: []string{"bad-name.yaml"}, wantErr: true,
			want: []string{`bad-name.yaml:4: component:default/not a valid name!: "metadata.name" is not valid; expected a string that is sequences of [a-zA-Z0-9] separated by any of [-_.], at most 63 characters in total but found "Not A Valid Name!". ` + model.MessageFormatDocsSuffix},
		},
		{
			name: "unknown kind", paths: []string{"unknown-kind.yaml"}, wantErr: true,
			want: []string{"unknown-kind.yaml:2: gadget:default/widget: " + model.MessageNoKindValidator},
		},
		{
			name: "reference without a kind", paths: []string{"bad-ref.yaml"}, wantErr: true,
			want: []string{`bad-ref.yaml:10: component:default/orders: Entity reference "orders-db" had missing or empty kind (e.g. did not start with "component:" or similar)`},
		},
		{
			name: "document that is not an object", paths: []string{"not-object.yaml"}, wantErr: true,
			want: []string{"not-object.yaml:1: document 1: Expected object at root, got object"},
		},
		{
			name: "foreign root field", paths: []string{"foreign-root.yaml"}, wantErr: true,
			want: []string{"foreign-root.yaml:9: component:default/extra: Malformed envelope, <root> must NOT have additional properties"},
		},
		{name: "placeholders resolved locally, urls not fetched", paths: []string{"placeholder.yaml"}},
		{
			name: "placeholder naming a missing file", paths: []string{"placeholder-missing.yaml"}, wantErr: true,
			want: []string{"placeholder-missing.yaml:10: api:default/ghost: placeholder $text could not read location ./does-not-exist.yaml, file does not exist"},
		},
		{
			name: "placeholder naming an absolute path or a file url", paths: []string{"placeholder-absolute.yaml"}, wantErr: true,
			want: []string{
				"placeholder-absolute.yaml:10: api:default/abs: placeholder $text could not form a URL out of /etc/hostname, /etc/hostname is not a path relative to the descriptor or a remote URL; placeholders of a file location cannot name absolute paths or file URLs",
				"placeholder-absolute.yaml:21: api:default/file-url: placeholder $text could not form a URL out of file:///etc/hostname, file:///etc/hostname is not a path relative to the descriptor or a remote URL; placeholders of a file location cannot name absolute paths or file URLs",
			},
		},
		{
			name: "location target missing", paths: []string{"location.yaml"}, wantErr: true,
			want: []string{"location.yaml:8: location:default/roots: location target ./missing.yaml does not exist"},
		},
		{
			name: "entity defined twice across files", paths: []string{"valid.yaml", "duplicate.yaml"}, wantErr: true,
			want: []string{"duplicate.yaml:1: component:default/checkout: entity defined more than once, first at valid.yaml:1"},
		},
		{
			name: "directory walk skips non-entity yaml, hidden and skeleton directories", paths: []string{"dir"}, wantErr: true,
			want: []string{filepath.Join("dir", "nested", "broken.yml") + ":5: resource:default/shop-db: /spec must have required property 'owner' - missingProperty: owner"},
		},
		{
			name: "several paths report in order", paths: []string{"bad-ref.yaml", "valid.yaml", "unknown-kind.yaml"}, wantErr: true,
			want: []string{
				`bad-ref.yaml:10: component:default/orders: Entity reference "orders-db" had missing or empty kind (e.g. did not start with "component:" or similar)`,
				"unknown-kind.yaml:2: gadget:default/widget: " + model.MessageNoKindValidator,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, err := runCatalog(t, filepath.Join("testdata", "catalog"), false, append([]string{"validate"}, tt.paths...)...)
			if (err != nil) != tt.wantErr {
				t.Fatalf("validate %v: err = %v, wantErr %v\nstdout:\n%s", tt.paths, err, tt.wantErr, stdout)
			}
			if err != nil && !errors.As(err, new(exitError)) {
				t.Errorf("validate %v: err = %v, want an exitError (already explained)", tt.paths, err)
			}
			got := nonEmptyLines(stdout)
			if !slices.Equal(got, tt.want) {
				t.Errorf("validate %v output:\n got: %q\nwant: %q", tt.paths, got, tt.want)
			}
			if stderr != "" {
				t.Errorf("validate %v wrote to stderr without a terminal: %q", tt.paths, stderr)
			}
		})
	}
}

func TestCatalogValidateSummaryOnTerminal(t *testing.T) {
	tests := []struct {
		name     string
		terminal bool
		want     string
	}{
		{name: "terminal", terminal: true, want: "2 files, 4 entities, 1 problems\n"},
		{name: "pipe", terminal: false, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, err := runCatalog(t, filepath.Join("testdata", "catalog"), tt.terminal, "validate", "valid.yaml", "multi-doc.yaml")
			if err == nil {
				t.Fatal("validate: want an error for multi-doc.yaml")
			}
			if stderr != tt.want {
				t.Errorf("stderr = %q, want %q", stderr, tt.want)
			}
		})
	}
}

func TestCatalogValidateUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{name: "no path", args: []string{"validate"}, want: "requires at least 1 arg"},
		{name: "missing path", args: []string{"validate", "nope.yaml"}, want: "nope.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runCatalog(t, filepath.Join("testdata", "catalog"), false, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("catalog %v: err = %v, want one mentioning %q", tt.args, err, tt.want)
			}
			if errors.As(err, new(exitError)) {
				t.Errorf("catalog %v: a usage error must be printed by Main, got an exitError", tt.args)
			}
		})
	}
}

func TestCatalogValidateHelp(t *testing.T) {
	stdout, _, err := runCatalog(t, t.TempDir(), false, "validate", "--help")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"portico catalog validate catalog-info.yaml", "file:line: entity-ref: problem", "placeholders"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("help lacks %q:\n%s", want, stdout)
		}
	}
}

func nonEmptyLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// examplesDir is the repository's example catalog.
const examplesDir = "../examples"

// TestExamplesValidate validates every descriptor of examples/: the catalog portico serves by
// default must be free of problems.
func TestExamplesValidate(t *testing.T) {
	stdout, _, err := runCatalog(t, ".", false, "validate", examplesDir)
	if err != nil {
		t.Fatalf("examples do not validate: %v\n%s", err, stdout)
	}
	res, err := validateCatalogPaths(t.Context(), ".", []string{examplesDir})
	if err != nil {
		t.Fatal(err)
	}
	if res.Entities < 60 {
		t.Errorf("examples hold %d entities, want a realistic company (60+)", res.Entities)
	}
}

// TestExamplesShape checks what validation cannot: every descriptor is reached from the root
// Location, every relation points at an entity that exists, and the catalog has the variety it
// promises.
func TestExamplesShape(t *testing.T) {
	absExamples, err := filepath.Abs(examplesDir)
	if err != nil {
		t.Fatal(err)
	}
	files, err := collectDescriptorFiles("", []string{absExamples})
	if err != nil {
		t.Fatal(err)
	}
	walked := map[string]bool{}
	for _, f := range files {
		walked[f.abs] = true
	}
	root := filepath.Join(absExamples, "catalog-info.yaml")
	reached := map[string]bool{}
	entities := map[string]*model.Entity{}
	var follow func(path string)
	follow = func(path string) {
		if reached[path] {
			return
		}
		reached[path] = true
		data, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("read %s: %v", path, err)
			return
		}
		for _, d := range model.ParseDescriptor(data, model.ParseOptions{}) {
			if d.Entity == nil {
				t.Errorf("%s:%d: not an entity", path, d.Line)
				continue
			}
			entities[d.Entity.Ref().String()] = d.Entity
			if d.Entity.Kind != model.KindLocation {
				continue
			}
			var targets []string
			if s, ok := d.Entity.Spec["target"].(string); ok {
				targets = append(targets, s)
			}
			if ts, ok := d.Entity.Spec["targets"].([]any); ok {
				for _, x := range ts {
					targets = append(targets, x.(string))
				}
			}
			for _, target := range targets {
				follow(filepath.Join(filepath.Dir(path), target))
			}
		}
	}
	follow(root)
	for f := range walked {
		if !reached[f] {
			t.Errorf("%s is not reached from examples/catalog-info.yaml", f)
		}
	}
	for f := range reached {
		if !walked[f] {
			t.Errorf("%s is reached from the root Location but not found by catalog validate", f)
		}
	}

	v := model.NewValidator(model.Options{})
	kinds := map[string]int{}
	componentTypes := map[string]bool{}
	apiTypes := map[string]bool{}
	for ref, e := range entities {
		kinds[e.Kind]++
		switch e.Kind {
		case model.KindComponent:
			componentTypes[e.Spec["type"].(string)] = true
		case model.KindAPI:
			apiTypes[e.Spec["type"].(string)] = true
		}
		pairs, problems := v.Relations(e)
		if len(problems) > 0 {
			t.Errorf("%s: %v", ref, problems)
		}
		for _, p := range pairs {
			if target := p.Outgoing.Target.String(); entities[target] == nil {
				t.Errorf("%s: %s %s, which is not in examples/", ref, p.Outgoing.Type, target)
			}
		}
	}
	wantAtLeast := map[string]int{
		model.KindDomain: 2, model.KindSystem: 5, model.KindComponent: 15, model.KindAPI: 4,
		model.KindResource: 5, model.KindGroup: 6, model.KindUser: 20, model.KindTemplate: 2,
	}
	for kind, n := range wantAtLeast {
		if kinds[kind] < n {
			t.Errorf("examples hold %d %s entities, want at least %d", kinds[kind], kind, n)
		}
	}
	for _, typ := range []string{"service", "website", "library"} {
		if !componentTypes[typ] {
			t.Errorf("no component of type %s", typ)
		}
	}
	for _, typ := range []string{"openapi", "asyncapi", "graphql", "grpc"} {
		if !apiTypes[typ] {
			t.Errorf("no API of type %s", typ)
		}
	}
}
