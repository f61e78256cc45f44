package permissions

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Rule is a predicate a plugin defines over its resources (R), usable in conditions: Apply
// evaluates it on one loaded resource, ToQuery turns it into the plugin's own filter type (Q)
// so a conditional decision filters a whole list in the database. Params have been checked
// against ParamsSchema before either is called.
type Rule[R, Q any] interface {
	Name() string
	Description() string
	ResourceType() string
	// ParamsSchema is a JSON Schema (draft 7) object for the params.
	ParamsSchema() map[string]any
	// ParamNames lists the params in the order older clients sent them positionally.
	ParamNames() []string
	Apply(resource R, params map[string]any) bool
	ToQuery(params map[string]any) Q
}

// RuleSpec defines a rule from functions; NewRule turns it into a Rule.
type RuleSpec[R, Q any] struct {
	Name         string
	Description  string
	ResourceType string
	// Params are the rule's params in positional order, each with its JSON Schema.
	Params  []ParamSpec
	Apply   func(resource R, params map[string]any) bool
	ToQuery func(params map[string]any) Q
}

// ParamSpec is one named param of a rule.
type ParamSpec struct {
	Name     string
	Schema   map[string]any
	Required bool
}

type specRule[R, Q any] struct{ s RuleSpec[R, Q] }

// NewRule returns the rule spec defines.
func NewRule[R, Q any](spec RuleSpec[R, Q]) Rule[R, Q] { return specRule[R, Q]{s: spec} }

func (r specRule[R, Q]) Name() string         { return r.s.Name }
func (r specRule[R, Q]) Description() string  { return r.s.Description }
func (r specRule[R, Q]) ResourceType() string { return r.s.ResourceType }
func (r specRule[R, Q]) ParamNames() []string {
	out := make([]string, len(r.s.Params))
	for i, p := range r.s.Params {
		out[i] = p.Name
	}
	return out
}
func (r specRule[R, Q]) Apply(res R, params map[string]any) bool { return r.s.Apply(res, params) }
func (r specRule[R, Q]) ToQuery(params map[string]any) Q         { return r.s.ToQuery(params) }
func (r specRule[R, Q]) ParamsSchema() map[string]any {
	props := map[string]any{}
	required := []string{}
	for _, p := range r.s.Params {
		props[p.Name] = p.Schema
		if p.Required {
			required = append(required, p.Name)
		}
	}
	return map[string]any{
		"$schema":              "http://json-schema.org/draft-07/schema#",
		"type":                 "object",
		"properties":           props,
		"required":             required,
		"additionalProperties": false,
	}
}

// RuleMetadata is a rule as listed by /.well-known/backstage/permissions/metadata.
type RuleMetadata struct {
	Name         string         `json:"name"`
	Description  string         `json:"description"`
	ResourceType string         `json:"resourceType"`
	ParamsSchema map[string]any `json:"paramsSchema"`
}

// ErrInvalidConditions is wrapped by errors about conditions a client sent: unknown rules,
// params failing a rule's schema, bad shapes. They map to 400.
var ErrInvalidConditions = errors.New("invalid conditions")

// RuleSet is the rules of one resource type, with their compiled params schemas.
type RuleSet[R, Q any] struct {
	resourceType string
	rules        map[string]Rule[R, Q]
	order        []string
	schemas      map[string]*jsonschema.Schema
}

// NewRuleSet checks and compiles rules, which must all be of resourceType.
func NewRuleSet[R, Q any](resourceType string, rules ...Rule[R, Q]) (*RuleSet[R, Q], error) {
	rs := &RuleSet[R, Q]{resourceType: resourceType, rules: map[string]Rule[R, Q]{}, schemas: map[string]*jsonschema.Schema{}}
	for _, r := range rules {
		if r.ResourceType() != resourceType {
			return nil, fmt.Errorf("rule %s is for resource type %q, not %q", r.Name(), r.ResourceType(), resourceType)
		}
		if _, dup := rs.rules[r.Name()]; dup {
			return nil, fmt.Errorf("rule %s defined twice for %s", r.Name(), resourceType)
		}
		s, err := compileSchema(r.Name(), r.ParamsSchema())
		if err != nil {
			return nil, err
		}
		rs.rules[r.Name()] = r
		rs.schemas[r.Name()] = s
		rs.order = append(rs.order, r.Name())
	}
	return rs, nil
}

