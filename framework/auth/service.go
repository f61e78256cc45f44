package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Discovery tells where a plugin's API is reachable (framework.Discovery satisfies it).
type Discovery interface {
	BaseURL(pluginID string) string
	ExternalBaseURL(pluginID string) string
}

// Well-known paths.
const (
	// PluginJWKSPath is where every plugin publishes the public keys of its service tokens,
	// relative to its base URL.
	PluginJWKSPath = "/.backstage/auth/v1/jwks.json"
	// UserJWKSPath is where the auth plugin publishes the public keys of user tokens.
	UserJWKSPath = "/.well-known/jwks.json"
	// AuthPluginID is the plugin that issues user tokens.
	AuthPluginID = "auth"
)

// RootOptions build the backend-wide part of the auth service.
type RootOptions struct {
	Config    Config
	Discovery Discovery
	// HTTPClient fetches key sets (a client with a 10s timeout by default).
	HTTPClient *http.Client
	Logger     *slog.Logger
	Now        func() time.Time
	// JWKSCacheTTL, JWKSCooldown and MaxKeySets tune remote key set caching (defaults in
	// jwks.go).
	JWKSCacheTTL time.Duration
	JWKSCooldown time.Duration
	MaxKeySets   int
	// Plugins are the IDs of plugins whose service and limited user tokens may be verified,
	// besides those ForPlugin made a service for (this backend's own): the plugins other
	// backends serve, as discovery.endpoints lists them. Tokens naming any other plugin are
	// refused before any key is fetched.
	Plugins []string
}

// Root is the backend-wide part of the auth service: config, discovery and the cache of remote
// key sets, shared by the per-plugin services.
type Root struct {
	cfg     Config
	disc    Discovery
	now     func() time.Time
	log     *slog.Logger
	keySets *remoteKeySets

	mu      sync.RWMutex
	plugins map[string]bool // plugins whose keys may be fetched
}

// NewRoot returns the backend-wide auth root.
func NewRoot(opts RootOptions) *Root {
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.JWKSCacheTTL <= 0 {
		opts.JWKSCacheTTL = DefaultJWKSCacheTTL
	}
	if opts.JWKSCooldown <= 0 {
		opts.JWKSCooldown = DefaultJWKSCooldown
	}
	if opts.MaxKeySets <= 0 {
		opts.MaxKeySets = DefaultMaxKeySets
	}
	plugins := map[string]bool{}
	for _, id := range opts.Plugins {
		plugins[id] = true
	}
	return &Root{
		cfg:     opts.Config,
		disc:    opts.Discovery,
		now:     opts.Now,
		log:     opts.Logger,
		keySets: newRemoteKeySets(opts.HTTPClient, opts.Now, opts.JWKSCacheTTL, opts.JWKSCooldown, opts.MaxKeySets),
		plugins: plugins,
	}
}

// knownPlugin reports whether tokens signed by pluginID's keys may be verified: the plugin
// runs in this backend, or is one of RootOptions.Plugins. An attacker's token naming any other
// plugin must not make us fetch (and cache) a key set.
func (r *Root) knownPlugin(pluginID string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.plugins[pluginID]
}

// CachedKeySets is the number of remote key sets in the cache (for tests and metrics).
func (r *Root) CachedKeySets() int { return r.keySets.len() }

// DefaultPolicyDisabled reports backend.auth.dangerouslyDisableDefaultAuthPolicy.
func (r *Root) DefaultPolicyDisabled() bool { return r.cfg.DangerouslyDisableDefaultAuthPolicy }

// AuthenticateUser verifies a user token (as carried by the portico-token cookie) and returns
// the user's credentials. Limited user tokens are accepted only with allowLimited.
func (r *Root) AuthenticateUser(ctx context.Context, token string, allowLimited bool) (Credentials, error) {
	typ, _, ok := peekHeader(token)
	if !ok {
		return Credentials{}, fmt.Errorf("%w: illegal token", ErrUnauthenticated)
	}
	return r.verifyUser(ctx, token, typ, allowLimited)
}

func (r *Root) pluginJWKSURL(pluginID string) string {
	return strings.TrimRight(r.disc.BaseURL(pluginID), "/") + PluginJWKSPath
}

