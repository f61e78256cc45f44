package providers

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/portico-dev/portico/config"
	"github.com/portico-dev/portico/plugins/auth/resolvers"
)

// oidcProvider is a generic OpenID Connect relying party: authorization code with PKCE, state
// and nonce; the ID token is verified against the provider's JWKS.
type oidcProvider struct {
	id          string
	metadataURL string
	oauth       oauth2.Config
	prompt      string // "" omits the parameter
	skipIssuer  bool
	client      *http.Client
	usernameKey string // ID token claim holding the login name (gitlab: nickname)

	mu       sync.Mutex
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
}

func newOIDC(id string, cfg *config.Config, opts Options) (*oidcProvider, error) {
	if cfg == nil {
		return nil, fmt.Errorf("auth.providers.%s: missing configuration", id)
	}
	if cfg.Has("scope") {
		return nil, fmt.Errorf("auth.providers.%s: the scope key is not supported, use additionalScopes", id)
	}
	p := &oidcProvider{id: id, client: opts.HTTPClient}
	extra, err := readOAuthClient(&p.oauth, cfg, opts, false)
	if err != nil {
		return nil, err
	}
	base := []string{"openid", "profile", "email", "offline_access"}
	prompt := "none"
	switch id {
	case "google":
		p.metadataURL = "https://accounts.google.com/.well-known/openid-configuration"
		prompt = "auto"
	case "microsoft":
		tenant, err := optString(cfg, "tenantId", "common")
		if err != nil {
			return nil, err
		}
		p.metadataURL = "https://login.microsoftonline.com/" + tenant + "/v2.0/.well-known/openid-configuration"
		// The multi-tenant endpoints sign ID tokens with the user's own tenant as issuer.
		p.skipIssuer = tenant == "common" || tenant == "organizations" || tenant == "consumers"
		prompt = "auto"
	case "gitlab":
		audience, err := optString(cfg, "audience", "https://gitlab.com")
		if err != nil {
			return nil, err
		}
		p.metadataURL = strings.TrimRight(audience, "/") + "/.well-known/openid-configuration"
		base = []string{"openid", "profile", "email", "read_user"}
		p.usernameKey = "nickname"
		prompt = "auto"
	}
	if p.metadataURL, err = optString(cfg, "metadataUrl", p.metadataURL); err != nil {
		return nil, err
	}
	if p.metadataURL == "" {
		return nil, fmt.Errorf("auth.providers.%s: metadataUrl is required", id)
	}
	if p.prompt, err = optString(cfg, "prompt", prompt); err != nil {
		return nil, err
	}
	if p.prompt == "auto" {
		p.prompt = ""
	}
	switch m, _, err := cfg.OptionalString("tokenEndpointAuthMethod"); {
	case err != nil:
		return nil, err
	case m == "client_secret_basic":
		p.oauth.Endpoint.AuthStyle = oauth2.AuthStyleInHeader
	case m == "client_secret_post":
		p.oauth.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	case m != "":
		return nil, fmt.Errorf("auth.providers.%s.tokenEndpointAuthMethod: %q is not supported (client_secret_basic or client_secret_post)", id, m)
	}
	p.oauth.Scopes = scopes(base, extra)
	return p, nil
}

func optString(cfg *config.Config, key, def string) (string, error) {
	s, ok, err := cfg.OptionalString(key)
	if err != nil || !ok {
		return def, err
	}
	return s, nil
}

