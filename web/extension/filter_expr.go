package extension

import (
	"github.com/portico-dev/portico/framework/jsvalue"

	"errors"
	"fmt"
	"strings"
	"unicode"
)

// ParseFilterExpression compiles Backstage's entity filter string syntax. Terms are separated by
// spaces and all must match (AND); each term is key:param[,param…], where commas mean OR, and a
// "not:" prefix negates the term. Keys:
//
//	kind:component,api   the entity kind, case-insensitively
//	type:service          spec.type, case-insensitively
//	is:orphan             the backstage.io/orphan annotation is set
//	has:labels,links      metadata.labels / metadata.links is non-empty
//	not:kind:api          negation of any term
//
// Unknown keys, unknown is/has parameters and malformed terms are errors (Backstage logs them and
// ignores the term; a portal config should fail loudly instead). As in Backstage, a term that
// cannot be evaluated on a malformed entity (no string kind for kind:, no metadata for is: and
// has:) makes the whole filter false, negated or not.
func ParseFilterExpression(expr string) (*EntityFilter, error) {
	terms, errs := splitFilterExpression(expr)
	matchers := make([]exprMatcher, 0, len(terms))
	for _, t := range terms {
		m, err := newTermMatcher(t)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if t.negate {
			inner := m
			m = func(e any) (bool, bool) {
				r, ok := inner(e)
				return !r, ok
			}
		}
		matchers = append(matchers, m)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return &EntityFilter{src: expr, m: func(e any) bool {
		for _, m := range matchers {
			if r, ok := m(e); !ok || !r {
				return false
			}
		}
		return true
	}}, nil
}

// exprMatcher returns the term's result, and false as second value when the entity is too
// malformed to evaluate it (where Backstage's matcher would throw).
type exprMatcher func(entity any) (match, ok bool)

type filterTerm struct {
	key    string
	params []string
	negate bool
}

func splitFilterExpression(expr string) ([]filterTerm, []error) {
	var terms []filterTerm
	var errs []error
	for _, w := range strings.Split(expr, " ") {
		w = strings.TrimFunc(w, isJSSpace)
		if w == "" {
			continue
		}
		t, ok := parseFilterTerm(w)
		if !ok {
			errs = append(errs, fmt.Errorf("'%s' is not a valid filter expression, expected 'key:parameter' form", w))
			continue
		}
		terms = append(terms, t)
	}
	return terms, errs
}

// parseFilterTerm matches Backstage's /^(not:)?([^:]+):(.+)$/: an optional "not:" prefix, a key
// without ':', then a non-empty rest without line terminators. When the prefixed reading fails
// the regexp backtracks to read "not" as the key.
func parseFilterTerm(w string) (filterTerm, bool) {
	if rest, ok := strings.CutPrefix(w, "not:"); ok {
		if key, params, ok := splitKeyParams(rest); ok {
			return filterTerm{key: key, params: params, negate: true}, true
		}
	}
	key, params, ok := splitKeyParams(w)
	if !ok {
		return filterTerm{}, false
	}
	return filterTerm{key: key, params: params}, true
}

func splitKeyParams(s string) (string, []string, bool) {
	key, rest, found := strings.Cut(s, ":")
	if !found || key == "" || rest == "" || strings.ContainsAny(rest, "\n\r\u2028\u2029") {
		return "", nil, false
	}
	var params []string
	for p := range strings.SplitSeq(rest, ",") {
		if p != "" { // Backstage silently ignores empty parameters ("a,,b")
			params = append(params, p)
		}
	}
	return key, params, true
}

func isJSSpace(r rune) bool { return unicode.IsSpace(r) || r == '\uFEFF' }

func newTermMatcher(t filterTerm) (exprMatcher, error) {
	switch t.key {
	case "kind":
		return kindMatcher(t.params), nil
	case "type":
		return typeMatcher(t.params), nil
	case "is":
		return namedMatchers("is", t.params, isMatchers())
	case "has":
		return namedMatchers("has", t.params, hasMatchers())
	}
	return nil, fmt.Errorf("'%s' is not a valid filter expression key, expected one of 'kind','type','is','has'", t.key)
}

func kindMatcher(kinds []string) exprMatcher {
	return func(e any) (bool, bool) {
		kind, ok := lookupString(e, "kind")
		if !ok {
			return false, false
		}
		return containsFold(kinds, kind), true
	}
}

func typeMatcher(types []string) exprMatcher {
	return func(e any) (bool, bool) {
		typ, ok := lookupString(e, "spec", "type")
		return ok && containsFold(types, typ), true
	}
}

func containsFold(list []string, s string) bool {
	for _, item := range list {
		if strings.EqualFold(item, s) {
			return true
		}
	}
	return false
}

type namedMatcher struct {
	name  string
	match func(metadata map[string]any) bool
}

// isMatchers and hasMatchers are functions, not package variables, to keep the tables immutable.
func isMatchers() []namedMatcher {
	return []namedMatcher{
		{"orphan", func(md map[string]any) bool {
			ann, _ := md["annotations"].(map[string]any)
			return jsvalue.Truthy(ann["backstage.io/orphan"])
		}},
	}
}

func hasMatchers() []namedMatcher {
	return []namedMatcher{
		{"labels", func(md map[string]any) bool { return jsLength(md["labels"]) > 0 }},
		{"links", func(md map[string]any) bool { return jsLength(md["links"]) > 0 }},
	}
}

// namedMatchers builds an is:/has: term: any of the named checks (OR), each reading the
// entity's metadata, which must be present.
func namedMatchers(key string, params []string, known []namedMatcher) (exprMatcher, error) {
	var chosen []func(map[string]any) bool
	var errs []error
	for _, p := range params {
		i := indexFold(known, p)
		if i < 0 {
			names := make([]string, len(known))
			for j, k := range known {
				names[j] = "'" + k.name + "'"
			}
			errs = append(errs, fmt.Errorf("'%s' is not a valid parameter for '%s' filter expressions, expected one of %s",
				p, key, strings.Join(names, ",")))
			continue
		}
		chosen = append(chosen, known[i].match)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return func(e any) (bool, bool) {
		if len(chosen) == 0 {
			return true, true
		}
		obj, _ := e.(map[string]any)
		raw, present := obj["metadata"]
		if !present || raw == nil {
			return false, false
		}
		md, _ := raw.(map[string]any)
		for _, m := range chosen {
			if m(md) {
				return true, true
			}
		}
		return false, true
	}, nil
}

func indexFold(known []namedMatcher, name string) int {
	for i, k := range known {
		if strings.EqualFold(k.name, name) {
			return i
		}
	}
	return -1
}

// jsLength mirrors how Backstage counts labels (object keys) and links (array length).
func jsLength(v any) int {
	switch x := v.(type) {
	case map[string]any:
		return len(x)
	case []any:
		return len(x)
	case string:
		return len(x)
	}
	return 0
}
