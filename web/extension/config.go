package extension

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// configSchema is an extension's compiled config schema with its raw document, which the
// defaulting walk reads.
type configSchema struct {
	doc      any
	compiled *jsonschema.Schema
}

func compileConfigSchema(id, src string) (*configSchema, error) {
	if strings.TrimSpace(src) == "" {
		return nil, nil
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(src))
	if err != nil {
		return nil, fmt.Errorf("parse config schema: %w", err)
	}
	loc := "https://portico.invalid/extensions/" + url.PathEscape(id) + "/config.schema.json"
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(loc, doc); err != nil {
		return nil, fmt.Errorf("load config schema: %w", err)
	}
	compiled, err := c.Compile(loc)
	if err != nil {
		return nil, fmt.Errorf("compile config schema: %w", err)
	}
	return &configSchema{doc: doc, compiled: compiled}, nil
}

// resolveConfig copies cfg, fills in schema defaults and validates the result. Validation
// failures come back one per failing value, each keyed by its path under "config".
func (s *configSchema) resolveConfig(cfg map[string]any) (map[string]any, []keyedError) {
	out, _ := deepCopy(cfg).(map[string]any)
	if out == nil {
		out = map[string]any{}
	}
	if s == nil {
		return out, nil
	}
	out, _ = applyDefaults(s.doc, out).(map[string]any)
	err := s.compiled.Validate(out)
	if err == nil {
		return out, nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return out, []keyedError{{key: "config", err: err}}
	}
	printer := message.NewPrinter(language.English)
	var errs []keyedError
	for _, leaf := range validationLeaves(ve) {
		key := "config"
		if len(leaf.InstanceLocation) > 0 {
			key += "." + strings.Join(leaf.InstanceLocation, ".")
		}
		errs = append(errs, keyedError{key: key, err: errors.New(leaf.ErrorKind.LocalizedString(printer))})
	}
	return out, errs
}

type keyedError struct {
	key string
	err error
}

func validationLeaves(ve *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(ve.Causes) == 0 {
		return []*jsonschema.ValidationError{ve}
	}
	var out []*jsonschema.ValidationError
	for _, c := range ve.Causes {
		out = append(out, validationLeaves(c)...)
	}
	return out
}

// applyDefaults fills in "default" values of object properties that are missing, recursing into
// present objects and into array items. It follows "properties" and "items" only ($ref and
// combinators are not followed), which covers extension config schemas.
func applyDefaults(schema, value any) any {
	sch, ok := schema.(map[string]any)
	if !ok {
		return value
	}
	switch v := value.(type) {
	case map[string]any:
		props, _ := sch["properties"].(map[string]any)
		for name, ps := range props {
			psm, _ := ps.(map[string]any)
			if cur, present := v[name]; present {
				v[name] = applyDefaults(psm, cur)
			} else if def, has := psm["default"]; has {
				v[name] = applyDefaults(psm, deepCopy(def))
			}
		}
	case []any:
		if items, ok := sch["items"].(map[string]any); ok {
			for i := range v {
				v[i] = applyDefaults(items, v[i])
			}
		}
	}
	return value
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}
