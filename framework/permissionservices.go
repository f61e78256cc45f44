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
			r := Resolve(ctx, d)
			disc := Need(r, DiscoveryService)
			tokens := Need(r, AuthService)
			if err := r.Err(); err != nil {
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
	r := Resolve(ctx, d)
	router := Need(r, HTTPRouterService)
	reg := Need(r, PermissionsRegistryService)
	if err := r.Err(); err != nil {
		return err
	}
	in.Mount(router)
	reg.Add(d.PluginID(), in)
	return nil
}
