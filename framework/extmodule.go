package framework

import "context"

// ExtensionModule returns a module of plugin pluginID whose init gets the plugin's extension
// point ref, the shape of most modules: they add to what the plugin offers (actions, kinds,
// providers, a policy) through its extension point.
func ExtensionModule[T any](pluginID, moduleID string, ref ExtensionPointRef[T], init func(ctx context.Context, d *Deps, ext T) error) Module {
	return Module{PluginID: pluginID, ModuleID: moduleID, Register: func(r *ModuleRegistrar) {
		r.RegisterInit(func(ctx context.Context, d *Deps) error {
			ext, err := UseExtensionPoint(d, ref)
			if err != nil {
				return err
			}
			return init(ctx, d, ext)
		})
	}}
}
