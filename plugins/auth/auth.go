package auth

import (
	"context"
	"crypto/rand"
	_ "embed"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/plugins/auth/api"
	"github.com/portico-dev/portico/plugins/auth/identity"
	"github.com/portico-dev/portico/plugins/auth/resolvers"
	"github.com/portico-dev/portico/plugins/auth/store"
	"github.com/portico-dev/portico/plugins/auth/store/migrations"
	"github.com/portico-dev/portico/plugins/auth/ui"
	catalogclient "github.com/portico-dev/portico/plugins/catalog/client"
	"github.com/portico-dev/portico/web"
)

// ID is the plugin's ID.
const ID = "auth"

//go:embed schema.json
var configSchema []byte

// Plugin returns the auth plugin.
func Plugin() framework.Plugin {
	return framework.Plugin{
		ID:           ID,
		ConfigSchema: configSchema,
		Migrations:   migrations.FS,
		Register: func(r *framework.PluginRegistrar) {
			ext := newProvidersExtension()
			framework.ProvideExtensionPoint(r, ProvidersExtensionPoint, ext)
			r.RegisterInit(func(ctx context.Context, d *framework.Deps) error {
				return initPlugin(ctx, d, ext)
			})
		},
	}
}

func initPlugin(ctx context.Context, d *framework.Deps, ext *ProvidersExtension) error {
	r := framework.Resolve(ctx, d)
	cfg := framework.Need(r, framework.RootConfigService)
	db := framework.Need(r, framework.DatabaseService)
	log := framework.Need(r, framework.LoggerService)
	router := framework.Need(r, framework.HTTPRouterService)
	disc := framework.Need(r, framework.DiscoveryService)
	if err := r.Err(); err != nil {
		return err
	}
	baseURL := strings.TrimRight(disc.ExternalBaseURL(ID), "/")
	s, err := readSettings(cfg, baseURL, http.DefaultClient, ext)
	if err != nil {
		return err
	}
	st := store.New(db)
	stateKey := []byte(s.sessionSecret)
	if len(stateKey) == 0 {
		if stateKey, err = st.Secret(ctx, "state-cookie", func() ([]byte, error) {
			b := make([]byte, 32)
			_, err := rand.Read(b)
			return b, err
		}); err != nil {
			return fmt.Errorf("auth: %w", err)
		}
	}
	issuer := identity.New(identity.Options{
		Store: st, Issuer: baseURL, TokenLifetime: s.tokenLifetime, RotationPeriod: s.rotationPeriod,
		Logger: log.With("component", "identity"),
	})
	catalog := catalogclient.New(disc, serviceToken(ctx, d))
	api.Register(router, api.Options{
		Issuer:         issuer,
		Providers:      s.providers,
		Resolver:       resolvers.Resolver{Catalog: resolvers.FromClient(catalog), TransitiveGroups: s.transitiveGroups, Custom: ext.resolvers},
		StateKey:       stateKey,
		BaseURL:        baseURL,
		AppOrigin:      s.appOrigin,
		AllowedOrigins: s.allowedOrigins,
		Environment:    s.environment,
		Logger:         log,
	})
	reg, hasWeb, err := framework.UseOptional(ctx, d, web.RegistryService)
	if err != nil {
		return err
	}
	if hasWeb {
		reg.Add(ui.Extensions(ui.Options{Providers: providerList(s), Environment: s.environment, AuthPath: "/api/" + ID, Secure: strings.HasPrefix(baseURL, "https:")})...)
		reg.AddAssets(ui.Assets())
	}
	return nil
}

// serviceToken returns the catalog client's token source: a service token from the core auth
// service, aimed at the catalog. A backend without the auth service calls unauthenticated.
func serviceToken(ctx context.Context, d *framework.Deps) catalogclient.TokenFunc {
	svc, err := framework.Use(ctx, d, framework.AuthService)
	if err != nil || svc == nil {
		return nil
	}
	return catalogclient.AsPlugin(svc)
}

func providerList(s settings) []ui.Provider {
	var out []ui.Provider
	for _, id := range sortedKeys(s.providers) {
		out = append(out, ui.Provider{ID: id, Title: s.providers[id].Title})
	}
	return out
}

func sortedKeys(m map[string]*api.Provider) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	// Guest last: real providers first on the sign-in page.
	slices.SortFunc(out, func(a, b string) int {
		if (a == "guest") != (b == "guest") {
			if a == "guest" {
				return 1
			}
			return -1
		}
		return strings.Compare(a, b)
	})
	return out
}
