package framework

import (
	"context"

	"github.com/portico-dev/portico/framework/permissions"
)

// PermissionsService authorizes a plugin's requests (see framework/permissions). With
// permission.enabled unset or false it allows everything without a call, as Backstage does.
var PermissionsService = NewServiceRef[permissions.Service]("core.permissions", ScopePlugin)

func (b *Backend) permissionFactories() []ServiceFactory {
	return []ServiceFactory{
		ServiceValue(PermissionsRegistryService, permissions.NewRegistry()),
		NewServiceFactory(PermissionsService, func(ctx context.Context, d *Deps) (permissions.Service, error) {
			cfg, err := Use(ctx, d, RootConfigService)
			if err != nil {
				return nil, err
			}
			enabled, _, err := cfg.OptionalBool("permission.enabled")
			if err != nil {
				return nil, err
			}
			if !enabled {
				return permissions.AllowAll{}, nil
			}
			disc, err := Use(ctx, d, DiscoveryService)
			if err != nil {
				return nil, err
			}
			tokens, err := Use(ctx, d, AuthService)
			if err != nil {
				return nil, err
			}
			return permissions.NewClient(permissions.ClientOptions{
				Enabled: true, PluginID: d.PluginID(), Discovery: disc, Tokens: tokens,
			}), nil
		}),
	}
}

// PermissionsRegistryService lists the permission integrations plugins mounted.
var PermissionsRegistryService = NewServiceRef[*permissions.Registry]("core.permissionsRegistry", ScopeRoot)

// MountPermissions mounts a plugin's permission integration (metadata and apply-conditions
// under /.well-known/backstage/permissions) on its router and lists it in the registry.
func MountPermissions(ctx context.Context, d *Deps, in *permissions.Integration) error {
	router, err := Use(ctx, d, HTTPRouterService)
	if err != nil {
		return err
	}
	reg, err := Use(ctx, d, PermissionsRegistryService)
	if err != nil {
		return err
	}
	in.Mount(router)
	reg.Add(d.PluginID(), in)
	return nil
}
