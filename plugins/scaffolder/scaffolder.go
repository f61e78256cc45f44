// Package scaffolder is the Software Templates plugin: Backstage v1beta3 templates from the
// catalog run as durable tasks (claimed from the database with a lease, recovered when a worker
// dies, rolled back when a step fails), with Backstage's REST API at /api/scaffolder and the
// create pages of the web UI. Modules add actions through ActionsExtensionPoint and template
// filters and globals through TemplatingExtensionPoint.
package scaffolder

import (
	"context"
	_ "embed"
	"path/filepath"
	"sync/atomic"

	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/framework/permissions"
	"github.com/portico-dev/portico/plugins/catalog/client"
	"github.com/portico-dev/portico/plugins/scaffolder/action"
	"github.com/portico-dev/portico/plugins/scaffolder/api"
	"github.com/portico-dev/portico/plugins/scaffolder/nunjucks"
	"github.com/portico-dev/portico/plugins/scaffolder/secret"
	"github.com/portico-dev/portico/plugins/scaffolder/service"
	"github.com/portico-dev/portico/plugins/scaffolder/store"
	"github.com/portico-dev/portico/plugins/scaffolder/store/migrations"
	"github.com/portico-dev/portico/plugins/scaffolder/ui"
	"github.com/portico-dev/portico/plugins/scaffolder/worker"
	"github.com/portico-dev/portico/web"
)

// ID is the plugin's ID.
const ID = "scaffolder"

//go:embed schema.json
var configSchema []byte

// ActionsExtensionPoint lets modules add template actions (scaffolderActionsExtensionPoint in
// Backstage). An action whose ID is already registered is refused.
var ActionsExtensionPoint = framework.NewExtensionPointRef[*action.Registry]("scaffolder.actions")

// Templating holds the filters and globals modules add to the templating engine.
type Templating struct {
	Filters map[string]nunjucks.Filter
	Globals map[string]any
}

// AddFilter adds a template filter.
func (t *Templating) AddFilter(name string, f nunjucks.Filter) { t.Filters[name] = f }

// AddGlobal adds a template global (a value or a nunjucks.Func).
func (t *Templating) AddGlobal(name string, v any) { t.Globals[name] = v }

// TemplatingExtensionPoint lets modules add filters and globals (Backstage's
// scaffolderTemplatingExtensionPoint).
var TemplatingExtensionPoint = framework.NewExtensionPointRef[*Templating]("scaffolder.templating")

// Plugin returns the scaffolder plugin.
func Plugin() framework.Plugin {
	return framework.Plugin{
		ID:           ID,
		ConfigSchema: configSchema,
		Migrations:   migrations.FS,
		Register: func(r *framework.PluginRegistrar) {
			// scaffolder.publishFileRoot, set at init (before any task runs).
			var publishFileRoot atomic.Pointer[string]
			reg, err := action.NewRegistry(action.Builtins(action.BuiltinDeps{PublishFileRootFrom: func() string {
				if p := publishFileRoot.Load(); p != nil {
					return *p
				}
				return ""
			}})...)
			if err != nil {
				panic(err) // the built-ins have distinct IDs
			}
			tpl := &Templating{Filters: map[string]nunjucks.Filter{}, Globals: map[string]any{}}
			framework.ProvideExtensionPoint(r, ActionsExtensionPoint, reg)
			framework.ProvideExtensionPoint(r, TemplatingExtensionPoint, tpl)
			r.RegisterInit(func(ctx context.Context, d *framework.Deps) error {
				return initPlugin(ctx, d, reg, tpl, &publishFileRoot)
			})
		},
	}
}

func initPlugin(ctx context.Context, d *framework.Deps, reg *action.Registry, tpl *Templating, publishFileRoot *atomic.Pointer[string]) error {
	r := framework.Resolve(ctx, d)
	cfg := framework.Need(r, framework.RootConfigService)
	db := framework.Need(r, framework.DatabaseService)
	log := framework.Need(r, framework.LoggerService)
	lc := framework.Need(r, framework.LifecycleService)
	router := framework.Need(r, framework.HTTPRouterService)
	disc := framework.Need(r, framework.DiscoveryService)
	urls := framework.Need(r, framework.URLReaderService)
	if err := r.Err(); err != nil {
		return err
	}
	s, err := readSettings(cfg)
	if err != nil {
		return err
	}
	publishFileRoot.Store(&s.PublishFileRoot)
	dataDir, err := framework.DataDir(cfg)
	if err != nil {
		return err
	}
	dataDir, err = filepath.Abs(filepath.Join(dataDir, ID))
	if err != nil {
		return err
	}
	box, keySource, err := secret.OpenBox(s.SecretsKey, dataDir)
	if err != nil {
		return err
	}
	if keySource == secret.FromDataDir {
		log.Info("scaffolder.secretsKey is not set: task secrets are sealed with a key kept in the data directory; set it from the environment (e.g. ${SCAFFOLDER_SECRETS_KEY}) to keep the key out of it", "file", filepath.Join(dataDir, secret.KeyFile))
	}
	readerOpts, err := framework.URLReaderOptionsFromConfig(cfg)
	if err != nil {
		return err
	}
	// The catalog is called with the caller's credentials when there are some, else as the
	// scaffolder itself (task runs).
	token, err := client.CallerToken(ctx, d)
	if err != nil {
		return err
	}
	cat := client.New(disc, token)
	engine := nunjucks.New(nunjucks.Options{
		AdditionalFilters: tpl.Filters,
		Globals:           tpl.Globals,
		HostType:          action.HostType(readerOpts.Integrations),
		Limits:            s.Limits.template(),
	})
	reader := action.NewURLReader(urls)
	runner := worker.NewRunner(worker.Deps{
		Actions: reg, Templater: engine, Catalog: cat, Reader: reader,
		Integrations: readerOpts.Integrations, Logger: log,
		WorkspaceBytes: s.Limits.WorkspaceBytes, WorkspaceFiles: s.Limits.WorkspaceFiles,
	})
	st := store.New(db, nil)
	owner, err := framework.InstanceID(cfg)
	if err != nil {
		return err
	}
	w := worker.New(worker.Options{
		Owner: owner,
		Store: st, Runner: runner, Box: box, Logger: log.With("component", "worker"),
		WorkDir: filepath.Join(dataDir, "tasks"), Concurrency: s.Concurrency,
		Lease: s.Lease, JanitorEvery: s.JanitorEvery, TaskTimeout: s.TaskTimeout,
	})
	perms, err := framework.Use(ctx, d, framework.PermissionsService)
	if err != nil {
		return err
	}
	if err := framework.MountPermissions(ctx, d, permissions.NewIntegration(log, service.PermissionSet...)); err != nil {
		return err
	}
	svc := service.New(service.Options{
		Permissions: perms, Templater: engine,
		Store: st, Box: box, Catalog: cat, Templates: service.CatalogHTTP{Discovery: disc, Token: token}, Actions: reg, Runner: runner, RunnerReader: reader,
		Worker: w, Logger: log, DryRunDir: filepath.Join(dataDir, "dry-run"),
		DryRunBytes: s.Limits.DryRunBytes, DryRunTimeout: s.Limits.DryRunTimeout,
	})
	api.Register(router, svc, log, api.Options{})
	webReg, hasWeb, err := framework.UseOptional(ctx, d, web.RegistryService)
	if err != nil {
		return err
	}
	if hasWeb {
		webReg.Add(ui.Extensions(ui.Options{Service: svc, Logger: log})...)
	}
	lc.Go("worker", w.Run)
	return nil
}
