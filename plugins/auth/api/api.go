package api

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/framework/apierr"
	"github.com/portico-dev/portico/framework/httpapi"
	"github.com/portico-dev/portico/plugins/auth/identity"
	"github.com/portico-dev/portico/plugins/auth/providers"
	"github.com/portico-dev/portico/plugins/auth/resolvers"
)

// Cookies the UI relies on.
const (
	// TokenCookie holds the user identity token for server-rendered pages (HttpOnly).
	TokenCookie = "portico-token"
	// ProviderCookie names the provider the user signed in with, so the page script knows
	// where to refresh the session (readable by scripts; not a secret).
	ProviderCookie = "portico-auth-provider"
)

// Provider is one configured sign-in provider.
type Provider struct {
	ID string
	// Title names the provider on the sign-in page.
	Title string
	// Impl is a providers.OAuth or a providers.Proxy.
	Impl any
	// Resolvers are the signIn.resolvers, tried in order.
	Resolvers []resolvers.Config
	// SessionDuration is the refresh cookie lifetime (default 1000 days, as Backstage).
	SessionDuration time.Duration
}

// Options configure the routes.
type Options struct {
	Issuer    *identity.Issuer
	Providers map[string]*Provider
	Resolver  resolvers.Resolver
	// StateKey signs the short-lived sign-in state cookie (shared by every replica).
	StateKey []byte
	// BaseURL is the external base URL of the auth plugin (http://host/api/auth).
	BaseURL string
	// AppOrigin is the origin of the UI (app.baseUrl); popups post to it, redirects stay on it.
	AppOrigin string
	// AllowedOrigins are the origins a popup may name (the app's and the backend's).
	AllowedOrigins []string
	// Environment is auth.environment.
	Environment string
	Logger      *slog.Logger
	Now         func() time.Time
}

type handler struct {
	opts       Options
	secure     bool
	cookiePath string // path of the auth plugin, e.g. /api/auth
}

// Register mounts the routes on router and declares which of them are open.
func Register(router framework.HTTPRouter, opts Options) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	h := &handler{opts: opts, secure: strings.HasPrefix(opts.BaseURL, "https:"), cookiePath: "/api/auth"}
	if u, err := url.Parse(opts.BaseURL); err == nil && u.Path != "" {
		h.cookiePath = strings.TrimRight(u.Path, "/")
	}
	api := httpapi.New(opts.Logger, 0)
	router.HandleFunc("GET /.well-known/jwks.json", api.Handle(h.jwks))
	router.HandleFunc("GET /.well-known/openid-configuration", api.Handle(h.openIDConfiguration))
	router.HandleFunc("GET /v1/userinfo", api.Handle(h.userinfo))
	router.HandleFunc("GET /{provider}/start", h.withProvider(h.start))
	router.HandleFunc("GET /{provider}/handler/frame", h.withProvider(h.frame))
	router.HandleFunc("POST /{provider}/handler/frame", h.withProvider(h.frame))
	router.HandleFunc("GET /{provider}/refresh", h.withProvider(h.refresh))
	router.HandleFunc("POST /{provider}/refresh", h.withProvider(h.refresh))
	router.HandleFunc("POST /{provider}/logout", h.withProvider(h.logout))
	// Public keys and discovery are for anyone; the sign-in routes run before there is an
	// identity. /v1/userinfo checks its bearer token itself but stays behind the default policy.
	router.AddAuthPolicy(framework.AuthPolicy{Path: "/.well-known", Allow: "unauthenticated"})
	ids := slices.Sorted(maps.Keys(opts.Providers))
	for _, id := range ids {
		router.AddAuthPolicy(framework.AuthPolicy{Path: "/" + id, Allow: "unauthenticated"})
	}
}

func (h *handler) withProvider(fn func(http.ResponseWriter, *http.Request, *Provider)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("provider")
		p, ok := h.opts.Providers[id]
		if !ok {
			apierr.Write(w, r, h.opts.Logger, apierr.NotFound("No auth provider registered for '%s'", id))
			return
		}
		fn(w, r, p)
	}
}

// requireXHR is Backstage's light CSRF guard on /refresh and /logout.
func requireXHR(r *http.Request) error {
	if r.Header.Get("X-Requested-With") != "XMLHttpRequest" {
		return apierr.Authentication("Invalid X-Requested-With header")
	}
	return nil
}

// classify maps a sign-in failure to the API error shown to the user: refused sign-ins are
// 403, failed authentication 401, anything else stays internal (500).
func classify(err error) *apierr.Error {
	var ae *apierr.Error
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.Is(err, resolvers.ErrRefused):
		return &apierr.Error{Name: "NotAllowedError", Status: http.StatusForbidden, Message: err.Error(), Cause: err}
	case errors.Is(err, providers.ErrAuthentication), errors.Is(err, identity.ErrInvalidToken):
		return &apierr.Error{Name: "AuthenticationError", Status: http.StatusUnauthorized, Message: err.Error(), Cause: err}
	case errors.Is(err, context.DeadlineExceeded):
		return &apierr.Error{Name: "ServiceUnavailableError", Status: http.StatusServiceUnavailable, Message: err.Error(), Cause: err}
	}
	return &apierr.Error{Name: "Error", Status: http.StatusInternalServerError, Message: err.Error(), Cause: err}
}

// setCookie sets a cookie with the plugin's defaults: HttpOnly, SameSite=Lax, Secure on https.
func (h *handler) setCookie(w http.ResponseWriter, name, value, path string, maxAge time.Duration) {
	c := &http.Cookie{Name: name, Value: value, Path: path, HttpOnly: true, Secure: h.secure, SameSite: http.SameSiteLaxMode}
	switch {
	case maxAge < 0:
		c.MaxAge = -1
	case maxAge > 0:
		c.MaxAge = int(maxAge / time.Second)
		c.Expires = h.opts.Now().Add(maxAge)
	}
	http.SetCookie(w, c)
}

func (h *handler) providerPath(id string) string { return h.cookiePath + "/" + id }

func (h *handler) refreshCookieName(id string) string { return id + "-refresh-token" }
