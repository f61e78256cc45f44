// Package model is Portico's Backstage-compatible software catalog entity model: the entity
// envelope, the built-in kinds and their validation, entity references, relations, location
// references and the YAML descriptor parser.
//
// The package does no I/O. The ingestion engine, the REST API and `portico catalog validate`
// all build on it, so its behaviour follows Backstage's packages/catalog-model and the
// catalog backend's default policies and BuiltinKindsEntityProcessor closely, including the
// wording of error messages that clients and existing tooling may depend on.
//
// # Values and entities
//
// Validation works on the generic JSON form of an entity (the value produced by
// encoding/json into an `any`, or by [ParseDescriptor]): nil, bool, float64, string, []any and
// map[string]any. Working on that form lets the checks see exactly what the author wrote (an
// unquoted `true` annotation, a number where a string belongs), as Backstage's checks do on
// JavaScript objects. [Entity] is the typed form; it keeps unknown fields of the root, of
// metadata and of spec, so decoding and encoding again loses nothing.
//
// The usual flow for one entity:
//
//	docs := model.ParseDescriptor(data, model.ParseOptions{})
//	v := model.NewValidator(model.Options{})
//	for _, d := range docs {
//		problems := v.CheckDocument(&d) // parse, envelope, policy, kind and relation problems, with lines
//		...
//	}
//
// or, step by step: [Validator.ValidateValue] (all problems), [DecodeEntity] (typed form),
// [SetDefaults] (namespace default), [Validator.Relations] (both directions of every relation).
//
// # Problems
//
// Every check reports [Problem] values instead of stopping at the first failure, so a caller
// can show all problems of an entity at once. Problems are ordered as Backstage runs its
// checks, so the first problem is the one Backstage itself would report; [Problem.ProcessingError]
// builds the error Backstage's processing orchestrator would store for it.
package model