// verifyUser verifies a user token (signed by the auth plugin) or a limited user token (signed
// by a plugin's service key, named in iss as "plugin:<id>").
func (r *Root) verifyUser(ctx context.Context, token, typ string, allowLimited bool) (Credentials, error) {
	p, err := parseJWT(token, jose.ES256)
	if err != nil {
		return Credentials{}, err
	}
	var jwksURL string
	switch typ {
	case TypeUser, "":
		jwksURL = strings.TrimRight(r.disc.BaseURL(AuthPluginID), "/") + UserJWKSPath
	case TypeLimitedUser:
		if !allowLimited {
			return Credentials{}, fmt.Errorf("%w: illegal limited user token", ErrUnauthenticated)
		}
		var unverified jwt.Claims
		if err := p.tok.UnsafeClaimsWithoutVerification(&unverified); err != nil {
			return Credentials{}, fmt.Errorf("%w: malformed token: %w", ErrUnauthenticated, err)
		}
		issuer, ok := strings.CutPrefix(unverified.Issuer, "plugin:")
		if !ok || !pluginSubjectPattern.MatchString(issuer) {
			return Credentials{}, fmt.Errorf("%w: limited user token has no plugin issuer", ErrUnauthenticated)
		}
		if !r.knownPlugin(issuer) {
			return Credentials{}, fmt.Errorf("%w: limited user token: unknown issuing plugin", ErrUnauthenticated)
		}
		jwksURL = r.pluginJWKSURL(issuer)
	default:
		return Credentials{}, fmt.Errorf("%w: unexpected token type %q", ErrUnauthenticated, typ)
	}
	key, err := r.keySets.key(ctx, jwksURL, p.kid)
	if err != nil {
		return Credentials{}, err
	}
	var c userClaims
	if err := p.tok.Claims(key, &c); err != nil {
		return Credentials{}, fmt.Errorf("%w: user token: %w", ErrUnauthenticated, err)
	}
	expected := jwt.Expected{Time: r.now()}
	if typ != TypeLimitedUser {
		expected.AnyAudience = jwt.Audience{UserAudience}
	}
	if err := c.ValidateWithLeeway(expected, 0); err != nil {
		return Credentials{}, fmt.Errorf("%w: user token: %w", ErrUnauthenticated, err)
	}
	if c.Subject == "" || c.Expiry == nil || c.IssuedAt == nil {
		return Credentials{}, fmt.Errorf("%w: user token: missing sub, iat or exp", ErrUnauthenticated)
	}
	ent := c.Ent
	if len(ent) == 0 {
		ent = []string{c.Subject}
	}
	return Credentials{
		Principal: UserPrincipal{UserEntityRef: c.Subject, OwnershipEntityRefs: ent, Token: token},
		ExpiresAt: c.Expiry.Time(),
	}, nil
}

// PluginService is the auth service of one plugin.
type PluginService struct {
	root     *Root
	pluginID string
	keys     *KeyStore
}

var _ Service = (*PluginService)(nil)

// ForPlugin returns the auth service of pluginID, signing with keys. pluginID becomes a known
// plugin: other plugins verify its tokens.
func (r *Root) ForPlugin(pluginID string, keys *KeyStore) *PluginService {
	r.mu.Lock()
	r.plugins[pluginID] = true
	r.mu.Unlock()
	return &PluginService{root: r, pluginID: pluginID, keys: keys}
}

// Root returns the backend-wide part the service was made from.
func (s *PluginService) Root() *Root { return s.root }

// Keys returns the plugin's key store.
func (s *PluginService) Keys() *KeyStore { return s.keys }

// AuthenticateOptions tune AuthenticateWith.
type AuthenticateOptions struct {
	// AllowLimitedAccess accepts limited user tokens (routes with the user-cookie policy).
	AllowLimitedAccess bool
}

// Authenticate verifies a user, service or external access token for this plugin.
func (s *PluginService) Authenticate(ctx context.Context, token string) (Credentials, error) {
	return s.AuthenticateWith(ctx, token, AuthenticateOptions{})
}

// AuthenticateWith is Authenticate with options.
func (s *PluginService) AuthenticateWith(ctx context.Context, token string, opts AuthenticateOptions) (Credentials, error) {
	return s.root.authenticate(ctx, s, token, opts)
}

// AuthenticateWeb verifies the token of a web UI page request (outside any plugin): user
// tokens and unrestricted external access tokens; plugin tokens, which are addressed to one
// plugin, and external tokens restricted to some plugins are refused.
func (r *Root) AuthenticateWeb(ctx context.Context, token string) (Credentials, error) {
	return r.authenticate(ctx, nil, token, AuthenticateOptions{})
}

