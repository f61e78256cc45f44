package nunjucks_test

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/portico-dev/portico/plugins/scaffolder/nunjucks"
)

var update = flag.Bool("update", false, "rewrite the want and error fields of testdata/golden.yaml")

type goldenCase struct {
	Name         string         `yaml:"name"`
	Mode         string         `yaml:"mode,omitempty"`
	Cookiecutter bool           `yaml:"cookiecutter,omitempty"`
	TrimBlocks   bool           `yaml:"trimBlocks,omitempty"`
	LstripBlocks bool           `yaml:"lstripBlocks,omitempty"`
	Template     string         `yaml:"template,omitempty"`
	Value        any            `yaml:"value,omitempty"`
	Context      map[string]any `yaml:"context,omitempty"`
	Want         any            `yaml:"want"`
	Error        string         `yaml:"error,omitempty"`
}

func (c goldenCase) input() any {
	if c.Value != nil {
		return c.Value
	}
	return c.Template
}

func run(ctx context.Context, c goldenCase) (any, error) {
	e := nunjucks.New(nunjucks.Options{CookiecutterCompat: c.Cookiecutter, TrimBlocks: c.TrimBlocks, LstripBlocks: c.LstripBlocks})
	switch c.Mode {
	case "value":
		return e.RenderValue(ctx, c.input(), c.Context)
	case "condition":
		return e.EvalCondition(ctx, c.input(), c.Context)
	default:
		return e.RenderString(ctx, c.Template, c.Context)
	}
}

func TestGolden(t *testing.T) {
	raw, err := os.ReadFile("testdata/golden.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var cases []goldenCase
	if err := yaml.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i, c := range cases {
		if seen[c.Name] {
			t.Fatalf("duplicate case name %q", c.Name)
		}
		seen[c.Name] = true
		t.Run(c.Name, func(t *testing.T) {
			got, err := run(t.Context(), c)
			if *update {
				cases[i].Want, cases[i].Error = got, ""
				if err != nil {
					cases[i].Want, cases[i].Error = nil, err.Error()
				}
				return
			}
			if c.Error != "" {
				if err == nil || !strings.Contains(err.Error(), c.Error) {
					t.Fatalf("input %q: got error %v (value %#v), want error containing %q", c.input(), err, got, c.Error)
				}
				return
			}
			if err != nil {
				t.Fatalf("input %q: unexpected error: %v", c.input(), err)
			}
			if g, w := canon(t, got), canon(t, c.Want); g != w {
				t.Errorf("input %q\n got: %s\nwant: %s", c.input(), g, w)
			}
		})
	}
	if *update {
		out, err := yaml.Marshal(cases)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("testdata/golden.yaml", out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// canon is a JSON encoding that ignores Go number types (YAML ints vs JSON float64).
func canon(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encode %#v: %v", v, err)
	}
	var x any
	if err := json.Unmarshal(b, &x); err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(x)
	return string(b)
}
