// Package template reads Backstage Template entities (scaffolder.backstage.io/v1beta3) into the
// task spec the scaffolder stores and runs, and validates form values against the template's
// parameter pages. It does no I/O.
package template

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/portico-dev/portico/framework/apierr/errkind"
	"github.com/portico-dev/portico/framework/jsvalue"
)

func sortStrings(s []string) { sort.Strings(s) }

// APIVersion is the only template version the scaffolder runs.
const APIVersion = "scaffolder.backstage.io/v1beta3"

// ErrInvalid wraps every problem found in a template.
var ErrInvalid = errkind.New(errkind.Input, "invalid template")

// Template is a parsed Template entity.
type Template struct {
	Name, Namespace string
	Title           string
	Description     string
	Tags            []string
	Owner, Type     string
	UIOptions       any
	Pages           []map[string]any // spec.parameters, one JSON Schema per form page
	Steps           []Step
	Output          map[string]any
	Presentation    map[string]any
	SecretsSchema   map[string]any
	FormDecorators  []any
	RecoverStrategy string // none | startOver
	Rollback        bool   // spec.rollback (default true): undo completed steps on failure
	Entity          map[string]any
	// Order holds the document order of object properties in the parameter pages, keyed by
	// "<page index>[/<property>…]"; see PropertyOrder.
	Order map[string][]string
}

// Step is one step of a template, stored unrendered. Input and Each hold their objects as
// *jsvalue.Object in the template's key order: `each:` over an object iterates in it, and a
// dry run logs the input in it.
type Step struct {
	ID     string          `json:"id"`
	Name   string          `json:"name"`
	Action string          `json:"action"`
	Input  *jsvalue.Object `json:"input,omitempty"`
	If     any             `json:"if,omitempty"`
	Each   any             `json:"each,omitempty"`
}

