package framework

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
)

// Scope says how many instances of a service exist.
type Scope int

const (
	// ScopeRoot services exist once per backend and may depend on root services only.
	ScopeRoot Scope = iota
	// ScopePlugin services exist once per plugin that uses them; modules share their plugin's.
	ScopePlugin
)

func (s Scope) String() string {
	if s == ScopeRoot {
		return "root"
	}
	return "plugin"
}

// ServiceRef is the typed identity of a service. Plugins depend on refs, never on factories.
type ServiceRef[T any] struct {
	id    string
	scope Scope
}

// NewServiceRef declares a service. IDs are dotted, e.g. "core.logger" or "catalog.client".
func NewServiceRef[T any](id string, scope Scope) ServiceRef[T] {
	return ServiceRef[T]{id: id, scope: scope}
}

// ID returns the service ID.
func (r ServiceRef[T]) ID() string { return r.id }

// Scope returns the service scope.
func (r ServiceRef[T]) Scope() Scope { return r.scope }

// ServiceFactory builds instances of one service. Added to a backend, a factory replaces any
// earlier factory for the same ref (so a custom main can swap a core service).
type ServiceFactory struct {
	id     string
	scope  Scope
	create func(ctx context.Context, deps *Deps) (any, error)
}

func (ServiceFactory) feature() {}

// NewServiceFactory returns the factory of ref's service. For plugin-scoped refs fn runs once
// per plugin, and deps.PluginID() names it.
func NewServiceFactory[T any](ref ServiceRef[T], fn func(ctx context.Context, deps *Deps) (T, error)) ServiceFactory {
	return ServiceFactory{id: ref.id, scope: ref.scope, create: func(ctx context.Context, deps *Deps) (any, error) {
		return fn(ctx, deps)
	}}
}

// ServiceValue returns a factory that always yields v (handy in tests and custom mains).
func ServiceValue[T any](ref ServiceRef[T], v T) ServiceFactory {
	return NewServiceFactory(ref, func(context.Context, *Deps) (T, error) { return v, nil })
}

// container creates and caches service instances and detects missing factories and cycles.
type container struct {
	mu        sync.Mutex
	factories map[string]ServiceFactory
	root      map[string]any
	plugin    map[string]map[string]any // pluginID → service ID → instance
}

func newContainer() *container {
	return &container{
		factories: map[string]ServiceFactory{},
		root:      map[string]any{},
		plugin:    map[string]map[string]any{},
	}
}

func (c *container) add(f ServiceFactory) { c.factories[f.id] = f }

// Deps is what a factory or an init function resolves its dependencies through.
type Deps struct {
	c        *container
	pluginID string   // "" for root scope
	chain    []string // services being constructed, for cycle reports
	ext      *extensionScope
}

// PluginID is the plugin the dependencies are resolved for ("" in root scope).
func (d *Deps) PluginID() string { return d.pluginID }

// Use resolves a service for the caller's scope, creating it on first use.
func Use[T any](ctx context.Context, d *Deps, ref ServiceRef[T]) (T, error) {
	var zero T
	v, err := d.c.resolve(ctx, d, ref.id, ref.scope)
	if err != nil {
		return zero, err
	}
	t, ok := v.(T)
	if !ok {
		return zero, fmt.Errorf("service %q: factory produced %T, want %T", ref.id, v, zero)
	}
	return t, nil
}

// Resolver resolves several services in a row for one init function or factory and keeps the
// first error, so the caller checks once (like bufio.Scanner's Err):
//
//	r := framework.Resolve(ctx, d)
//	log := framework.Need(r, framework.LoggerService)
//	db := framework.Need(r, framework.DatabaseService)
//	if err := r.Err(); err != nil {
//		return err
//	}
//
// After the first failure Need resolves nothing more and returns zero values.
type Resolver struct {
	ctx context.Context
	d   *Deps
	err error
}

// Resolve returns a Resolver over d.
func Resolve(ctx context.Context, d *Deps) *Resolver { return &Resolver{ctx: ctx, d: d} }

// Need resolves ref through r (see Use); on failure it records the error and returns the zero T.
func Need[T any](r *Resolver, ref ServiceRef[T]) T {
	var zero T
	if r.err != nil {
		return zero
	}
	v, err := Use(r.ctx, r.d, ref)
	if err != nil {
		r.err = err
		return zero
	}
	return v
}

// Err is the first error of the Need calls made through r, nil when every service resolved.
func (r *Resolver) Err() error { return r.err }

// ErrNotRegistered is wrapped by the error of Use when the backend has no factory for the
// service asked for. To tell an absent optional service from a failing one, use UseOptional:
// a factory that fails because one of ITS dependencies is missing wraps ErrNotRegistered too.
var ErrNotRegistered = errors.New("has no factory")

// UseOptional resolves a service the caller can do without: ok is false (and err nil) when the
// backend has no factory for ref. A factory that exists but fails is an error, which stops
// start-up like any error from Use; it never reads as "absent".
func UseOptional[T any](ctx context.Context, d *Deps, ref ServiceRef[T]) (v T, ok bool, err error) {
	if !d.c.has(ref.id) {
		return v, false, nil
	}
	v, err = Use(ctx, d, ref)
	return v, err == nil, err
}

func (c *container) has(id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.factories[id]
	return ok
}

func (d *Deps) where() string {
	if d.pluginID == "" {
		return "root"
	}
	return fmt.Sprintf("plugin %q", d.pluginID)
}

func (c *container) resolve(ctx context.Context, d *Deps, id string, scope Scope) (any, error) {
	for _, s := range d.chain {
		if s == id {
			return nil, fmt.Errorf("%s: service dependency cycle: %s -> %s", d.where(), strings.Join(d.chain, " -> "), id)
		}
	}
	c.mu.Lock()
	f, ok := c.factories[id]
	c.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("%s: service %q %w (add one to the backend)", d.where(), id, ErrNotRegistered)
	}
	if f.scope != scope {
		return nil, fmt.Errorf("%s: service %q is %s-scoped but its factory is %s-scoped", d.where(), id, scope, f.scope)
	}
	if f.scope == ScopePlugin && d.pluginID == "" {
		return nil, fmt.Errorf("root: root service cannot depend on plugin service %q", id)
	}
	cache, owner := c.root, ""
	if f.scope == ScopePlugin {
		owner = d.pluginID
	}
	c.mu.Lock()
	if f.scope == ScopePlugin {
		cache = c.plugin[owner]
		if cache == nil {
			cache = map[string]any{}
			c.plugin[owner] = cache
		}
	}
	v, done := cache[id]
	c.mu.Unlock()
	if done {
		return v, nil
	}
	child := &Deps{c: c, pluginID: owner, chain: append(append([]string(nil), d.chain...), id)}
	v, err := f.create(ctx, child)
	if err != nil {
		return nil, fmt.Errorf("%s: create service %q: %w", d.where(), id, err)
	}
	c.mu.Lock()
	cache[id] = v
	c.mu.Unlock()
	return v, nil
}
