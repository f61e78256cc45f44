package framework

import (
	"context"
	"fmt"
	"net/http"

	"github.com/portico-dev/portico/framework/auth"
)

// RootAuthService is the backend-wide part of auth: backend.auth config, the remote key set
// cache, and the web middleware that reads the identity cookie.
var RootAuthService = NewServiceRef[*auth.Root]("core.rootAuth", ScopeRoot)

// routeGuard is what the plugin router needs from the plugin's auth service to apply the
// credentials barrier (auth.PluginService provides it).
type routeGuard interface {
	Guard(w http.ResponseWriter, r *http.Request, allow string) (*http.Request, bool)
}

func (b *Backend) authFactories() []ServiceFactory {
	return []ServiceFactory{
		NewServiceFactory(RootAuthService, func(ctx context.Context, d *Deps) (*auth.Root, error) {
			cfg, log, _, err := rootBasics(ctx, d)
			if err != nil {
				return nil, err
			}
			disc, err := Use(ctx, d, DiscoveryService)
			if err != nil {
				return nil, err
			}
			ac, err := AuthConfigFromConfig(cfg)
			if err != nil {
				return nil, fmt.Errorf("backend.auth: %w", err)
			}
			if ac.DangerouslyDisableDefaultAuthPolicy {
				log.Warn("backend.auth.dangerouslyDisableDefaultAuthPolicy is set: every API route is open to anonymous callers")
			}
			return auth.NewRoot(auth.RootOptions{Config: ac, Discovery: disc, Logger: log.With("service", "auth"), Plugins: remotePlugins(disc)}), nil
		}),
		NewServiceFactory(AuthService, func(ctx context.Context, d *Deps) (auth.Service, error) {
			r := Resolve(ctx, d)
			root := Need(r, RootAuthService)
			db := Need(r, DatabaseService)
			if err := r.Err(); err != nil {
				return nil, err
			}
			keys, err := auth.NewKeyStore(ctx, db, auth.KeyStoreOptions{})
			if err != nil {
				return nil, err
			}
			return root.ForPlugin(d.PluginID(), keys), nil
		}),
		NewServiceFactory(HTTPAuthService, func(ctx context.Context, d *Deps) (auth.HTTPAuth, error) {
			svc, err := Use(ctx, d, AuthService)
			if err != nil {
				return nil, err
			}
			ps, ok := svc.(*auth.PluginService)
			if !ok {
				return nil, fmt.Errorf("httpAuth: the auth service is %T, want *auth.PluginService", svc)
			}
			return auth.NewHTTPAuth(ps), nil
		}),
	}
}

// attachAuth gives a plugin's router its credentials barrier and mounts the framework-owned
// auth routes: the open JWKS of the plugin's service keys and the limited-token cookie.
// Every plugin gets a router for this, so its JWKS is reachable even when it serves no API.
func (b *Backend) attachAuth(ctx context.Context, pluginID string) error {
	deps := &Deps{c: b.container, pluginID: pluginID}
	svc, err := Use(ctx, deps, AuthService)
	if err != nil {
		return fmt.Errorf("plugin %s: %w", pluginID, err)
	}
	guard, ok := svc.(routeGuard)
	if !ok {
		return fmt.Errorf("plugin %s: auth service %T cannot guard routes", pluginID, svc)
	}
	r := b.routers.getOrCreate(pluginID)
	r.setGuard(guard)
	if ps, ok := svc.(*auth.PluginService); ok {
		r.Handle("GET "+auth.PluginJWKSPath, ps.JWKSHandler())
		r.AddAuthPolicy(AuthPolicy{Path: auth.PluginJWKSPath, Allow: auth.AllowUnauthenticated})
		issue, clear := ps.CookieHandlers()
		r.Handle("GET /.backstage/auth/v1/cookie", issue)
		r.Handle("DELETE /.backstage/auth/v1/cookie", clear)
	}
	return nil
}

// attachWebAuth makes the root router put the identity cookie's credentials into page requests.
func (b *Backend) attachWebAuth(ctx context.Context) error {
	root, err := Use(ctx, &Deps{c: b.container}, RootAuthService)
	if err != nil {
		return err
	}
	b.rootMux.setWebAuth(root.WebMiddleware)
	return nil
}

// remotePlugins are the plugins other backends serve, named in discovery.endpoints: their
// tokens are verified besides this backend's own plugins (which the auth root learns as their
// services are made). A "*" entry names no plugin: a token from a plugin nobody listed makes
// no key set fetch.
func remotePlugins(disc Discovery) []string {
	hd, ok := disc.(HostDiscovery)
	if !ok {
		return nil
	}
	var ids []string
	for _, e := range hd.Endpoints {
		for _, p := range e.Plugins {
			if p != "*" {
				ids = append(ids, p)
			}
		}
	}
	return ids
}
