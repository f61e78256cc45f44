package permissions

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// maxCriteriaDepth bounds nesting so a hostile body cannot exhaust the stack.
const maxCriteriaDepth = 32

// Criteria is a boolean tree of conditions: exactly one of AllOf (every child), AnyOf (some
// child), Not (negation) or a leaf condition (Rule with its Params).
type Criteria struct {
	AllOf []Criteria `json:"allOf,omitempty"`
	AnyOf []Criteria `json:"anyOf,omitempty"`
	Not   *Criteria  `json:"not,omitempty"`

	Rule         string         `json:"rule,omitempty"`
	ResourceType string         `json:"resourceType,omitempty"`
	Params       map[string]any `json:"params,omitempty"`
	// Positional holds params of the older wire format (a JSON array); rules map them to
	// their named params in order (see RuleSet.Normalize).
	Positional []any `json:"-"`
}

// Condition returns a leaf criteria.
func Condition(resourceType, rule string, params map[string]any) Criteria {
	return Criteria{Rule: rule, ResourceType: resourceType, Params: params}
}

// AllOf returns the conjunction of cs.
func AllOf(cs ...Criteria) Criteria { return Criteria{AllOf: cs} }

// AnyOf returns the disjunction of cs.
func AnyOf(cs ...Criteria) Criteria { return Criteria{AnyOf: cs} }

// Not returns the negation of c.
func Not(c Criteria) Criteria { return Criteria{Not: &c} }

// IsLeaf reports whether c is a condition.
func (c Criteria) IsLeaf() bool { return c.Rule != "" }

// Validate checks the tree's shape: one kind per node, non-empty allOf/anyOf, bounded depth.
func (c Criteria) Validate() error { return c.validate(0) }

func (c Criteria) validate(depth int) error {
	if depth > maxCriteriaDepth {
		return fmt.Errorf("conditions nest deeper than %d levels", maxCriteriaDepth)
	}
	kinds := 0
	if c.AllOf != nil {
		kinds++
	}
	if c.AnyOf != nil {
		kinds++
	}
	if c.Not != nil {
		kinds++
	}
	if c.Rule != "" {
		kinds++
	}
	if kinds != 1 {
		return fmt.Errorf("invalid conditions: each node must be exactly one of allOf, anyOf, not or a rule condition")
	}
	for _, list := range [][]Criteria{c.AllOf, c.AnyOf} {
		if list != nil && len(list) == 0 {
			return fmt.Errorf("invalid conditions: allOf and anyOf need at least one element")
		}
		for _, child := range list {
			if err := child.validate(depth + 1); err != nil {
				return err
			}
		}
	}
	if c.Not != nil {
		return c.Not.validate(depth + 1)
	}
	return nil
}

// UnmarshalJSON reads both wire formats: params as an object (current) or as a positional
// array (older servers, which also left out resourceType).
func (c *Criteria) UnmarshalJSON(b []byte) error {
	return c.unmarshal(b, 0)
}

func (c *Criteria) unmarshal(b []byte, depth int) error {
	if depth > maxCriteriaDepth {
		return fmt.Errorf("conditions nest deeper than %d levels", maxCriteriaDepth)
	}
	var raw struct {
		AllOf        []json.RawMessage `json:"allOf"`
		AnyOf        []json.RawMessage `json:"anyOf"`
		Not          json.RawMessage   `json:"not"`
		Rule         string            `json:"rule"`
		ResourceType string            `json:"resourceType"`
		Params       json.RawMessage   `json:"params"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*c = Criteria{Rule: raw.Rule, ResourceType: raw.ResourceType}
	list := func(in []json.RawMessage) ([]Criteria, error) {
		if in == nil {
			return nil, nil
		}
		out := make([]Criteria, len(in))
		for i, r := range in {
			if err := out[i].unmarshal(r, depth+1); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	var err error
	if c.AllOf, err = list(raw.AllOf); err != nil {
		return err
	}
	if c.AnyOf, err = list(raw.AnyOf); err != nil {
		return err
	}
	if n := bytes.TrimSpace(raw.Not); len(n) > 0 && !bytes.Equal(n, []byte("null")) {
		c.Not = &Criteria{}
		if err := c.Not.unmarshal(n, depth+1); err != nil {
			return err
		}
	}
	p := bytes.TrimSpace(raw.Params)
	switch {
	case len(p) == 0 || bytes.Equal(p, []byte("null")):
	case p[0] == '[':
		if err := json.Unmarshal(p, &c.Positional); err != nil {
			return fmt.Errorf("condition %q: params: %w", c.Rule, err)
		}
	default:
		if err := json.Unmarshal(p, &c.Params); err != nil {
			return fmt.Errorf("condition %q: params must be an object: %w", c.Rule, err)
		}
	}
	return nil
}
