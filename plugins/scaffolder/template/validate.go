package template

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// ValidationError is one problem found validating values, in the shape of Backstage's
// (npm jsonschema) ValidationError.
type ValidationError struct {
	Path     []string `json:"path"`
	Property string   `json:"property"`
	Message  string   `json:"message"`
	Name     string   `json:"name"`
	Stack    string   `json:"stack"`
}

// ValidationErrors is a failed validation of form values.
type ValidationErrors struct {
	// Root is "instance" for parameters and "secrets" for secrets, as in Backstage.
	Root   string
	Errors []ValidationError
}

func (e *ValidationErrors) Error() string {
	msgs := make([]string, 0, len(e.Errors))
	for _, v := range e.Errors {
		msgs = append(msgs, v.Stack)
	}
	return "invalid values: " + strings.Join(msgs, "; ")
}

// CompileSchema compiles a JSON Schema given as a decoded object. ui:* and backstage:*
// keys are ignored by the validator.
func CompileSchema(schema map[string]any, name string) (*jsonschema.Schema, error) {
	doc, err := normalize(schema)
	if err != nil {
		return nil, err
	}
	renameRegexFormat(doc)
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft7)
	registerNPMFormats(c)
	url := "mem:///" + name + ".json"
	if err := c.AddResource(url, doc); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrInvalid, name, err)
	}
	s, err := c.Compile(url)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrInvalid, name, err)
	}
	return s, nil
}

// normalize round-trips v through JSON so numbers are json.Number-free float64 and maps are
// map[string]any, the shapes the validator expects.
func normalize(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return jsonschema.UnmarshalJSON(strings.NewReader(string(b)))
}

// ValidateValues checks values against every parameter page's schema, as Backstage does
// (each page sees the whole values object). It returns *ValidationErrors for invalid values.
func (t *Template) ValidateValues(values map[string]any) error {
	var all []ValidationError
	for i, page := range t.Pages {
		schema := map[string]any{}
		for k, v := range page {
			schema[k] = v
		}
		if _, ok := schema["type"]; !ok {
			schema["type"] = "object"
		}
		s, err := CompileSchema(schema, fmt.Sprintf("page-%d", i+1))
		if err != nil {
			return err
		}
		all = append(all, validateWith(s, values, "instance")...)
	}
	if len(all) > 0 {
		return &ValidationErrors{Root: "instance", Errors: all}
	}
	return nil
}

// ValidateSecrets checks secrets against spec.secrets.schema when the template has one.
func (t *Template) ValidateSecrets(secrets map[string]string) error {
	if t.SecretsSchema == nil {
		return nil
	}
	s, err := CompileSchema(t.SecretsSchema, "secrets")
	if err != nil {
		return err
	}
	v := map[string]any{}
	for k, val := range secrets {
		v[k] = val
	}
	if errs := validateWith(s, v, "secrets"); len(errs) > 0 {
		return &ValidationErrors{Root: "secrets", Errors: errs}
	}
	return nil
}

// ValidateInput checks a rendered action input against the action's JSON Schema.
func ValidateInput(schema json.RawMessage, input map[string]any) error {
	if len(schema) == 0 {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(schema, &m); err != nil {
		return fmt.Errorf("action input schema: %w", err)
	}
	s, err := CompileSchema(m, "action-input")
	if err != nil {
		return err
	}
	if errs := validateWith(s, input, "instance"); len(errs) > 0 {
		return &ValidationErrors{Root: "instance", Errors: errs}
	}
	return nil
}

func validateWith(s *jsonschema.Schema, value any, root string) []ValidationError {
	doc, err := normalize(value)
	if err != nil {
		return []ValidationError{{Property: root, Message: err.Error(), Name: "type", Stack: root + " " + err.Error()}}
	}
	err = s.Validate(doc)
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	var out []ValidationError
	var walk func(u *jsonschema.OutputUnit)
	walk = func(u *jsonschema.OutputUnit) {
		if u.Error != nil && len(u.Errors) == 0 {
			path := splitPointer(u.InstanceLocation)
			prop := root
			for _, p := range path {
				prop += "." + p
			}
			msg := u.Error.String()
			kw := u.KeywordLocation
			if i := strings.LastIndex(kw, "/"); i >= 0 {
				kw = kw[i+1:]
			}
			out = append(out, ValidationError{Path: path, Property: prop, Message: msg, Name: kw, Stack: prop + " " + msg})
		}
		for i := range u.Errors {
			walk(&u.Errors[i])
		}
	}
	walk(ve.BasicOutput())
	sort.SliceStable(out, func(i, j int) bool { return out[i].Property < out[j].Property })
	return out
}

func splitPointer(p string) []string {
	p = strings.TrimPrefix(p, "/")
	if p == "" {
		return []string{}
	}
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
	}
	return parts
}