// UnmarshalJSON decodes a stored step, keeping the key order of the objects of Each.
func (s *Step) UnmarshalJSON(b []byte) error {
	type plain Step
	var raw struct {
		plain
		Each json.RawMessage `json:"each,omitempty"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*s = Step(raw.plain)
	s.Each = nil
	if len(raw.Each) > 0 {
		each, err := jsvalue.DecodeJSON(raw.Each)
		if err != nil {
			return err
		}
		s.Each = each
	}
	return nil
}

// User is the task's initiator as stored in the spec.
type User struct {
	Ref    string         `json:"ref,omitempty"`
	Entity map[string]any `json:"entity,omitempty"`
}

// TemplateInfo names the template a task runs.
type TemplateInfo struct {
	EntityRef string         `json:"entityRef"`
	BaseURL   string         `json:"baseUrl,omitempty"`
	Entity    map[string]any `json:"entity,omitempty"`
}

// Recovery is spec.EXPERIMENTAL_recovery.
type Recovery struct {
	Strategy string `json:"EXPERIMENTAL_strategy,omitempty"`
}

// TaskSpec is what a task stores and the worker runs (Backstage's TaskSpecV1beta3 plus
// Portico's rollback switch).
type TaskSpec struct {
	APIVersion   string          `json:"apiVersion"`
	Steps        []Step          `json:"steps"`
	Output       map[string]any  `json:"output"`
	Parameters   *jsvalue.Object `json:"parameters"` // the submitted values, in their order
	User         User            `json:"user"`
	TemplateInfo TemplateInfo    `json:"templateInfo"`
	Recovery     *Recovery       `json:"EXPERIMENTAL_recovery,omitempty"`
	// Rollback false turns off undoing completed steps when a later one fails.
	Rollback *bool `json:"rollback,omitempty"`
}

// RollbackEnabled reports whether failed runs roll back (the default).
func (s TaskSpec) RollbackEnabled() bool { return s.Rollback == nil || *s.Rollback }

// RecoverStrategy returns "startOver" or "none".
func (s TaskSpec) RecoverStrategy() string {
	if s.Recovery != nil && s.Recovery.Strategy == "startOver" {
		return "startOver"
	}
	return "none"
}

// Parse reads a Template entity (as decoded JSON/YAML).
func Parse(entity map[string]any) (*Template, error) {
	if v, _ := entity["apiVersion"].(string); v != APIVersion {
		return nil, fmt.Errorf("%w: Unsupported apiVersion field in schema entity, %v", ErrInvalid, entity["apiVersion"])
	}
	if k, _ := entity["kind"].(string); !strings.EqualFold(k, "Template") {
		return nil, fmt.Errorf("%w: kind is %v, want Template", ErrInvalid, entity["kind"])
	}
	meta, _ := entity["metadata"].(map[string]any)
	spec, _ := entity["spec"].(map[string]any)
	if spec == nil {
		return nil, fmt.Errorf("%w: spec is missing", ErrInvalid)
	}
	t := &Template{Entity: entity, Rollback: true, RecoverStrategy: "none"}
	t.Name, _ = meta["name"].(string)
	t.Namespace, _ = meta["namespace"].(string)
	if t.Namespace == "" {
		t.Namespace = "default"
	}
	t.Title, _ = meta["title"].(string)
	t.Description, _ = meta["description"].(string)
	if tags, ok := meta["tags"].([]any); ok {
		for _, tg := range tags {
			if s, ok := tg.(string); ok {
				t.Tags = append(t.Tags, s)
			}
		}
	}
	t.UIOptions = meta["ui:options"]
	t.Owner, _ = spec["owner"].(string)
	t.Type, _ = spec["type"].(string)
	switch p := spec["parameters"].(type) {
	case nil:
	case map[string]any:
		t.Pages = []map[string]any{p}
	case []any:
		for i, page := range p {
			m, ok := page.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%w: spec.parameters[%d] is not an object", ErrInvalid, i)
			}
			t.Pages = append(t.Pages, m)
		}
	default:
		return nil, fmt.Errorf("%w: spec.parameters must be an object or a list of objects", ErrInvalid)
	}
	rawSteps, ok := spec["steps"].([]any)
	if !ok {
		return nil, fmt.Errorf("%w: spec.steps must be a list", ErrInvalid)
	}
	for i, rs := range rawSteps {
		m, ok := rs.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%w: spec.steps[%d] is not an object", ErrInvalid, i)
		}
		st := Step{If: m["if"], Each: jsvalue.Ordered(m["each"])}
		st.Action, _ = m["action"].(string)
		if st.Action == "" {
			return nil, fmt.Errorf("%w: spec.steps[%d].action is required", ErrInvalid, i)
		}
		st.ID, _ = m["id"].(string)
		if st.ID == "" {
			st.ID = fmt.Sprintf("step-%d", i+1)
		}
		// Duplicate ids are accepted as Backstage accepts them: the later step's output
		// replaces the earlier one under steps.<id>.
		st.Name, _ = m["name"].(string)
		if st.Name == "" {
			st.Name = st.Action
		}
		if in, ok := m["input"].(map[string]any); ok {
			st.Input = jsvalue.Ordered(in).(*jsvalue.Object)
		} else if m["input"] != nil {
			return nil, fmt.Errorf("%w: spec.steps[%d].input must be an object", ErrInvalid, i)
		}
		t.Steps = append(t.Steps, st)
	}
	t.Output, _ = spec["output"].(map[string]any)
	t.Presentation, _ = spec["presentation"].(map[string]any)
	if sec, ok := spec["secrets"].(map[string]any); ok {
		t.SecretsSchema, _ = sec["schema"].(map[string]any)
	}
	if fd, ok := spec["formDecorators"].([]any); ok {
		t.FormDecorators = fd
	} else if fd, ok := spec["EXPERIMENTAL_formDecorators"].([]any); ok {
		t.FormDecorators = fd
	}
	if rec, ok := spec["EXPERIMENTAL_recovery"].(map[string]any); ok {
		if s, _ := rec["EXPERIMENTAL_strategy"].(string); s == "startOver" {
			t.RecoverStrategy = "startOver"
		}
	}
	if rec, ok := spec["recovery"].(map[string]any); ok {
		if s, _ := rec["strategy"].(string); s == "startOver" || s == "restart" {
			t.RecoverStrategy = "startOver"
		}
	}
	if rb, ok := spec["rollback"].(bool); ok {
		t.Rollback = rb
	}
	return t, nil
}

// Ref returns the template's entity ref, template:<ns>/<name>.
func (t *Template) Ref() string { return "template:" + t.Namespace + "/" + t.Name }

// DisplayTitle is metadata.title or the name.
func (t *Template) DisplayTitle() string {
	if t.Title != "" {
		return t.Title
	}
	return t.Name
}

// TaskSpec builds the spec a task stores for values submitted by user, kept in their order
// (templates may `dump` them or walk them).
func (t *Template) TaskSpec(values *jsvalue.Object, user User, baseURL string) TaskSpec {
	if values == nil {
		values = jsvalue.NewObject(0)
	}
	meta, _ := t.Entity["metadata"].(map[string]any)
	spec := TaskSpec{
		APIVersion: APIVersion,
		Steps:      t.Steps,
		Output:     t.Output,
		Parameters: values,
		User:       user,
		TemplateInfo: TemplateInfo{
			EntityRef: t.Ref(),
			BaseURL:   baseURL,
			Entity:    map[string]any{"metadata": meta},
		},
		Recovery: &Recovery{Strategy: t.RecoverStrategy},
	}
	if spec.Steps == nil {
		spec.Steps = []Step{}
	}
	if spec.Output == nil {
		spec.Output = map[string]any{}
	}
	if !t.Rollback {
		f := false
		spec.Rollback = &f
	}
	return spec
}

// ParseSpec decodes a stored task spec.
func ParseSpec(raw json.RawMessage) (TaskSpec, error) {
	var s TaskSpec
	if err := json.Unmarshal(raw, &s); err != nil {
		return s, fmt.Errorf("decode task spec: %w", err)
	}
	return s, nil
}
