package extension

// RootID is the implicit root of every extension tree. Extensions attach to it (typically the
// app shell, input "app"); it cannot be declared, configured or disabled.
const RootID = "root"

// AttachTo names the parent extension and the parent's input an extension plugs into.
type AttachTo struct {
	ID    string
	Input string
}

// Extension is one declared piece of UI. Plugins return these as values; the app collects them
// and passes them to [Resolve].
type Extension struct {
	// ID in the form [kind:][namespace][/name], e.g. "entity-card:catalog/about".
	ID string
	// AttachTo is the default parent and input; app.extensions may change it.
	AttachTo AttachTo
	// Disabled is the default state; app.extensions may flip it.
	Disabled bool
	// ConfigSchema is an optional JSON Schema document (JSON text) for the extension's config.
	// Property "default" values are filled in before validation. Empty means the extension takes
	// no config beyond an empty object.
	ConfigSchema string
	// Filter is the default entity filter: a filter string, an object predicate
	// (map[string]any), or nil for "every entity". A "filter" key in the resolved config
	// overrides it.
	Filter any
	// Renderer is the opaque payload the web shell uses to render the extension.
	Renderer any
}
