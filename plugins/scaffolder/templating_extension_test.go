package scaffolder_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/plugins/catalog"
	"github.com/portico-dev/portico/plugins/scaffolder"
	"github.com/portico-dev/portico/plugins/scaffolder/nunjucks"
)

// templatingModule adds a filter and two globals (a value and a function) through the
// scaffolder's TemplatingExtensionPoint, as a custom build's module would.
func templatingModule() framework.Module {
	return framework.ExtensionModule("scaffolder", "templating-test", scaffolder.TemplatingExtensionPoint, func(_ context.Context, d *framework.Deps, tpl *scaffolder.Templating) error {
		tpl.AddFilter("shout", func(v any, args ...any) (any, error) {
			suffix := "!"
			if len(args) > 0 {
				suffix = fmt.Sprint(args[0])
			}
			return strings.ToUpper(fmt.Sprint(v)) + suffix, nil
		})
		tpl.AddGlobal("company", "Kestrel Travel")
		tpl.AddGlobal("initials", nunjucks.Func(func(args ...any) (any, error) {
			var out strings.Builder
			for f := range strings.FieldsSeq(fmt.Sprint(args...)) {
				out.WriteString(f[:1])
			}
			return out.String(), nil
		}))
		return nil
	})
}

// TestModuleAddsTemplateFiltersAndGlobals dry-runs a template whose step input and output use
// a module's filter and globals: both are rendered by the scaffolder's templating engine.
func TestModuleAddsTemplateFiltersAndGlobals(t *testing.T) {
	b := frameworktest.Start(t, nil, catalog.Plugin(), scaffolder.Plugin(), templatingModule())
	tpl := map[string]any{
		"apiVersion": "scaffolder.backstage.io/v1beta3", "kind": "Template", "metadata": map[string]any{"name": "t"},
		"spec": map[string]any{"type": "service",
			"parameters": map[string]any{"properties": map[string]any{"name": map[string]any{"type": "string"}}},
			"steps": []any{map[string]any{"id": "log", "action": "debug:log", "input": map[string]any{
				"message": "${{ parameters.name | shout }} at ${{ company }}",
			}}},
			"output": map[string]any{
				"shouted":  "${{ parameters.name | shout('?') }}",
				"company":  "${{ company }}",
				"initials": "${{ initials(parameters.name) }}",
			},
		}}
	body, _ := json.Marshal(map[string]any{"template": tpl, "values": map[string]any{"name": "ada lovelace"}})
	resp, err := b.Client().Post(b.URL+"/api/scaffolder/v2/dry-run", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var res struct {
		Output map[string]any `json:"output"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &res) != nil {
		t.Fatalf("dry run: %d %s", resp.StatusCode, raw)
	}
	want := map[string]any{"shouted": "ADA LOVELACE?", "company": "Kestrel Travel", "initials": "al"}
	for k, v := range want {
		if res.Output[k] != v {
			t.Errorf("output %s = %v, want %v", k, res.Output[k], v)
		}
	}
	if !strings.Contains(string(raw), "ADA LOVELACE! at Kestrel Travel") {
		t.Errorf("the step input was not rendered with the module's filter and global: %s", raw)
	}
}
