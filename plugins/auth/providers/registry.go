package providers

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/portico-dev/portico/config"
)

// ErrDuplicate is returned when a provider ID is registered twice.
var ErrDuplicate = errors.New("provider already registered")

// Factory builds one kind of sign-in provider: what a module registers through the auth
// plugin's extension point (Backstage's authProvidersExtensionPoint.registerProvider).
type Factory struct {
	// Title names the provider on the sign-in page (default: its ID).
	Title string
	// Proxy marks providers that read the identity from the request (a Proxy): their config
	// block has no per-environment level. OAuth providers are configured under
	// auth.providers.<id>.<environment>.
	Proxy bool
	// New builds the provider from its config block (nil when the provider is on without
	// configuration, as the guest is in development). It returns an OAuth or a Proxy.
	New func(id string, cfg *config.Config, opts Options) (any, error)
}

// Registry holds the provider factories by the ID they are configured under. It is a value
// owned by the auth plugin (no globals) and safe for concurrent use.
type Registry struct {
	mu        sync.RWMutex
	factories map[string]Factory
}

// NewRegistry returns a registry holding the built-in providers: guest, oauth2Proxy, github,
// oidc and the gitlab, google and microsoft presets.
func NewRegistry() *Registry {
	oidc := func(id string, cfg *config.Config, opts Options) (any, error) { return newOIDC(id, cfg, opts) }
	return &Registry{factories: map[string]Factory{
		"guest": {Title: "Guest", Proxy: true, New: func(_ string, cfg *config.Config, opts Options) (any, error) {
			return newGuest(cfg, opts)
		}},
		"oauth2Proxy": {Title: "single sign-on", Proxy: true, New: func(id string, _ *config.Config, _ Options) (any, error) {
			return oauth2Proxy{id: id}, nil
		}},
		"github": {Title: "GitHub", New: func(id string, cfg *config.Config, opts Options) (any, error) {
			return newGitHub(id, cfg, opts)
		}},
		"oidc":      {Title: "OpenID Connect", New: oidc},
		"gitlab":    {Title: "GitLab", New: oidc},
		"google":    {Title: "Google", New: oidc},
		"microsoft": {Title: "Microsoft", New: oidc},
	}}
}

// Register adds a provider under id, the key of its block in auth.providers. An ID already
// registered (a built-in included) is refused with ErrDuplicate.
func (r *Registry) Register(id string, f Factory) error {
	if strings.TrimSpace(id) == "" || strings.ContainsAny(id, "./ ") {
		return fmt.Errorf("register auth provider %q: not a valid provider ID", id)
	}
	if f.New == nil {
		return fmt.Errorf("register auth provider %q: the factory has no New", id)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.factories[id]; dup {
		return fmt.Errorf("register auth provider %q: %w", id, ErrDuplicate)
	}
	if r.factories == nil {
		r.factories = map[string]Factory{}
	}
	r.factories[id] = f
	return nil
}

// Lookup returns the factory registered under id.
func (r *Registry) Lookup(id string) (Factory, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	f, ok := r.factories[id]
	return f, ok
}

// IDs lists the registered provider IDs, sorted.
func (r *Registry) IDs() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return slices.Sorted(maps.Keys(r.factories))
}

// New builds the provider registered under id from its config block. The result is checked
// to be an OAuth or a Proxy, as the factory declared.
func (r *Registry) New(id string, cfg *config.Config, opts Options) (any, error) {
	f, ok := r.Lookup(id)
	if !ok {
		return nil, fmt.Errorf("auth.providers.%s: unknown provider (known: %s)", id, strings.Join(r.IDs(), ", "))
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = http.DefaultClient
	}
	impl, err := f.New(id, cfg, opts)
	if err != nil {
		return nil, err
	}
	_, proxy := impl.(Proxy)
	_, oauth := impl.(OAuth)
	switch {
	case f.Proxy && !proxy:
		return nil, fmt.Errorf("auth.providers.%s: the provider is declared Proxy but %T has no Authenticate", id, impl)
	case !f.Proxy && !oauth:
		return nil, fmt.Errorf("auth.providers.%s: %T is not an OAuth provider (AuthCodeURL, Exchange, Refresh)", id, impl)
	}
	return impl, nil
}
