package auth

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/portico-dev/portico/config"
	"github.com/portico-dev/portico/plugins/auth/api"
	"github.com/portico-dev/portico/plugins/auth/providers"
	"github.com/portico-dev/portico/plugins/auth/resolvers"
)

// maxTokenLifetime is Backstage's upper bound on auth.backstageTokenExpiration.
const maxTokenLifetime = 24 * time.Hour

// settings is the plugin's configuration, read once at start-up.
type settings struct {
	environment      string
	tokenLifetime    time.Duration
	rotationPeriod   time.Duration
	sessionSecret    string
	transitiveGroups bool
	appOrigin        string
	allowedOrigins   []string
	providers        map[string]*api.Provider
}

// authConfig is the plain-data part of auth.* (providers are read by their factories).
type authConfig struct {
	Environment              string         `config:"environment"`
	BackstageTokenExpiration *time.Duration `config:"backstageTokenExpiration"`
	KeyStore                 struct {
		RotationPeriod *time.Duration `config:"rotationPeriod"`
		Provider       string         `config:"provider"`
	} `config:"keyStore"`
	IdentityTokenAlgorithm string `config:"identityTokenAlgorithm"`
	Session                struct {
		Secret string `config:"secret"`
	} `config:"session"`
	IncludeTransitiveGroupOwnership bool `config:"includeTransitiveGroupOwnership"`
}

// providerConfig is what every provider block has besides its factory's own keys.
type providerConfig struct {
	SessionDuration time.Duration `config:"sessionDuration"`
	SignIn          struct {
		Resolvers []*config.Config `config:"resolvers"`
	} `config:"signIn"`
}

// resolverConfig is one entry of a provider's signIn.resolvers; the resolver also receives
// the whole entry (resolvers.Config.Options).
type resolverConfig struct {
	Resolver                                   string   `config:"resolver,required"`
	AllowedDomains                             []string `config:"allowedDomains"`
	DangerouslyAllowSignInWithoutUserInCatalog bool     `config:"dangerouslyAllowSignInWithoutUserInCatalog"`
}

// readSettings reads the plugin's config; ext holds the providers and sign-in resolvers it may
// name (nil: the built-ins).
func readSettings(cfg *config.Config, authBaseURL string, client *http.Client, ext *ProvidersExtension) (settings, error) {
	if ext == nil {
		ext = newProvidersExtension()
	}
	s := settings{environment: "development", tokenLifetime: time.Hour, providers: map[string]*api.Provider{}}
	c := authConfig{Environment: s.environment}
	if err := cfg.Decode("auth", &c); err != nil {
		return s, err
	}
	s.environment, s.sessionSecret, s.transitiveGroups = c.Environment, c.Session.Secret, c.IncludeTransitiveGroupOwnership
	if d := c.BackstageTokenExpiration; d != nil {
		if *d <= 0 || *d > maxTokenLifetime {
			return s, cfg.ErrorAt("auth.backstageTokenExpiration", "%v is outside (0, 24h]", *d)
		}
		s.tokenLifetime = *d
	}
	s.rotationPeriod = s.tokenLifetime
	if d := c.KeyStore.RotationPeriod; d != nil {
		if *d <= 0 {
			return s, cfg.ErrorAt("auth.keyStore.rotationPeriod", "must be positive, got %v", *d)
		}
		s.rotationPeriod = *d
	}
	if p := c.KeyStore.Provider; p != "" && p != "database" {
		return s, cfg.ErrorAt("auth.keyStore.provider", "only database is supported, got %q", p)
	}
	if alg := c.IdentityTokenAlgorithm; alg != "" && alg != "ES256" {
		return s, cfg.ErrorAt("auth.identityTokenAlgorithm", "only ES256 is supported, got %q", alg)
	}
	var err error
	if s.appOrigin, s.allowedOrigins, err = origins(cfg, authBaseURL); err != nil {
		return s, err
	}
	popts := providers.Options{HTTPClient: client, Development: s.environment == "development"}
	if !cfg.Has("auth.providers") {
		// No auth configuration at all: a development portal signs people in as the guest;
		// elsewhere nobody can sign in until a provider is configured.
		if !popts.Development {
			return s, nil
		}
		g, err := ext.providers.New("guest", nil, popts)
		if err != nil {
			return s, err
		}
		s.providers["guest"] = &api.Provider{ID: "guest", Title: "Guest", Impl: g}
		return s, nil
	}
	pcfg, err := cfg.Config("auth.providers")
	if err != nil {
		return s, err
	}
	ids := pcfg.Keys()
	sort.Strings(ids)
	for _, id := range ids {
		block, err := pcfg.Config(id)
		if err != nil {
			return s, err
		}
		factory, ok := ext.providers.Lookup(id)
		if !ok {
			// A provider this build lacks (Backstage's okta, …): the backend warns once about
			// every such key (framework.UnusedConfig, also printed by config check); sign-in
			// simply does not offer it.
			continue
		}
		if !factory.Proxy {
			if !block.Has(s.environment) {
				continue // not configured for this environment
			}
			if block, err = block.Config(s.environment); err != nil {
				return s, err
			}
		}
		var pc providerConfig
		if err := block.Decode("", &pc); err != nil {
			return s, err
		}
		popts.CallbackURL = authBaseURL + "/" + id + "/handler/frame"
		impl, err := ext.providers.New(id, block, popts)
		if err != nil {
			return s, err
		}
		p := &api.Provider{ID: id, Title: cmp.Or(factory.Title, id), Impl: impl, SessionDuration: pc.SessionDuration}
		if p.Resolvers, err = readResolvers(pc.SignIn.Resolvers, ext.resolvers); err != nil {
			return s, err
		}
		s.providers[id] = p
	}
	return s, nil
}

func readResolvers(list []*config.Config, custom *resolvers.Registry) ([]resolvers.Config, error) {
	var out []resolvers.Config
	for _, c := range list {
		var rc resolverConfig
		if err := c.Decode("", &rc); err != nil {
			return nil, err
		}
		if known := custom.Names(); !slices.Contains(known, rc.Resolver) {
			return nil, c.ErrorAt("resolver", "unknown sign-in resolver %q (known: %s)", rc.Resolver, strings.Join(known, ", "))
		}
		options, _ := c.Get("")
		out = append(out, resolvers.Config{
			Resolver: rc.Resolver, AllowedDomains: rc.AllowedDomains,
			DangerouslyAllowSignInWithoutUserInCatalog: rc.DangerouslyAllowSignInWithoutUserInCatalog,
			Options: options.(map[string]any),
		})
	}
	return out, nil
}

// origins returns the app's origin (app.baseUrl, else the backend's external origin, which
// serves Portico's UI) and every origin a popup may post to: both.
func origins(cfg *config.Config, authBaseURL string) (string, []string, error) {
	var all []string
	for _, key := range []string{"app.baseUrl", "backend.baseUrl"} {
		s, ok, err := cfg.OptionalString(key)
		if err != nil {
			return "", nil, err
		}
		if !ok || s == "" {
			continue
		}
		o, err := originOf(s)
		if err != nil {
			return "", nil, fmt.Errorf("%s: %w", key, err)
		}
		all = append(all, o)
	}
	if o, err := originOf(authBaseURL); err == nil {
		all = append(all, o)
	}
	if len(all) == 0 {
		return "", nil, fmt.Errorf("auth: cannot tell the app's origin: set app.baseUrl")
	}
	return all[0], all, nil
}

func originOf(s string) (string, error) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", fmt.Errorf("%q is not an absolute URL", s)
	}
	return u.Scheme + "://" + u.Host, nil
}
