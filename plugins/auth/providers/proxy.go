package providers

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/portico-dev/portico/config"
	"github.com/portico-dev/portico/plugins/auth/resolvers"
)

// Guest signs anyone in as one fixed user, for development.
type Guest struct {
	// UserEntityRef is who guests are (default user:development/guest).
	UserEntityRef string
	// OwnershipEntityRefs is the ent claim when the catalog has no such user (default the ref).
	OwnershipEntityRefs []string
}

func newGuest(cfg *config.Config, opts Options) (*Guest, error) {
	g := &Guest{UserEntityRef: "user:development/guest"}
	if cfg != nil {
		allow, _, err := cfg.OptionalBool("dangerouslyAllowOutsideDevelopment")
		if err != nil {
			return nil, err
		}
		if !opts.Development && !allow {
			return nil, fmt.Errorf("auth.providers.guest: refusing to sign in guests outside development (auth.environment); set dangerouslyAllowOutsideDevelopment: true to allow it")
		}
		if ref, ok, err := cfg.OptionalString("userEntityRef"); err != nil {
			return nil, err
		} else if ok {
			g.UserEntityRef = ref
		}
		if g.OwnershipEntityRefs, _, err = cfg.OptionalStringArray("ownershipEntityRefs"); err != nil {
			return nil, err
		}
	} else if !opts.Development {
		return nil, fmt.Errorf("auth.providers.guest: refusing to sign in guests outside development (auth.environment)")
	}
	return g, nil
}

// Authenticate always succeeds: the guest has an empty profile.
func (g *Guest) Authenticate(*http.Request) (Result, error) {
	return Result{Info: resolvers.Info{ProviderID: "guest"}}, nil
}

// oauth2Proxy trusts the identity headers oauth2-proxy (or a compatible proxy) sets in front
// of Portico. The backend must only be reachable through that proxy.
type oauth2Proxy struct{ id string }

func (p oauth2Proxy) Authenticate(r *http.Request) (Result, error) {
	h := func(names ...string) string {
		for _, n := range names {
			if v := strings.TrimSpace(r.Header.Get(n)); v != "" {
				return v
			}
		}
		return ""
	}
	user := h("X-Forwarded-User", "X-Auth-Request-User")
	email := h("X-Auth-Request-Email", "X-Forwarded-Email")
	if user == "" && email == "" {
		return Result{}, fmt.Errorf("%w: the request carries no X-Forwarded-User or X-Auth-Request-* headers from oauth2-proxy", ErrAuthentication)
	}
	name := h("X-Auth-Request-Preferred-Username", "X-Forwarded-Preferred-Username")
	if name == "" {
		name = user
	}
	return Result{
		Info: resolvers.Info{
			ProviderID: p.id,
			Username:   user,
			Profile:    resolvers.Profile{Email: email, DisplayName: name},
		},
		ProviderInfo: ProviderInfo{AccessToken: h("X-Forwarded-Access-Token")},
	}, nil
}
