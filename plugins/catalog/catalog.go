// Package catalog is the Software Catalog plugin: Backstage's entity model, ingestion engine
// and REST API at /api/catalog. Modules extend it through ProcessingExtensionPoint (entity
// providers, processors, extra kinds).
package catalog

import (
	"context"
	_ "embed"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/portico-dev/portico/config"
	"github.com/portico-dev/portico/examples"
	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/plugins/catalog/api"
	"github.com/portico-dev/portico/plugins/catalog/engine"
	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/plugins/catalog/reader"
	"github.com/portico-dev/portico/plugins/catalog/service"
	"github.com/portico-dev/portico/plugins/catalog/store/migrations"
	"github.com/portico-dev/portico/plugins/catalog/ui"
	"github.com/portico-dev/portico/web"
)

//go:embed schema.json
var configSchema []byte

// ProcessingExtensionPoint is the catalog's extension point: modules add entity providers,
// processors and kinds to the registry before the catalog starts.
var ProcessingExtensionPoint = framework.NewExtensionPointRef[*engine.Registry]("catalog.processing")

// Plugin returns the catalog plugin.
func Plugin() framework.Plugin {
	return framework.Plugin{
		ID:           "catalog",
		ConfigSchema: configSchema,
		Migrations:   migrations.FS,
		Register: func(r *framework.PluginRegistrar) {
			ext := &engine.Registry{}
			framework.ProvideExtensionPoint(r, ProcessingExtensionPoint, ext)
			r.RegisterInit(func(ctx context.Context, d *framework.Deps) error {
				return initCatalog(ctx, d, ext)
			})
		},
	}
}

func initCatalog(ctx context.Context, d *framework.Deps, ext *engine.Registry) error {
	r := framework.Resolve(ctx, d)
	cfg := framework.Need(r, framework.RootConfigService)
	db := framework.Need(r, framework.DatabaseService)
	urls := framework.Need(r, framework.URLReaderService)
	log := framework.Need(r, framework.LoggerService)
	lc := framework.Need(r, framework.LifecycleService)
	router := framework.Need(r, framework.HTTPRouterService)
	if err := r.Err(); err != nil {
		return err
	}
	s, err := readSettings(cfg)
	if err != nil {
		return err
	}
	if !cfg.Has("catalog.locations") {
		if err := useExamples(cfg, &s); err != nil {
			return err
		}
		log.Info("no catalog.locations configured: showing the example catalog", "location", s.engine.Locations[0].Target)
	}
	opts := s.engine
	opts.DB, opts.Reader, opts.Logger = db, urls, log
	// A stable identity lets a restarted instance take back its processing leases at once.
	if opts.WorkerID, err = framework.InstanceID(cfg); err != nil {
		return err
	}
	ext.Apply(&opts)
	eng, err := engine.New(opts)
	if err != nil {
		return err
	}
	svc, err := newService(ctx, d, reader.New(db), eng, log)
	if err != nil {
		return err
	}
	api.Register(router, svc, svc, log, api.Options{Readonly: s.readonly})
	// The web UI is optional: a backend without the web registry serves the API alone.
	reg, hasWeb, err := framework.UseOptional(ctx, d, web.RegistryService)
	if err != nil {
		return err
	}
	if hasWeb {
		settings, err := newUserSettings(ctx, d)
		if err != nil {
			return err
		}
		pages := ui.Register(reg, svc, ui.Options{Logger: log, Writer: svc, Locations: svc,
			Readonly: s.readonly, Settings: settings, Permissions: svc})
		lc.Go("catalog-ui-counts", pages.KeepCountsWarm)
	}
	lc.Go("engine", eng.Run)
	return nil
}

// The service is what both surfaces call: the API and the pages get no other reader or writer.
var (
	_ api.Reader        = (*service.Service)(nil)
	_ api.Writer        = (*service.Service)(nil)
	_ ui.Reader         = (*service.Service)(nil)
	_ ui.Writer         = (*service.Service)(nil)
	_ ui.LocationReader = (*service.Service)(nil)
	_ ui.ReadScoper     = (*service.Service)(nil)
	_ ui.Permissions    = (*service.Service)(nil)
)

// newService builds the catalog service over the reader and the engine, with the
// permissions service, and mounts its permission integration endpoints.
func newService(ctx context.Context, d *framework.Deps, rd *reader.Reader, eng *engine.Engine, log *slog.Logger) (*service.Service, error) {
	perms, err := framework.Use(ctx, d, framework.PermissionsService)
	if err != nil {
		return nil, err
	}
	svc, err := service.New(service.Options{Permissions: perms, Reader: rd, Engine: eng, Logger: log})
	if err != nil {
		return nil, err
	}
	if err := framework.MountPermissions(ctx, d, svc.Integration()); err != nil {
		return nil, err
	}
	return svc, nil
}

// useExamples points a catalog without configured locations at the example company: the
// checkout's examples/ folder when portico runs from one, else a copy extracted from the
// binary into framework.ExamplesDir, the one folder of the data directory the URL reader may
// read. Every kind is allowed, since the examples use all of them.
func useExamples(cfg *config.Config, s *settings) error {
	root, err := filepath.Abs(filepath.Join("examples", examples.RootFile))
	if err != nil {
		return err
	}
	if _, statErr := os.Stat(root); statErr != nil {
		dir, err := framework.ExamplesDir(cfg)
		if err != nil {
			return err
		}
		if root, err = examples.Extract(dir); err != nil {
			return fmt.Errorf("catalog: %w", err)
		}
		if root, err = filepath.Abs(root); err != nil {
			return err
		}
	}
	s.engine.Locations = []engine.ConfigLocation{{Type: "file", Target: root}}
	if !cfg.Has("catalog.rules") {
		s.engine.Rules = []engine.Rule{{Allow: []string{
			model.KindComponent, model.KindAPI, model.KindResource, model.KindSystem, model.KindDomain,
			model.KindGroup, model.KindUser, model.KindLocation, model.KindTemplate,
		}}}
	}
	return nil
}
