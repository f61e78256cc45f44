// Package permission is the permission plugin (ID "permission"): it decides permissions for
// the whole backend at POST /api/permission/authorize with a policy — declarative roles from
// permission.roles, optionally wrapped or replaced by a code policy — keeps the audit log of
// permission-checked mutations, and serves the admin page at /permissions.
package permission

import (
	"context"
	_ "embed"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/framework/permissions"
	"github.com/portico-dev/portico/plugins/permission/migrations"
	"github.com/portico-dev/portico/web"
)

//go:embed schema.json
var configSchema []byte

// PolicyExtensionPoint lets a module install a code policy (see PolicyExtension).
var PolicyExtensionPoint = framework.NewExtensionPointRef[*PolicyExtension]("permission.policy")

// Plugin returns the permission plugin.
func Plugin() framework.Plugin {
	return framework.Plugin{
		ID:           permissions.PluginID,
		ConfigSchema: configSchema,
		Migrations:   migrations.FS,
		Register: func(r *framework.PluginRegistrar) {
			ext := &PolicyExtension{}
			framework.ProvideExtensionPoint(r, PolicyExtensionPoint, ext)
			r.RegisterInit(func(ctx context.Context, d *framework.Deps) error {
				return initPlugin(ctx, d, ext)
			})
		},
	}
}

// PolicyModule returns a module installing a code policy: wrap receives the roles policy
// and returns the effective one (return a new Policy to replace it).
func PolicyModule(moduleID string, wrap PolicyWrapper) framework.Module {
	return framework.ExtensionModule(permissions.PluginID, moduleID, PolicyExtensionPoint,
		func(_ context.Context, _ *framework.Deps, ext *PolicyExtension) error {
			ext.SetPolicy(wrap)
			return nil
		})
}

func initPlugin(ctx context.Context, d *framework.Deps, ext *PolicyExtension) error {
	r := framework.Resolve(ctx, d)
	cfg := framework.Need(r, framework.RootConfigService)
	log := framework.Need(r, framework.LoggerService)
	db := framework.Need(r, framework.DatabaseService)
	router := framework.Need(r, framework.HTTPRouterService)
	disc := framework.Need(r, framework.DiscoveryService)
	authSvc := framework.Need(r, framework.AuthService)
	lc := framework.Need(r, framework.LifecycleService)
	registry := framework.Need(r, framework.PermissionsRegistryService)
	if err := r.Err(); err != nil {
		return err
	}
	s, err := readSettings(cfg)
	if err != nil {
		return err
	}
	roles, err := rolesFromConfig(cfg)
	if err != nil {
		return err
	}
	dec := &decider{wrap: ext.wrap, log: log}
	source, _ := cfg.Origin("permission.roles")
	if source == "" {
		source, _ = cfg.Origin("permission")
	}
	dec.setRoles(roles, source)
	enabled := s.Enabled
	if !enabled {
		log.Info("permission.enabled is not true: every request is allowed")
	}
	a := &api{d: dec, disc: disc, authSvc: authSvc, store: NewAuditStore(db), log: log, client: &http.Client{Timeout: 30 * time.Second}}
	a.mount(router)
	// The plugin's own permission, listed like any plugin's.
	if err := framework.MountPermissions(ctx, d, permissions.NewIntegration(log, AdminPermission)); err != nil {
		return err
	}
	if isFile(source) {
		w := newWatcher(source, s.ReloadInterval, dec, log)
		lc.Go("roles-reload", w.Run)
	}
	reg, hasWeb, err := framework.UseOptional(ctx, d, web.RegistryService)
	if err != nil {
		return err
	}
	if hasWeb {
		schemas, err := framework.Use(ctx, d, framework.ConfigSchemasService)
		if err != nil {
			return err
		}
		reg.Add(uiExtensions(&adminPage{api: a, registry: registry, enabled: enabled}, &configPage{api: a, cfg: cfg, schemas: schemas, reg: reg})...)
	}
	return nil
}

// isFile reports whether a config origin names a file (not "env" or an in-memory source).
func isFile(origin string) bool {
	if origin == "" || origin == "env" {
		return false
	}
	st, err := statFile(origin)
	return err == nil && st
}

func statFile(p string) (bool, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return false, fmt.Errorf("stat %s: %w", p, err)
	}
	return fi.Mode().IsRegular(), nil
}
