// Package extension is Portico's declarative UI extension model, the server-side twin of
// Backstage's new frontend system.
//
// Plugins declare UI pieces as [Extension] values (pages, nav items, entity cards, entity tabs,
// entity header actions…), each with a Backstage-style ID such as "entity-card:catalog/about",
// a default attachment point (parent ID and input name), a default enabled state, an optional
// JSON Schema for its config and an opaque renderer payload. There is no global registry: the
// app collects the values from its plugin list and calls [Resolve].
//
// The app-config list app.extensions is read with [ParseOverrides] and applied by [Resolve]
// with Backstage's rules: entries override by ID, true/false toggle, the object form may set
// disabled, attachTo and config (config is replaced, not merged), unknown IDs are errors, and
// extensions named in the list come first in their parent's input, in list order, which is how
// integrators reorder nav items, cards and tabs. Only enabled extensions whose chain of parents
// reaches [RootID] are kept.
//
// Entity cards and tabs may carry an entity filter, either the string syntax
// ("kind:component,api type:service not:is:orphan") or the object predicate form
// ({kind: component, spec.type: {$in: [service, website]}}). [CompileEntityFilter] compiles
// either once; [Node.Matches] evaluates it against an entity decoded as map[string]any.
//
// The package is pure: no HTTP, templates or I/O. The web shell decides how a kept node renders;
// this package decides which nodes render where, in which order, with which config, and for
// which entities.
package extension
