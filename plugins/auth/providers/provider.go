// Package providers implements the sign-in providers of the auth plugin: OAuth 2 / OpenID
// Connect identity providers the browser is sent to (oidc, github, and the gitlab, google and
// microsoft presets), and providers that read the identity from the request itself (guest,
// oauth2Proxy). They only talk to the identity provider; state, cookies, resolvers and tokens
// are the auth plugin's routes' business.
package providers

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/portico-dev/portico/config"
	"github.com/portico-dev/portico/plugins/auth/resolvers"
	"golang.org/x/oauth2"
)

// ErrAuthentication is wrapped by failures that mean "this person is not signed in" (a refused
// code, an invalid ID token, missing proxy headers), as opposed to configuration or network
// errors.
var ErrAuthentication = errors.New("authentication failed")

// ProviderInfo is what the provider gave us, passed on to the frontend as Backstage does.
type ProviderInfo struct {
	AccessToken      string `json:"accessToken,omitempty"`
	IDToken          string `json:"idToken,omitempty"`
	Scope            string `json:"scope,omitempty"`
	ExpiresInSeconds int64  `json:"expiresInSeconds,omitempty"`
}

// Result is a successful authentication.
type Result struct {
	Info         resolvers.Info
	ProviderInfo ProviderInfo
	// RefreshToken goes into the provider's refresh cookie ("" when there is none).
	RefreshToken string
}

// AuthRequest is one authorization request: the values the routes keep in the signed state
// cookie between /start and the callback.
type AuthRequest struct {
	State        string
	Nonce        string // the OpenID Connect nonce (checked in the ID token)
	CodeVerifier string // PKCE
	Scope        string // extra scopes the frontend asked for
	RedirectURI  string
}

// OAuth is a provider the browser is redirected to.
type OAuth interface {
	AuthCodeURL(ctx context.Context, req AuthRequest) (string, error)
	Exchange(ctx context.Context, code string, req AuthRequest) (Result, error)
	Refresh(ctx context.Context, refreshToken, scope string) (Result, error)
}

// Proxy is a provider that reads the identity from the request (guest, oauth2Proxy).
type Proxy interface {
	Authenticate(r *http.Request) (Result, error)
}

// Options are what every provider needs besides its own config block.
type Options struct {
	// CallbackURL is the default redirect_uri: <auth external base>/<id>/handler/frame.
	CallbackURL string
	// HTTPClient talks to the identity provider (default http.DefaultClient).
	HTTPClient *http.Client
	// Development is auth.environment == "development" (the guest provider refuses to run
	// elsewhere unless told to).
	Development bool
}

// New builds the built-in provider configured under auth.providers.<id> (already narrowed to
// the environment's block for OAuth providers). It returns an OAuth or a Proxy.
func New(id string, cfg *config.Config, opts Options) (any, error) {
	return NewRegistry().New(id, cfg, opts)
}

// scopes merges scope lists (space or comma separated), dropping duplicates, keeping order.
func scopes(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		for _, s := range l {
			for f := range strings.FieldsFuncSeq(s, func(r rune) bool { return r == ' ' || r == ',' }) {
				if !slices.Contains(out, f) {
					out = append(out, f)
				}
			}
		}
	}
	return out
}

// stringsOrString reads a key that may be a string or a list of strings (additionalScopes).
func stringsOrString(cfg *config.Config, key string) ([]string, error) {
	v, ok := cfg.Get(key)
	if !ok {
		return nil, nil
	}
	if s, ok := v.(string); ok {
		return []string{s}, nil
	}
	l, _, err := cfg.OptionalStringArray(key)
	return l, err
}

// readOAuthClient reads the OAuth client keys every provider has: clientId, clientSecret
// (required or optional), callbackUrl (default opts.CallbackURL) and additionalScopes, which it
// returns for the provider to add to its own scopes.
func readOAuthClient(c *oauth2.Config, cfg *config.Config, opts Options, secretRequired bool) (extraScopes []string, err error) {
	if c.ClientID, err = cfg.String("clientId"); err != nil {
		return nil, err
	}
	if secretRequired {
		c.ClientSecret, err = cfg.String("clientSecret")
	} else {
		c.ClientSecret, _, err = cfg.OptionalString("clientSecret")
	}
	if err != nil {
		return nil, err
	}
	if c.RedirectURL, err = optString(cfg, "callbackUrl", opts.CallbackURL); err != nil {
		return nil, err
	}
	return stringsOrString(cfg, "additionalScopes")
}

// tokenResult is the result of a sign-in that got tok for the user info describes.
func tokenResult(tok *oauth2.Token, info resolvers.Info) Result {
	var expiresIn int64
	if !tok.Expiry.IsZero() {
		expiresIn = int64(time.Until(tok.Expiry).Seconds())
	}
	scope, _ := tok.Extra("scope").(string)
	return Result{
		Info:         info,
		ProviderInfo: ProviderInfo{AccessToken: tok.AccessToken, Scope: scope, ExpiresInSeconds: expiresIn},
		RefreshToken: tok.RefreshToken,
	}
}
