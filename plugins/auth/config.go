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

// readSettings reads the plugin's config; ext holds the providers and sign-in resolvers it may
// name (nil: the built-ins).
func readSettings(cfg *config.Config, authBaseURL string, client *http.Client, ext *ProvidersExtension) (settings, error) {
	if ext == nil {
		ext = newProvidersExtension()
	}
	s := settings{environment: "development", tokenLifetime: time.Hour, providers: map[string]*api.Provider{}}
	var err error
	if env, ok, err := cfg.OptionalString("auth.environment"); err != nil {
		return s, err
	} else if ok {
		s.environment = env
	}
	if d, ok, err := cfg.OptionalDuration("auth.backstageTokenExpiration"); err != nil {
		return s, err
	} else if ok {
		if d <= 0 || d > maxTokenLifetime {
			return s, fmt.Errorf("auth.backstageTokenExpiration: %v is outside (0, 24h]", d)
		}
		s.tokenLifetime = d
	}
	s.rotationPeriod = s.tokenLifetime
	if d, ok, err := cfg.OptionalDuration("auth.keyStore.rotationPeriod"); err != nil {
		return s, err
	} else if ok {
		if d <= 0 {
			return s, fmt.Errorf("auth.keyStore.rotationPeriod: must be positive, got %v", d)
		}
		s.rotationPeriod = d
	}
	if p, ok, err := cfg.OptionalString("auth.keyStore.provider"); err != nil {
		return s, err
	} else if ok && p != "database" {
		return s, fmt.Errorf("auth.keyStore.provider: only database is supported, got %q", p)
	}
	if alg, ok, err := cfg.OptionalString("auth.identityTokenAlgorithm"); err != nil {
		return s, err
	} else if ok && alg != "ES256" {
		return s, fmt.Errorf("auth.identityTokenAlgorithm: only ES256 is supported, got %q", alg)
	}
	if s.sessionSecret, _, err = cfg.OptionalString("auth.session.secret"); err != nil {
		return s, err
	}
	if s.transitiveGroups, _, err = cfg.OptionalBool("auth.includeTransitiveGroupOwnership"); err != nil {
		return s, err
	}
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
			return s, fmt.Errorf("auth.providers.%s: unknown provider (known: %s)", id, strings.Join(ext.providers.IDs(), ", "))
		}
		if !factory.Proxy {
			if !block.Has(s.environment) {
				continue // not configured for this environment
			}
			if block, err = block.Config(s.environment); err != nil {
				return s, err
			}
		}
		popts.CallbackURL = authBaseURL + "/" + id + "/handler/frame"
		impl, err := ext.providers.New(id, block, popts)
		if err != nil {
			return s, err
		}
		p := &api.Provider{ID: id, Title: cmp.Or(factory.Title, id), Impl: impl}
		if p.Resolvers, err = readResolvers(block, ext.resolvers); err != nil {
			return s, err
		}
		if d, ok, err := block.OptionalDuration("sessionDuration"); err != nil {
			return s, err
		} else if ok {
			p.SessionDuration = d
		}
		s.providers[id] = p
	}
	return s, nil
}

func readResolvers(block *config.Config, custom *resolvers.Registry) ([]resolvers.Config, error) {
	list, _, err := block.OptionalConfigArray("signIn.resolvers")
	if err != nil {
		return nil, err
	}
	var out []resolvers.Config
	for _, c := range list {
		var rc resolvers.Config
		if rc.Resolver, err = c.String("resolver"); err != nil {
			return nil, err
		}
		if known := custom.Names(); !slices.Contains(known, rc.Resolver) {
			return nil, fmt.Errorf("%s.resolver: unknown sign-in resolver %q (known: %s)", c.Path(), rc.Resolver, strings.Join(known, ", "))
		}
		rc.Options = map[string]any{}
		for _, k := range c.Keys() {
			rc.Options[k], _ = c.Get(k)
		}
		if rc.AllowedDomains, _, err = c.OptionalStringArray("allowedDomains"); err != nil {
			return nil, err
		}
		if rc.DangerouslyAllowSignInWithoutUserInCatalog, _, err = c.OptionalBool("dangerouslyAllowSignInWithoutUserInCatalog"); err != nil {
			return nil, err
		}
		out = append(out, rc)
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