func compileSchema(name string, schema map[string]any) (*jsonschema.Schema, error) {
	b, err := json.Marshal(schema)
	if err != nil {
		return nil, fmt.Errorf("rule %s: params schema: %w", name, err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("rule %s: params schema: %w", name, err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft7)
	loc := "urn:portico:permission-rule:" + name
	if err := c.AddResource(loc, doc); err != nil {
		return nil, fmt.Errorf("rule %s: params schema: %w", name, err)
	}
	s, err := c.Compile(loc)
	if err != nil {
		return nil, fmt.Errorf("rule %s: params schema: %w", name, err)
	}
	return s, nil
}

// ResourceType is the resource type the set's rules apply to.
func (rs *RuleSet[R, Q]) ResourceType() string { return rs.resourceType }

// Rule returns the named rule.
func (rs *RuleSet[R, Q]) Rule(name string) (Rule[R, Q], bool) {
	r, ok := rs.rules[name]
	return r, ok
}

// Metadata lists the rules in definition order.
func (rs *RuleSet[R, Q]) Metadata() []RuleMetadata {
	out := make([]RuleMetadata, 0, len(rs.order))
	for _, n := range rs.order {
		r := rs.rules[n]
		out = append(out, RuleMetadata{Name: n, Description: r.Description(), ResourceType: rs.resourceType, ParamsSchema: r.ParamsSchema()})
	}
	return out
}

// Names lists the rule names, sorted.
func (rs *RuleSet[R, Q]) Names() []string {
	out := append([]string(nil), rs.order...)
	sort.Strings(out)
	return out
}

// Normalize checks every condition of c against the set: the rule exists, the resource type
// (when given) matches, and the params (positional ones mapped to names) pass the rule's
// schema. It returns the tree with object params everywhere.
func (rs *RuleSet[R, Q]) Normalize(c Criteria) (Criteria, error) {
	if err := c.Validate(); err != nil {
		return c, fmt.Errorf("%w: %v", ErrInvalidConditions, err)
	}
	return rs.normalize(c)
}

func (rs *RuleSet[R, Q]) normalize(c Criteria) (Criteria, error) {
	switch {
	case c.AllOf != nil || c.AnyOf != nil:
		out := Criteria{}
		for _, pair := range []struct {
			in  []Criteria
			out *[]Criteria
		}{{c.AllOf, &out.AllOf}, {c.AnyOf, &out.AnyOf}} {
			if pair.in == nil {
				continue
			}
			*pair.out = make([]Criteria, len(pair.in))
			for i, child := range pair.in {
				n, err := rs.normalize(child)
				if err != nil {
					return c, err
				}
				(*pair.out)[i] = n
			}
		}
		return out, nil
	case c.Not != nil:
		n, err := rs.normalize(*c.Not)
		if err != nil {
			return c, err
		}
		return Not(n), nil
	}
	r, ok := rs.rules[c.Rule]
	if !ok {
		return c, fmt.Errorf("%w: unknown rule %q for resource type %s (known: %v)", ErrInvalidConditions, c.Rule, rs.resourceType, rs.Names())
	}
	if c.ResourceType != "" && c.ResourceType != rs.resourceType {
		return c, fmt.Errorf("%w: condition %s has resource type %q, want %q", ErrInvalidConditions, c.Rule, c.ResourceType, rs.resourceType)
	}
	params := c.Params
	if c.Positional != nil {
		names := r.ParamNames()
		if len(c.Positional) > len(names) {
			return c, fmt.Errorf("%w: rule %s takes %d params, got %d", ErrInvalidConditions, c.Rule, len(names), len(c.Positional))
		}
		params = map[string]any{}
		for i, v := range c.Positional {
			if v != nil {
				params[names[i]] = v
			}
		}
	}
	if params == nil {
		params = map[string]any{}
	}
	// Round-trip through JSON so Go-built params ([]string…) validate like decoded ones.
	norm, err := jsonRoundTrip(params)
	if err != nil {
		return c, fmt.Errorf("%w: rule %s: params: %v", ErrInvalidConditions, c.Rule, err)
	}
	if err := rs.schemas[c.Rule].Validate(norm); err != nil {
		return c, fmt.Errorf("%w: rule %s: params do not match its schema: %v", ErrInvalidConditions, c.Rule, err)
	}
	m, _ := norm.(map[string]any)
	return Criteria{Rule: c.Rule, ResourceType: rs.resourceType, Params: m}, nil
}

func jsonRoundTrip(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(b))
}

// Apply evaluates normalized criteria on one resource.
func (rs *RuleSet[R, Q]) Apply(c Criteria, res R) bool {
	switch {
	case c.AllOf != nil:
		for _, child := range c.AllOf {
			if !rs.Apply(child, res) {
				return false
			}
		}
		return true
	case c.AnyOf != nil:
		for _, child := range c.AnyOf {
			if rs.Apply(child, res) {
				return true
			}
		}
		return false
	case c.Not != nil:
		return !rs.Apply(*c.Not, res)
	}
	r, ok := rs.rules[c.Rule]
	return ok && r.Apply(res, c.Params)
}

// Combinators build the plugin's query type from parts.
type Combinators[Q any] struct {
	All func(qs ...Q) Q
	Any func(qs ...Q) Q
	Not func(q Q) Q
}

// ToQuery turns criteria into the plugin's query type (Backstage's condition transformer):
// allOf, anyOf and not map one to one, leaves become rule.ToQuery(params). The criteria are
// normalized (checked) first.
func (rs *RuleSet[R, Q]) ToQuery(c Criteria, comb Combinators[Q]) (Q, error) {
	var zero Q
	n, err := rs.Normalize(c)
	if err != nil {
		return zero, err
	}
	return rs.toQuery(n, comb), nil
}

func (rs *RuleSet[R, Q]) toQuery(c Criteria, comb Combinators[Q]) Q {
	switch {
	case c.AllOf != nil:
		qs := make([]Q, len(c.AllOf))
		for i, child := range c.AllOf {
			qs[i] = rs.toQuery(child, comb)
		}
		return comb.All(qs...)
	case c.AnyOf != nil:
		qs := make([]Q, len(c.AnyOf))
		for i, child := range c.AnyOf {
			qs[i] = rs.toQuery(child, comb)
		}
		return comb.Any(qs...)
	case c.Not != nil:
		return comb.Not(rs.toQuery(*c.Not, comb))
	}
	return rs.rules[c.Rule].ToQuery(c.Params)
}
