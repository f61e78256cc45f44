package nunjucks_test

import (
	"os"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/portico-dev/portico/plugins/scaffolder/nunjucks"
)

// FuzzRender feeds arbitrary templates to the parser and evaluator: they may fail, but must
// not panic or hang. Seeds are the golden templates.
func FuzzRender(f *testing.F) {
	raw, err := os.ReadFile("testdata/golden.yaml")
	if err != nil {
		f.Fatal(err)
	}
	var cases []struct {
		Template string `yaml:"template"`
	}
	if err := yaml.Unmarshal(raw, &cases); err != nil {
		f.Fatal(err)
	}
	for _, c := range cases {
		f.Add(c.Template)
	}
	ctx := map[string]any{
		"values":     map[string]any{"name": "svc", "list": []any{"a", 1.0, true}, "obj": map[string]any{"k": "v"}},
		"parameters": map[string]any{"repoUrl": "github.com?owner=o&repo=r", "n": 3},
	}
	f.Fuzz(func(t *testing.T, tpl string) {
		for _, compat := range []bool{false, true} {
			e := nunjucks.New(nunjucks.Options{CookiecutterCompat: compat})
			_, _ = e.RenderString(t.Context(), tpl, ctx)
			_, _ = e.RenderValue(t.Context(), map[string]any{"k": tpl, "l": []any{tpl}}, ctx)
			_, _ = e.EvalCondition(t.Context(), tpl, ctx)
		}
	})
}
