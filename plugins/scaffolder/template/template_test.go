package template_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/portico-dev/portico/framework/jsvalue"
	"github.com/portico-dev/portico/plugins/scaffolder/template"
)

const doc = `apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata: {name: svc, title: Service, tags: [go]}
spec:
  type: service
  owner: group:default/platform
  EXPERIMENTAL_recovery: {EXPERIMENTAL_strategy: startOver}
  rollback: false
  parameters:
    - title: One
      required: [zeta, alpha]
      properties:
        zeta: {type: string, ui:field: EntityNamePicker}
        alpha: {type: number}
        mid:
          type: object
          properties: {y: {type: string}, b: {type: string}}
    - title: Two
      additionalProperties: false
      properties:
        zeta: {type: string}
        alpha: {type: number}
        mid: {type: object}
  steps:
    - action: debug:log
    - id: named
      name: Named
      action: debug:log
      input: {message: hi}
`

func TestParseDocument(t *testing.T) {
	tpl, err := template.ParseDocument([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if tpl.Ref() != "template:default/svc" || tpl.DisplayTitle() != "Service" || len(tpl.Pages) != 2 {
		t.Errorf("template = %+v", tpl)
	}
	if tpl.Steps[0].ID != "step-1" || tpl.Steps[0].Name != "debug:log" || tpl.Steps[1].Name != "Named" {
		t.Errorf("step defaults = %+v", tpl.Steps)
	}
	props := tpl.Pages[0]["properties"].(map[string]any)
	if got := fmt.Sprint(tpl.PropertyOrder("0", props)); got != "[zeta alpha mid]" {
		t.Errorf("order = %s", got)
	}
	mid := props["mid"].(map[string]any)["properties"].(map[string]any)
	if got := fmt.Sprint(tpl.PropertyOrder("0/mid", mid)); got != "[y b]" {
		t.Errorf("nested order = %s", got)
	}
	spec := tpl.TaskSpec(jsvalue.Ordered(map[string]any{"zeta": "z"}).(*jsvalue.Object), template.User{Ref: "user:default/ann"}, "file:///t/")
	if spec.RecoverStrategy() != "startOver" || spec.RollbackEnabled() || spec.TemplateInfo.EntityRef != "template:default/svc" {
		t.Errorf("spec = %+v", spec)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ name, doc, want string }{
		{"old version", "apiVersion: backstage.io/v1beta2\nkind: Template\nspec: {steps: []}", "Unsupported apiVersion"},
		{"no steps", "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata: {name: x}\nspec: {type: s}", "spec.steps"},
		{"no action", "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata: {name: x}\nspec: {type: s, steps: [{id: a}]}", "action is required"},
		{"not yaml", "{", "invalid template"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := template.ParseDocument([]byte(tc.doc))
			if err == nil || !errors.Is(err, template.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ParseDocument(%q) = %v, want %q", tc.doc, err, tc.want)
			}
		})
	}
}

func TestValidateValues(t *testing.T) {
	tpl, err := template.ParseDocument([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		values map[string]any
		props  []string // properties with errors; nil means valid
	}{
		{"valid", map[string]any{"zeta": "z", "alpha": 1}, nil},
		{"missing required", map[string]any{"zeta": "z"}, []string{"instance"}},
		{"wrong type", map[string]any{"zeta": "z", "alpha": "one"}, []string{"instance.alpha", "instance.alpha"}},
		// Every page sees all values: page two forbids keys it does not know.
		{"other page forbids extra", map[string]any{"zeta": "z", "alpha": 1, "extra": true}, []string{"instance"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tpl.ValidateValues(tc.values)
			var ve *template.ValidationErrors
			if tc.props == nil {
				if err != nil {
					t.Fatalf("ValidateValues(%v) = %v", tc.values, err)
				}
				return
			}
			if !errors.As(err, &ve) {
				t.Fatalf("ValidateValues(%v) = %v, want ValidationErrors", tc.values, err)
			}
			var got []string
			for _, e := range ve.Errors {
				got = append(got, e.Property)
				if e.Message == "" || !strings.HasPrefix(e.Stack, e.Property) {
					t.Errorf("error %+v", e)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.props) {
				t.Errorf("error properties = %v, want %v", got, tc.props)
			}
		})
	}
}

// TestKeyOrderSurvivesStorage checks that a step's each: object and the submitted values keep
// their key order (JavaScript's: array indices first) from the document through the stored
// task spec.
func TestKeyOrderSurvivesStorage(t *testing.T) {
	doc := `apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata: {name: svc}
spec:
  steps:
    - id: loop
      action: debug:log
      each: {zeta: 1, "10": {y: 1, b: 2}, alpha: [{d: 1, c: 2}], "2": x}
      input: {message: '${{ each.key }}'}
`
	tpl, err := template.ParseDocument([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	values, err := jsvalue.DecodeJSON([]byte(`{"zeta":{"z":1,"a":2},"1":true,"alpha":null}`))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(tpl.TaskSpec(values.(*jsvalue.Object), template.User{}, ""))
	if err != nil {
		t.Fatal(err)
	}
	spec, err := template.ParseSpec(raw)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := jsvalue.Stringify(spec.Steps[0].Each, ""), `{"2":"x","10":{"y":1,"b":2},"zeta":1,"alpha":[{"d":1,"c":2}]}`; got != want {
		t.Errorf("each = %s, want %s", got, want)
	}
	if got, want := jsvalue.Stringify(spec.Parameters, ""), `{"1":true,"zeta":{"z":1,"a":2},"alpha":null}`; got != want {
		t.Errorf("parameters = %s, want %s", got, want)
	}
	if spec.Steps[0].ID != "loop" || jsvalue.Stringify(spec.Steps[0].Input, "") != `{"message":"${{ each.key }}"}` {
		t.Errorf("step = %+v", spec.Steps[0])
	}
}
