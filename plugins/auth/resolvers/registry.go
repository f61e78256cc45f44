package resolvers

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
)

// ErrDuplicate is returned when a resolver name is registered twice or names a built-in.
var ErrDuplicate = errors.New("sign-in resolver already registered")

// Func is a sign-in resolver a module adds (Backstage's custom SignInResolver): it maps what
// the provider said (info) to an identity, usually through lookup's catalog helpers. c is its
// entry of signIn.resolvers (c.Options holds the whole entry). An error wrapping ErrNotFound
// passes to the next configured resolver; one wrapping ErrRefused refuses sign-in with its
// message; any other error fails the sign-in as a server error.
type Func func(ctx context.Context, info Info, c Config, lookup Lookup) (Identity, error)

// Lookup is what a custom resolver may ask of the catalog (Backstage's AuthResolverContext).
type Lookup interface {
	// SignInWithCatalogUser returns the identity of the User entity named by name ("jane",
	// "dev/jane" or "user:dev/jane"): its ref and its groups as ownership refs. It fails with
	// ErrNotFound when the catalog has no such user.
	SignInWithCatalogUser(ctx context.Context, name string) (Identity, error)
	// FindCatalogUser returns the identity of the one User entity matching a Backstage filter
	// ("spec.profile.email=jane@example.com"): ErrNotFound when none does, ErrRefused when
	// several do.
	FindCatalogUser(ctx context.Context, filter string) (Identity, error)
}

// SignInWithCatalogUser implements Lookup.
func (r Resolver) SignInWithCatalogUser(ctx context.Context, name string) (Identity, error) {
	return r.byName(ctx, name)
}

// FindCatalogUser implements Lookup.
func (r Resolver) FindCatalogUser(ctx context.Context, filter string) (Identity, error) {
	return r.findOne(ctx, filter)
}

var _ Lookup = Resolver{}

// Registry holds the resolvers modules add, by the name signIn.resolvers[].resolver uses. It
// is a value owned by the auth plugin and safe for concurrent use; the nil Registry is empty.
type Registry struct {
	mu     sync.RWMutex
	custom map[string]Func
}

// Register adds a resolver under name. A built-in name or one already registered is refused
// with ErrDuplicate.
func (r *Registry) Register(name string, f Func) error {
	if strings.TrimSpace(name) == "" || f == nil {
		return fmt.Errorf("register sign-in resolver %q: empty name or nil function", name)
	}
	if slices.Contains(Known, name) {
		return fmt.Errorf("register sign-in resolver %q: %w (built-in)", name, ErrDuplicate)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.custom[name]; dup {
		return fmt.Errorf("register sign-in resolver %q: %w", name, ErrDuplicate)
	}
	if r.custom == nil {
		r.custom = map[string]Func{}
	}
	r.custom[name] = f
	return nil
}

// Lookup returns the resolver registered under name.
func (r *Registry) Lookup(name string) (Func, bool) {
	if r == nil {
		return nil, false
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	f, ok := r.custom[name]
	return f, ok
}

// Names lists every resolver name a config may use: the built-ins, then the registered ones
// sorted.
func (r *Registry) Names() []string {
	out := slices.Clone(Known)
	if r == nil {
		return out
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	return append(out, slices.Sorted(maps.Keys(r.custom))...)
}