// authenticate verifies token for plugin p (nil: a web page).
func (r *Root) authenticate(ctx context.Context, p *PluginService, token string, opts AuthenticateOptions) (Credentials, error) {
	if token == "" {
		return Credentials{}, fmt.Errorf("%w: missing credentials", ErrUnauthenticated)
	}
	typ, _, isJWT := peekHeader(token)
	if isJWT {
		switch typ {
		case TypePlugin:
			if p == nil {
				return Credentials{}, fmt.Errorf("%w: plugin tokens are not accepted here", ErrUnauthenticated)
			}
			return p.verifyPluginToken(ctx, token)
		case TypeUser, TypeLimitedUser:
			return r.verifyUser(ctx, token, typ, opts.AllowLimitedAccess)
		case "":
			// Older user tokens carry no typ: recognised by their audience, as in Backstage.
			if looksLikeLegacyUserToken(token) {
				return r.verifyUser(ctx, token, "", false)
			}
		}
	}
	res, err := r.verifyExternal(ctx, token)
	if err != nil {
		return Credentials{}, err
	}
	sp := ServicePrincipal{Subject: res.subject}
	if res.entry.AccessRestrictions != nil {
		pluginID := ""
		if p != nil {
			pluginID = p.pluginID
		}
		ar, ok := res.entry.AccessRestrictions[pluginID]
		if !ok {
			plugins := make([]string, 0, len(res.entry.AccessRestrictions))
			for p := range res.entry.AccessRestrictions {
				plugins = append(plugins, "'"+p+"'")
			}
			slices.Sort(plugins)
			return Credentials{}, fmt.Errorf("%w: this token's access is restricted to plugin(s) %s", ErrNotAllowed, strings.Join(plugins, ", "))
		}
		if len(ar.PermissionNames) > 0 || len(ar.PermissionAttributes) > 0 {
			sp.AccessRestrictions = &ar
		}
	}
	c := Credentials{Principal: sp}
	if res.expiry != nil {
		c.ExpiresAt = res.expiry.Time()
	}
	return c, nil
}

func (s *PluginService) verifyPluginToken(ctx context.Context, token string) (Credentials, error) {
	p, err := parseJWT(token, jose.ES256)
	if err != nil {
		return Credentials{}, err
	}
	var unverified pluginClaims
	if err := p.tok.UnsafeClaimsWithoutVerification(&unverified); err != nil {
		return Credentials{}, fmt.Errorf("%w: malformed token: %w", ErrUnauthenticated, err)
	}
	issuer := unverified.Subject
	if !pluginSubjectPattern.MatchString(issuer) {
		return Credentials{}, fmt.Errorf("%w: plugin token: illegal subject", ErrUnauthenticated)
	}
	// Check the audience before fetching keys: a token for another plugin is refused cheaply.
	if !unverified.Audience.Contains(s.pluginID) {
		return Credentials{}, fmt.Errorf("%w: plugin token: invalid audience, want %q", ErrUnauthenticated, s.pluginID)
	}
	// Only plugins that exist have keys: a made-up subject costs no fetch and no cache entry.
	if !s.root.knownPlugin(issuer) {
		return Credentials{}, fmt.Errorf("%w: plugin token: unknown issuing plugin", ErrUnauthenticated)
	}
	key, err := s.root.keySets.key(ctx, s.root.pluginJWKSURL(issuer), p.kid)
	if err != nil {
		return Credentials{}, err
	}
	var c pluginClaims
	if err := p.tok.Claims(key, &c); err != nil {
		return Credentials{}, fmt.Errorf("%w: plugin token: %w", ErrUnauthenticated, err)
	}
	if err := c.ValidateWithLeeway(jwt.Expected{Time: s.root.now(), AnyAudience: jwt.Audience{s.pluginID}, Subject: issuer}, 0); err != nil {
		return Credentials{}, fmt.Errorf("%w: plugin token: %w", ErrUnauthenticated, err)
	}
	if c.Expiry == nil || c.IssuedAt == nil {
		return Credentials{}, fmt.Errorf("%w: plugin token: missing iat or exp", ErrUnauthenticated)
	}
	if c.OBO != "" {
		typ, _, ok := peekHeader(c.OBO)
		if !ok {
			return Credentials{}, fmt.Errorf("%w: plugin token: illegal obo token", ErrUnauthenticated)
		}
		user, err := s.root.verifyUser(ctx, c.OBO, typ, true)
		if err != nil {
			return Credentials{}, fmt.Errorf("plugin token on behalf of user: %w", err)
		}
		if exp := c.Expiry.Time(); exp.Before(user.ExpiresAt) {
			user.ExpiresAt = exp
		}
		return user, nil
	}
	return Credentials{Principal: ServicePrincipal{Subject: "plugin:" + issuer}, ExpiresAt: c.Expiry.Time()}, nil
}

