package extension

import "fmt"

// EntityFilter decides whether an entity card, tab or other entity-scoped extension applies to
// an entity. Compile it once with [CompileEntityFilter] and evaluate it with Match; a nil
// *EntityFilter matches every entity. It is immutable and safe for concurrent use.
type EntityFilter struct {
	src any
	m   func(entity any) bool
}

// CompileEntityFilter compiles a filter as it appears in config or in an extension's default:
// a string in the filter expression syntax (see [ParseFilterExpression]), an object predicate
// (see [CompilePredicate]), or nil, which yields a nil filter that matches every entity.
func CompileEntityFilter(v any) (*EntityFilter, error) {
	switch f := v.(type) {
	case nil:
		return nil, nil
	case string:
		return ParseFilterExpression(f)
	case map[string]any:
		return CompilePredicate(f)
	case *EntityFilter:
		return f, nil
	}
	return nil, fmt.Errorf("must be a filter string or a predicate object, got %s", typeName(v))
}

// Match reports whether entity (an entity decoded from JSON or YAML into map[string]any) passes
// the filter.
func (f *EntityFilter) Match(entity map[string]any) bool {
	if f == nil {
		return true
	}
	return f.m(entity)
}

// Source returns the string or predicate object the filter was compiled from.
func (f *EntityFilter) Source() any {
	if f == nil {
		return nil
	}
	return f.src
}