// discover reads the provider's metadata on first use (and again after a failure), so a
// portal starts even while its identity provider is down.
func (p *oidcProvider) discover(ctx context.Context) (*oidc.Provider, *oidc.IDTokenVerifier, oauth2.Config, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.provider != nil {
		return p.provider, p.verifier, p.oauth, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.metadataURL, nil)
	if err != nil {
		return nil, nil, oauth2.Config{}, fmt.Errorf("%s metadata: %w", p.id, err)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, nil, oauth2.Config{}, fmt.Errorf("%s metadata %s: %w", p.id, p.metadataURL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil || resp.StatusCode != http.StatusOK {
		return nil, nil, oauth2.Config{}, fmt.Errorf("%s metadata %s: status %d %v", p.id, p.metadataURL, resp.StatusCode, err)
	}
	var md struct {
		Issuer      string   `json:"issuer"`
		AuthURL     string   `json:"authorization_endpoint"`
		TokenURL    string   `json:"token_endpoint"`
		UserInfoURL string   `json:"userinfo_endpoint"`
		JWKSURL     string   `json:"jwks_uri"`
		Algs        []string `json:"id_token_signing_alg_values_supported"`
	}
	if err := json.Unmarshal(body, &md); err != nil || md.Issuer == "" || md.AuthURL == "" || md.TokenURL == "" || md.JWKSURL == "" {
		return nil, nil, oauth2.Config{}, fmt.Errorf("%s metadata %s: not an OpenID provider configuration (%v)", p.id, p.metadataURL, err)
	}
	pc := oidc.ProviderConfig{IssuerURL: md.Issuer, AuthURL: md.AuthURL, TokenURL: md.TokenURL, UserInfoURL: md.UserInfoURL, JWKSURL: md.JWKSURL, Algorithms: md.Algs}
	// The key set fetches keys with the client in this context for the provider's lifetime.
	provider := pc.NewProvider(oidc.ClientContext(context.WithoutCancel(ctx), p.client))
	p.provider = provider
	p.verifier = provider.Verifier(&oidc.Config{ClientID: p.oauth.ClientID, SkipIssuerCheck: p.skipIssuer})
	style := p.oauth.Endpoint.AuthStyle
	p.oauth.Endpoint = provider.Endpoint()
	p.oauth.Endpoint.AuthStyle = style
	return p.provider, p.verifier, p.oauth, nil
}

func (p *oidcProvider) AuthCodeURL(ctx context.Context, req AuthRequest) (string, error) {
	_, _, oc, err := p.discover(ctx)
	if err != nil {
		return "", err
	}
	oc.RedirectURL = req.RedirectURI
	oc.Scopes = scopes(oc.Scopes, []string{req.Scope})
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(req.CodeVerifier), oidc.Nonce(req.Nonce)}
	if p.prompt != "" {
		opts = append(opts, oauth2.SetAuthURLParam("prompt", p.prompt))
	}
	return oc.AuthCodeURL(req.State, opts...), nil
}

func (p *oidcProvider) Exchange(ctx context.Context, code string, req AuthRequest) (Result, error) {
	provider, verifier, oc, err := p.discover(ctx)
	if err != nil {
		return Result{}, err
	}
	oc.RedirectURL = req.RedirectURI
	ctx = oidc.ClientContext(ctx, p.client)
	tok, err := oc.Exchange(ctx, code, oauth2.VerifierOption(req.CodeVerifier))
	if err != nil {
		return Result{}, fmt.Errorf("%w: %s code exchange: %v", ErrAuthentication, p.id, err)
	}
	return p.result(ctx, provider, verifier, tok, req.Nonce, true)
}

func (p *oidcProvider) Refresh(ctx context.Context, refreshToken, _ string) (Result, error) {
	provider, verifier, oc, err := p.discover(ctx)
	if err != nil {
		return Result{}, err
	}
	ctx = oidc.ClientContext(ctx, p.client)
	tok, err := oc.TokenSource(ctx, &oauth2.Token{RefreshToken: refreshToken}).Token()
	if err != nil {
		return Result{}, fmt.Errorf("%w: %s refresh: %v", ErrAuthentication, p.id, err)
	}
	return p.result(ctx, provider, verifier, tok, "", false)
}

// result verifies the ID token (required after a code exchange, optional after a refresh) and
// builds the profile from its claims, asking the userinfo endpoint for what they lack.
func (p *oidcProvider) result(ctx context.Context, provider *oidc.Provider, verifier *oidc.IDTokenVerifier, tok *oauth2.Token, nonce string, requireIDToken bool) (Result, error) {
	var claims struct {
		Email    string `json:"email"`
		Name     string `json:"name"`
		Picture  string `json:"picture"`
		Nickname string `json:"nickname"`
		Username string `json:"preferred_username"`
	}
	rawID, _ := tok.Extra("id_token").(string)
	if rawID == "" && requireIDToken {
		return Result{}, fmt.Errorf("%w: %s returned no ID token", ErrAuthentication, p.id)
	}
	if rawID != "" {
		idt, err := verifier.Verify(ctx, rawID)
		if err != nil {
			return Result{}, fmt.Errorf("%w: %s ID token: %v", ErrAuthentication, p.id, err)
		}
		if requireIDToken && idt.Nonce != nonce {
			return Result{}, fmt.Errorf("%w: %s ID token nonce does not match", ErrAuthentication, p.id)
		}
		if err := idt.Claims(&claims); err != nil {
			return Result{}, fmt.Errorf("%w: %s ID token claims: %v", ErrAuthentication, p.id, err)
		}
	}
	if (claims.Email == "" || rawID == "") && provider.UserInfoEndpoint() != "" {
		ui, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			return Result{}, fmt.Errorf("%s userinfo: %w", p.id, err)
		}
		if err := ui.Claims(&claims); err != nil {
			return Result{}, fmt.Errorf("%s userinfo claims: %w", p.id, err)
		}
	}
	username := claims.Username
	if p.usernameKey == "nickname" && claims.Nickname != "" {
		username = claims.Nickname
	}
	res := tokenResult(tok, resolvers.Info{
		ProviderID: p.id,
		Username:   username,
		Profile:    resolvers.Profile{Email: claims.Email, DisplayName: claims.Name, Picture: claims.Picture},
	})
	res.ProviderInfo.IDToken = rawID
	return res, nil
}
