package extension

import "slices"

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
	// Roles tell the web shell what it uses the extension for, so the shell needs no plugin's
	// IDs: a page with RoleSignIn is where visitors without credentials go, and so on.
	Roles []string
	// Renderer is the opaque payload the web shell uses to render the extension.
	Renderer any
}

// HasRole reports whether e declares role.
func (e Extension) HasRole(role string) bool { return slices.Contains(e.Roles, role) }

// Page roles: what the web shell uses a page for. The shell finds pages by role, never by ID;
// when several enabled pages declare a role, the first mounted one takes it.
const (
	// RoleSignIn: visitors without credentials are sent here (?redirect=<where they were>);
	// it is served to anyone. Without such a page the portal's pages are open to anyone.
	RoleSignIn = "sign-in"
	// RoleSignOut: the user menu's Sign out button posts here; served to anyone.
	RoleSignOut = "sign-out"
	// RoleSettings: the user menu's Settings link.
	RoleSettings = "settings"
	// RoleSearch: the header's search box and the not-found page submit ?q= here.
	RoleSearch = "search"
	// RoleSearchFallback: where searches go when no page has RoleSearch (a page that filters
	// by ?q=, such as the catalog index).
	RoleSearchFallback = "search-fallback"
	// RoleHome: where / sends people when no page is mounted at / (the home page).
	RoleHome = "home"
	// RoleIndex: where / sends people when no page is mounted at / and none has RoleHome (a
	// page listing what the portal holds, such as the catalog index).
	RoleIndex = "index"
)
