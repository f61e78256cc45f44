package framework

import (
	"context"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/portico-dev/portico/config"
	"github.com/portico-dev/portico/framework/auth"
)

// Core service refs, mirroring Backstage's coreServices. They are immutable identities.
var (
	RootConfigService     = NewServiceRef[*config.Config]("core.rootConfig", ScopeRoot)
	RootLoggerService     = NewServiceRef[*slog.Logger]("core.rootLogger", ScopeRoot)
	LoggerService         = NewServiceRef[*slog.Logger]("core.logger", ScopePlugin)
	RootLifecycleService  = NewServiceRef[Lifecycle]("core.rootLifecycle", ScopeRoot)
	LifecycleService      = NewServiceRef[Lifecycle]("core.lifecycle", ScopePlugin)
	RootHealthService     = NewServiceRef[*Health]("core.rootHealth", ScopeRoot)
	RootHTTPRouterService = NewServiceRef[RootHTTPRouter]("core.rootHttpRouter", ScopeRoot)
	HTTPRouterService     = NewServiceRef[HTTPRouter]("core.httpRouter", ScopePlugin)
	DiscoveryService      = NewServiceRef[Discovery]("core.discovery", ScopeRoot)
	RootMetricsService    = NewServiceRef[*prometheus.Registry]("core.rootMetrics", ScopeRoot)
	// MetricsService registers a plugin's collectors; every series gets a plugin label.
	MetricsService = NewServiceRef[prometheus.Registerer]("core.metrics", ScopePlugin)
	// PluginInfoService describes the plugin being initialised (its ID and declarations).
	PluginInfoService = NewServiceRef[Plugin]("core.pluginMetadata", ScopePlugin)
	// AuthService verifies tokens and issues service tokens for the plugin (see framework/auth).
	AuthService = NewServiceRef[auth.Service]("core.auth", ScopePlugin)
	// HTTPAuthService reads the credentials of a request to the plugin's router.
	HTTPAuthService = NewServiceRef[auth.HTTPAuth]("core.httpAuth", ScopePlugin)

	serverOptionsService = NewServiceRef[ServerOptions]("core.serverOptions", ScopeRoot)
)

func (b *Backend) coreFactories() []ServiceFactory {
	fs := []ServiceFactory{
		ServiceValue(RootConfigService, b.opts.Config),
		ServiceValue(RootLoggerService, b.opts.Logger),
		NewServiceFactory(LoggerService, func(_ context.Context, d *Deps) (*slog.Logger, error) {
			return b.opts.Logger.With("plugin", d.PluginID()), nil
		}),
		ServiceValue(RootLifecycleService, b.lifecycle.forOwner("")),
		NewServiceFactory(LifecycleService, func(_ context.Context, d *Deps) (Lifecycle, error) {
			return b.lifecycle.forOwner(d.PluginID()), nil
		}),
		NewServiceFactory(RootHealthService, func(context.Context, *Deps) (*Health, error) {
			return b.health, nil
		}),
		ServiceValue[RootHTTPRouter](RootHTTPRouterService, b.rootMux),
		NewServiceFactory(HTTPRouterService, func(_ context.Context, d *Deps) (HTTPRouter, error) {
			return b.routers.getOrCreate(d.PluginID()), nil
		}),
		ServiceValue(RootMetricsService, b.registry),
		NewServiceFactory(MetricsService, func(_ context.Context, d *Deps) (prometheus.Registerer, error) {
			return prometheus.WrapRegistererWith(prometheus.Labels{"plugin": d.PluginID()}, b.registry), nil
		}),
		NewServiceFactory(PluginInfoService, func(_ context.Context, d *Deps) (Plugin, error) {
			for _, p := range b.plugins {
				if p.ID == d.PluginID() {
					return p, nil
				}
			}
			return Plugin{ID: d.PluginID()}, nil
		}),
		NewServiceFactory(serverOptionsService, func(ctx context.Context, d *Deps) (ServerOptions, error) {
			cfg, err := Use(ctx, d, RootConfigService)
			if err != nil {
				return ServerOptions{}, err
			}
			return ServerOptionsFromConfig(cfg)
		}),
		NewServiceFactory(DiscoveryService, func(ctx context.Context, d *Deps) (Discovery, error) {
			cfg, err := Use(ctx, d, RootConfigService)
			if err != nil {
				return nil, err
			}
			return DiscoveryFromConfig(cfg, b.Addr())
		}),
	}
	fs = append(fs, b.schemaFactories()...)
	fs = append(fs, b.authFactories()...)
	fs = append(fs, b.permissionFactories()...)
	return append(fs, b.infraFactories()...)
}