// GetOwnServiceCredentials returns the credentials of the plugin itself.
func (s *PluginService) GetOwnServiceCredentials() Credentials {
	return Credentials{Principal: ServicePrincipal{Subject: "plugin:" + s.pluginID}}
}

// ErrNoCredentials is returned when a token is requested on behalf of nobody.
var ErrNoCredentials = errors.New("no credentials to issue a token on behalf of")

// GetPluginRequestToken returns a service token for calling targetPluginID: a plain plugin
// token for service credentials, one carrying the user's token (obo) for user credentials.
// For anonymous credentials it fails, or returns "" when the default auth policy is disabled.
func (s *PluginService) GetPluginRequestToken(ctx context.Context, onBehalfOf Credentials, targetPluginID string) (string, error) {
	if !pluginSubjectPattern.MatchString(targetPluginID) {
		return "", fmt.Errorf("plugin request token: illegal target plugin %q", targetPluginID)
	}
	now := s.root.now()
	key, keyExpiry, err := s.keys.SigningKey(ctx)
	if err != nil {
		return "", fmt.Errorf("plugin request token: %w", err)
	}
	exp := now.Add(s.keys.TokenLifetime())
	if exp.After(keyExpiry) {
		exp = keyExpiry
	}
	claims := pluginClaims{Claims: jwt.Claims{
		Subject:  s.pluginID,
		Audience: jwt.Audience{targetPluginID},
		IssuedAt: jwt.NewNumericDate(now),
	}}
	switch p := onBehalfOf.Principal.(type) {
	case ServicePrincipal:
	case UserPrincipal:
		if p.Token == "" {
			return "", fmt.Errorf("plugin request token: user credentials carry no token")
		}
		claims.OBO = p.Token
		if !onBehalfOf.ExpiresAt.IsZero() && onBehalfOf.ExpiresAt.Before(exp) {
			exp = onBehalfOf.ExpiresAt
		}
	default:
		if s.root.cfg.DangerouslyDisableDefaultAuthPolicy {
			return "", nil
		}
		return "", fmt.Errorf("plugin request token: %w", ErrNoCredentials)
	}
	claims.Expiry = jwt.NewNumericDate(exp)
	return sign(key, TypePlugin, claims)
}

// GetLimitedUserToken returns a limited user token for user credentials, signed with the
// plugin's key and verifiable by every plugin (through this plugin's JWKS).
func (s *PluginService) GetLimitedUserToken(ctx context.Context, user Credentials) (string, time.Time, error) {
	u, ok := user.User()
	if !ok {
		return "", time.Time{}, fmt.Errorf("limited user token: credentials are not a user's")
	}
	now := s.root.now()
	key, keyExpiry, err := s.keys.SigningKey(ctx)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("limited user token: %w", err)
	}
	exp := now.Add(s.keys.TokenLifetime())
	if exp.After(keyExpiry) {
		exp = keyExpiry
	}
	if !user.ExpiresAt.IsZero() && user.ExpiresAt.Before(exp) {
		exp = user.ExpiresAt
	}
	claims := userClaims{Claims: jwt.Claims{
		Issuer:   "plugin:" + s.pluginID,
		Subject:  u.UserEntityRef,
		IssuedAt: jwt.NewNumericDate(now),
		Expiry:   jwt.NewNumericDate(exp),
	}, Ent: u.OwnershipEntityRefs}
	tok, err := sign(key, TypeLimitedUser, claims)
	if err != nil {
		return "", time.Time{}, err
	}
	return tok, exp.Truncate(time.Second), nil
}

// looksLikeLegacyUserToken reports whether an untyped ES256 JWT names the user audience.
func looksLikeLegacyUserToken(token string) bool {
	tok, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		return false
	}
	var c jwt.Claims
	return tok.UnsafeClaimsWithoutVerification(&c) == nil && c.Audience.Contains(UserAudience)
}
