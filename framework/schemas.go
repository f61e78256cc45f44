package framework

import (
	"context"
	_ "embed"

	"github.com/portico-dev/portico/config"
)

//go:embed schema.json
var coreConfigSchema []byte

// Config schema services: every schema the installed features declare, and the visibility
// (frontend/secret) derived from them.
var (
	ConfigSchemasService    = NewServiceRef[[]config.Schema]("core.configSchemas", ScopeRoot)
	ConfigVisibilityService = NewServiceRef[*config.Visibility]("core.configVisibility", ScopeRoot)
)

// CoreConfigSchema is the schema of the framework's own keys (backend.*, discovery, …).
func CoreConfigSchema() config.Schema {
	return config.Schema{Owner: "framework", JSON: coreConfigSchema}
}

// ConfigSchemas collects the schemas of the framework and every plugin and module in features.
func ConfigSchemas(features []Feature) []config.Schema {
	out := []config.Schema{CoreConfigSchema()}
	for _, f := range features {
		switch f := f.(type) {
		case Plugin:
			if len(f.ConfigSchema) > 0 {
				out = append(out, config.Schema{Owner: "plugin " + f.ID, JSON: f.ConfigSchema})
			}
		case Module:
			if len(f.ConfigSchema) > 0 {
				out = append(out, config.Schema{Owner: "module " + f.PluginID + "/" + f.ModuleID, JSON: f.ConfigSchema})
			}
		}
	}
	return out
}

func (b *Backend) features() []Feature {
	fs := make([]Feature, 0, len(b.plugins)+len(b.modules))
	for _, p := range b.plugins {
		fs = append(fs, p)
	}
	for _, m := range b.modules {
		fs = append(fs, m)
	}
	return fs
}

func (b *Backend) schemaFactories() []ServiceFactory {
	return []ServiceFactory{
		NewServiceFactory(ConfigSchemasService, func(context.Context, *Deps) ([]config.Schema, error) {
			return ConfigSchemas(b.features()), nil
		}),
		NewServiceFactory(ConfigVisibilityService, func(ctx context.Context, d *Deps) (*config.Visibility, error) {
			schemas, err := Use(ctx, d, ConfigSchemasService)
			if err != nil {
				return nil, err
			}
			return config.NewVisibility(schemas)
		}),
	}
}
