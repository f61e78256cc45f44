// Package hello is the worked example of a Portico plugin built outside the portico module's
// plugins/ tree (see docs/plugins.md). It contributes to three other plugins through their
// extension points, and has a UI extension of its own:
//
//   - a scaffolder action, hello:greet (module of the scaffolder plugin);
//   - a catalog processor that annotates every Component with hello.example.com/greeted
//     (module of the catalog plugin);
//   - an entity card, entity-card:hello/greeting, on component pages (the hello plugin).
//
// Features returns all three; a custom build appends them to the built-in features.
package hello

import (
	"context"
	"fmt"

	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/plugins/catalog"
	"github.com/portico-dev/portico/plugins/scaffolder"
	"github.com/portico-dev/portico/web"
)

// ID is the plugin's ID: its extensions are named after it (entity-card:hello/greeting) and
// its modules are "hello" modules of the plugins they extend.
const ID = "hello"

// Features returns the hello plugin and its modules, to append to the built-in features:
//
//	cli.Main(ctx, append(all.Features(), hello.Features()...), os.Args[1:])
func Features() []framework.Feature {
	return []framework.Feature{Plugin(), ScaffolderModule(), CatalogModule()}
}

// Plugin returns the hello plugin: the greeting card on component pages. It needs the web
// registry (the built-in features provide it).
func Plugin() framework.Plugin {
	return framework.Plugin{
		ID: ID,
		Register: func(r *framework.PluginRegistrar) {
			r.RegisterInit(func(ctx context.Context, d *framework.Deps) error {
				reg, err := framework.Use(ctx, d, web.RegistryService)
				if err != nil {
					return fmt.Errorf("hello: the greeting card needs the web UI: %w", err)
				}
				card, err := GreetingCard()
				if err != nil {
					return err
				}
				reg.Add(card)
				return nil
			})
		},
	}
}

// ScaffolderModule adds the hello:greet action to the scaffolder (Backstage's
// scaffolderActionsExtensionPoint).
func ScaffolderModule() framework.Module {
	return framework.Module{
		PluginID: scaffolder.ID,
		ModuleID: ID,
		Register: func(r *framework.ModuleRegistrar) {
			r.RegisterInit(func(_ context.Context, d *framework.Deps) error {
				actions, err := framework.UseExtensionPoint(d, scaffolder.ActionsExtensionPoint)
				if err != nil {
					return err
				}
				return actions.Add(GreetAction())
			})
		},
	}
}

// CatalogModule adds the greeting processor to the catalog (Backstage's
// catalogProcessingExtensionPoint).
func CatalogModule() framework.Module {
	return framework.Module{
		PluginID: "catalog",
		ModuleID: ID,
		Register: func(r *framework.ModuleRegistrar) {
			r.RegisterInit(func(_ context.Context, d *framework.Deps) error {
				processing, err := framework.UseExtensionPoint(d, catalog.ProcessingExtensionPoint)
				if err != nil {
					return err
				}
				processing.AddProcessor(GreetingProcessor{})
				return nil
			})
		},
	}
}
