package framework

import (
	"context"
	"fmt"
	"io/fs"
	"regexp"
)

// Feature is something added to a backend: a Plugin, a Module or a ServiceFactory.
type Feature interface{ feature() }

// Plugin is a unit with its own ID, HTTP base path (/api/<ID>), database, logger and cache
// namespace. Register declares what the plugin provides and the init that wires it up.
type Plugin struct {
	ID string
	// ConfigSchema is a JSON Schema for the plugin's part of app-config (may be nil).
	ConfigSchema []byte
	// Migrations holds the plugin's SQL migrations (sqlite/NNNN_x.sql, postgres/NNNN_x.sql),
	// applied when its database service is first created and by `portico db migrate`.
	Migrations fs.FS
	Register   func(r *PluginRegistrar)
}

func (Plugin) feature() {}

// Module extends one plugin through the extension points that plugin provides.
type Module struct {
	PluginID     string
	ModuleID     string
	ConfigSchema []byte
	Register     func(r *ModuleRegistrar)
}

func (Module) feature() {}

// InitFunc wires up a plugin or module; deps resolves services for the plugin's scope.
type InitFunc func(ctx context.Context, deps *Deps) error

// ExtensionPointRef is the typed identity of an extension point.
type ExtensionPointRef[T any] struct{ id string }

// NewExtensionPointRef declares an extension point, e.g. "catalog.processing".
func NewExtensionPointRef[T any](id string) ExtensionPointRef[T] { return ExtensionPointRef[T]{id: id} }

// ID returns the extension point ID.
func (r ExtensionPointRef[T]) ID() string { return r.id }

// extensionScope holds the extension points of one plugin, open only while modules init.
type extensionScope struct {
	points map[string]any
	closed bool
}

// PluginRegistrar is what Plugin.Register receives.
type PluginRegistrar struct {
	pluginID string
	ext      *extensionScope
	inits    []InitFunc
	err      error
}

// RegisterInit adds the plugin's init. It runs after every module of the plugin has run its own.
func (r *PluginRegistrar) RegisterInit(fn InitFunc) { r.inits = append(r.inits, fn) }

// ProvideExtensionPoint makes impl available to the plugin's modules under ref.
func ProvideExtensionPoint[T any](r *PluginRegistrar, ref ExtensionPointRef[T], impl T) {
	if _, dup := r.ext.points[ref.id]; dup {
		r.err = fmt.Errorf("plugin %q: extension point %q provided twice", r.pluginID, ref.id)
		return
	}
	r.ext.points[ref.id] = impl
}

// ModuleRegistrar is what Module.Register receives.
type ModuleRegistrar struct {
	inits []InitFunc
}

// RegisterInit adds the module's init. It runs before its plugin's init, and may use the
// plugin's extension points through UseExtensionPoint.
func (r *ModuleRegistrar) RegisterInit(fn InitFunc) { r.inits = append(r.inits, fn) }

// UseExtensionPoint returns the implementation of an extension point of the module's plugin.
// It is only valid inside a module init; afterwards the plugin has consumed what was added.
func UseExtensionPoint[T any](d *Deps, ref ExtensionPointRef[T]) (T, error) {
	var zero T
	if d.ext == nil {
		return zero, fmt.Errorf("%s: extension point %q used outside a module init", d.where(), ref.id)
	}
	if d.ext.closed {
		return zero, fmt.Errorf("%s: extension point %q used after the plugin started", d.where(), ref.id)
	}
	v, ok := d.ext.points[ref.id]
	if !ok {
		return zero, fmt.Errorf("%s: plugin provides no extension point %q", d.where(), ref.id)
	}
	t, ok := v.(T)
	if !ok {
		return zero, fmt.Errorf("%s: extension point %q is %T, want %T", d.where(), ref.id, v, zero)
	}
	return t, nil
}

var idPattern = regexp.MustCompile(`^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$`)

// ValidID reports whether id is usable as a plugin or module ID (lower-case, dash separated).
func ValidID(id string) bool { return idPattern.MatchString(id) }
