package model

import (
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Schema describes the expected shape of a JSON value with the subset of JSON Schema (draft-07)
// that Backstage's entity and kind schemas use. Violations are reported with ajv's wording
// ("/spec must have required property 'owner'"), since Backstage validates with ajv and its
// messages reach users and tests.
//
// A zero field imposes nothing. Schemas are read-only once handed to a [Validator].
type Schema struct {
	// Types lists the allowed JSON types: "string", "number", "integer", "boolean", "object",
	// "array", "null". Empty allows any type.
	Types []string
	// Enum lists the allowed values (compared as strings; only string values can match).
	Enum []string
	// MinLength is the minimum length of a string, in characters.
	MinLength int
	// Pattern must match somewhere in a string (use ^ and $ to anchor).
	Pattern *regexp.Regexp
	// Minimum is the inclusive minimum of a number.
	Minimum *float64
	// Required lists properties an object must have, in reporting order.
	Required []string
	// Properties describes known object properties, in checking order.
	Properties []Property
	// AdditionalProperties, when set, describes object properties not listed in Properties.
	AdditionalProperties *Schema
	// NoAdditionalProperties rejects object properties not listed in Properties.
	NoAdditionalProperties bool
	// Items describes every item of an array.
	Items *Schema
	// OneOf requires the value to match exactly one of these schemas.
	OneOf []*Schema
}

// Property is one named object property of a [Schema].
type Property struct {
	Name   string
	Schema *Schema
}

// schemaError is one violation, as ajv reports it.
type schemaError struct {
	// instancePath is ajv's instancePath: the value the keyword applies to.
	instancePath string
	// at points at the offending value: the missing property for "required", the extra
	// property for "additionalProperties".
	at      string
	message string
	params  string
}

// text formats the error as Backstage's throwAjvError does ("<path> <message> - <params>").
func (e schemaError) text(withParams bool) string {
	p := e.instancePath
	if p == "" {
		p = "<root>"
	}
	s := p + " " + e.message
	if withParams && e.params != "" {
		s += " - " + e.params
	}
	return s
}

// typeMatches reports whether v has the JSON type t.
func typeMatches(t string, v any) bool {
	switch t {
	case "integer":
		f, ok := asFloat(v)
		return ok && !math.IsInf(f, 0) && f == math.Trunc(f)
	default:
		return jsonType(v) == t
	}
}

// validate checks v against s and appends violations. skip reports paths already found invalid
// by an earlier check; those values are not checked again.
func (s *Schema) validate(v any, path string, skip func(string) bool, out []schemaError) []schemaError {
	if s == nil || (skip != nil && skip(path)) {
		return out
	}
	if len(s.Types) > 0 {
		ok := false
		for _, t := range s.Types {
			if typeMatches(t, v) {
				ok = true
				break
			}
		}
		if !ok {
			types := strings.Join(s.Types, ",")
			return append(out, schemaError{instancePath: path, at: path, message: "must be " + types, params: "type: " + types})
		}
	}
	if len(s.Enum) > 0 {
		str, isStr := v.(string)
		ok := false
		for _, e := range s.Enum {
			if isStr && str == e {
				ok = true
				break
			}
		}
		if !ok {
			out = append(out, schemaError{instancePath: path, at: path, message: "must be equal to one of the allowed values", params: "allowedValues: " + strings.Join(s.Enum, ",")})
		}
	}
	if len(s.OneOf) > 0 {
		var branchErrs []schemaError
		var passing []string
		for i, b := range s.OneOf {
			errs := b.validate(v, path, skip, nil)
			if len(errs) == 0 {
				passing = append(passing, strconv.Itoa(i))
			}
			branchErrs = append(branchErrs, errs...)
		}
		if len(passing) != 1 {
			params := "passingSchemas: null"
			if len(passing) > 1 {
				params = "passingSchemas: " + strings.Join(passing, ",")
			} else {
				out = append(out, branchErrs...)
			}
			out = append(out, schemaError{instancePath: path, at: path, message: "must match exactly one schema in oneOf", params: params})
		}
	}
	switch t := v.(type) {
	case string:
		if s.MinLength > 0 && utf8.RuneCountInString(t) < s.MinLength {
			n := strconv.Itoa(s.MinLength)
			out = append(out, schemaError{instancePath: path, at: path, message: "must NOT have fewer than " + n + " characters", params: "limit: " + n})
		}
		if s.Pattern != nil && !s.Pattern.MatchString(t) {
			p := s.Pattern.String()
			out = append(out, schemaError{instancePath: path, at: path, message: `must match pattern "` + p + `"`, params: "pattern: " + p})
		}
		return out
	case map[string]any, map[string]string:
		obj, _ := asObject(t)
		return s.validateObject(obj, path, skip, out)
	case []any, []string:
		if s.Items != nil {
			arr, _ := asArray(t)
			for i, x := range arr {
				out = s.Items.validate(x, path+"/"+strconv.Itoa(i), skip, out)
			}
		}
		return out
	}
	if f, ok := asFloat(v); ok && s.Minimum != nil && !(f >= *s.Minimum) {
		n := string(appendJSNumber(nil, *s.Minimum, false))
		out = append(out, schemaError{instancePath: path, at: path, message: "must be >= " + n, params: "comparison: >=, limit: " + n})
	}
	return out
}

func (s *Schema) validateObject(obj map[string]any, path string, skip func(string) bool, out []schemaError) []schemaError {
	for _, r := range s.Required {
		if _, ok := obj[r]; !ok {
			at := path + "/" + escapePointer(r)
			if skip == nil || !skip(at) {
				out = append(out, schemaError{instancePath: path, at: at, message: "must have required property '" + r + "'", params: "missingProperty: " + r})
			}
		}
	}
	for _, p := range s.Properties {
		if x, ok := obj[p.Name]; ok {
			out = p.Schema.validate(x, path+"/"+escapePointer(p.Name), skip, out)
		}
	}
	if s.AdditionalProperties == nil && !s.NoAdditionalProperties {
		return out
	}
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		if s.hasProperty(k) {
			continue
		}
		at := path + "/" + escapePointer(k)
		if s.NoAdditionalProperties {
			if skip != nil && skip(at) {
				continue
			}
			out = append(out, schemaError{instancePath: path, at: at, message: "must NOT have additional properties", params: "additionalProperty: " + k})
			continue
		}
		out = s.AdditionalProperties.validate(obj[k], at, skip, out)
	}
	return out
}

func (s *Schema) hasProperty(name string) bool {
	for _, p := range s.Properties {
		if p.Name == name {
			return true
		}
	}
	return false
}
