package extension

import "github.com/portico-dev/portico/framework/predicate"

// CompilePredicate compiles Backstage's object filter predicate, evaluated over the entity
// (predicate.CompileFunc has the language and its rules):
//
//	{kind: component, spec.type: service}      every key must match (AND)
//	{$all: [p…]} {$any: [p…]} {$not: p}         logical operators, each the only key of its object
//	{spec.type: {$in: [service, website]}}       one of the listed values
//	{spec.owner: {$exists: true}}                the path is present (or absent with false)
//	{metadata.tags: {$contains: java}}           the value is a list with a matching element
//	{spec.type: {$hasPrefix: web}}               the value is a string with that prefix
func CompilePredicate(pred map[string]any) (*EntityFilter, error) {
	m, err := predicate.CompileFunc(pred)
	if err != nil {
		return nil, err
	}
	return &EntityFilter{src: pred, m: m}, nil
}
