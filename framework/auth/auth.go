// Package auth is Portico's core auth service: it turns bearer tokens into Credentials (user
// identity tokens issued by the auth plugin, plugin-to-plugin service tokens, and external
// access tokens configured under backend.auth.externalAccess), issues service tokens for
// outgoing calls, and carries Credentials in request contexts.
//
// The shapes mirror Backstage's coreServices.auth and coreServices.httpAuth so plugins written
// against them read the same way. The HTTP barrier that applies the default policy lives in the
// framework's plugin router; this package holds what it needs.
package auth

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// UserPrincipal is a signed-in person.
type UserPrincipal struct {
	// UserEntityRef is the full ref of the user, e.g. "user:default/jane".
	UserEntityRef string
	// OwnershipEntityRefs are the refs the user owns through (from the token's ent claim).
	OwnershipEntityRefs []string
	// Token is the raw user token, for on-behalf-of calls.
	Token string
}

// ServicePrincipal is another plugin ("plugin:catalog") or an external caller
// ("external:<subject>").
type ServicePrincipal struct {
	Subject string
	// AccessRestrictions limit what an external caller may do; nil means unrestricted.
	AccessRestrictions *AccessRestrictions
}

// NonePrincipal is an anonymous caller.
type NonePrincipal struct{}

// Credentials say who is calling. Principal is a UserPrincipal, ServicePrincipal or
// NonePrincipal, by value.
type Credentials struct {
	Principal any
	// ExpiresAt is when the token behind the credentials expires (zero when unknown or never).
	ExpiresAt time.Time
}

// User returns the user principal, if the credentials are a user's.
func (c Credentials) User() (UserPrincipal, bool) {
	u, ok := c.Principal.(UserPrincipal)
	return u, ok
}

// Service returns the service principal, if the credentials are a service's.
func (c Credentials) Service() (ServicePrincipal, bool) {
	s, ok := c.Principal.(ServicePrincipal)
	return s, ok
}

// IsNone reports whether the credentials are anonymous (no or a none principal).
func (c Credentials) IsNone() bool {
	switch c.Principal.(type) {
	case UserPrincipal, ServicePrincipal:
		return false
	}
	return true
}

// Type is "user", "service" or "none", as Backstage names principal types.
func (c Credentials) Type() string {
	switch c.Principal.(type) {
	case UserPrincipal:
		return "user"
	case ServicePrincipal:
		return "service"
	}
	return "none"
}

// None returns anonymous credentials.
func None() Credentials { return Credentials{Principal: NonePrincipal{}} }

// AccessRestrictions narrow what an external access token may do at the plugin it was
// accepted by (config accessRestrictions: a token is refused with 403 by plugins not listed).
// Permission names and attributes (e.g. "action": ["read"]) are kept for the permission
// framework, which denies any check outside them.
type AccessRestrictions struct {
	PermissionNames      []string
	PermissionAttributes map[string][]string
}

type credentialsKey struct{}

// WithCredentials returns ctx carrying c.
func WithCredentials(ctx context.Context, c Credentials) context.Context {
	return context.WithValue(ctx, credentialsKey{}, c)
}

// FromContext returns the credentials ctx carries (set by the router middleware, or by the
// root web middleware from the portico-token cookie).
func FromContext(ctx context.Context) (Credentials, bool) {
	c, ok := ctx.Value(credentialsKey{}).(Credentials)
	return c, ok
}

// ErrUnauthenticated is wrapped by every error that means "the token is not acceptable";
// it maps to 401 AuthenticationError.
var ErrUnauthenticated = errors.New("unauthenticated")

// ErrNotAllowed is wrapped when a valid token may not be used here (access restrictions);
// it maps to 403 NotAllowedError.
var ErrNotAllowed = errors.New("not allowed")

// Service is the core auth service, one per plugin.
type Service interface {
	// Authenticate verifies a user, service or external access token. Errors wrap
	// ErrUnauthenticated (bad token) or ErrNotAllowed (valid token restricted elsewhere).
	Authenticate(ctx context.Context, token string) (Credentials, error)
	// GetOwnServiceCredentials returns credentials of the plugin itself ("plugin:<id>").
	GetOwnServiceCredentials() Credentials
	// GetPluginRequestToken returns a token to call targetPluginID on behalf of the given
	// credentials (a user's, or a service's including the plugin's own).
	GetPluginRequestToken(ctx context.Context, onBehalfOf Credentials, targetPluginID string) (string, error)
	// GetLimitedUserToken returns a limited user token (for cookies) for user credentials.
	GetLimitedUserToken(ctx context.Context, user Credentials) (token string, expiresAt time.Time, err error)
}

// HTTPAuth is the core httpAuth service, one per plugin.
type HTTPAuth interface {
	// Credentials returns the credentials the router middleware put in the request context
	// (NonePrincipal when the request carried none).
	Credentials(r *http.Request) (Credentials, error)
	// IssueUserCookie sets the portico-token cookie to a limited user token for the caller.
	IssueUserCookie(w http.ResponseWriter, r *http.Request) error
}

// CookieName is the cookie carrying the user identity token for the web UI and for cookie
// authentication of safe requests.
const CookieName = "portico-token"

// Token types (the JWT typ header).
const (
	TypeUser        = "vnd.backstage.user"
	TypeLimitedUser = "vnd.backstage.limited-user"
	TypePlugin      = "vnd.backstage.plugin"
)
