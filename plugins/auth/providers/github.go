package providers

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"golang.org/x/oauth2"

	"github.com/portico-dev/portico/config"
	"github.com/portico-dev/portico/plugins/auth/resolvers"
)

// accessTokenPrefix marks a refresh cookie that holds a GitHub OAuth App access token: those do
// not expire and come without a refresh token, so a "refresh" re-reads the profile with it.
const accessTokenPrefix = "at:"

// github signs in with a GitHub (or GitHub Enterprise) OAuth App or GitHub App.
type github struct {
	id     string
	oauth  oauth2.Config
	apiURL string
	client *http.Client
}

func newGitHub(id string, cfg *config.Config, opts Options) (*github, error) {
	if cfg == nil {
		return nil, fmt.Errorf("auth.providers.%s: missing configuration", id)
	}
	g := &github{id: id, client: opts.HTTPClient}
	extra, err := readOAuthClient(&g.oauth, cfg, opts, true)
	if err != nil {
		return nil, err
	}
	g.oauth.Scopes = scopes([]string{"read:user"}, extra)
	web, api := "https://github.com", "https://api.github.com"
	if ent, ok, err := cfg.OptionalString("enterpriseInstanceUrl"); err != nil {
		return nil, err
	} else if ok {
		web = strings.TrimRight(ent, "/")
		api = web + "/api/v3"
	}
	g.apiURL = api
	g.oauth.Endpoint = oauth2.Endpoint{AuthURL: web + "/login/oauth/authorize", TokenURL: web + "/login/oauth/access_token", AuthStyle: oauth2.AuthStyleInParams}
	return g, nil
}

func (g *github) AuthCodeURL(_ context.Context, req AuthRequest) (string, error) {
	oc := g.oauth
	oc.RedirectURL = req.RedirectURI
	oc.Scopes = scopes(oc.Scopes, []string{req.Scope})
	return oc.AuthCodeURL(req.State, oauth2.S256ChallengeOption(req.CodeVerifier)), nil
}

func (g *github) Exchange(ctx context.Context, code string, req AuthRequest) (Result, error) {
	oc := g.oauth
	oc.RedirectURL = req.RedirectURI
	tok, err := oc.Exchange(context.WithValue(ctx, oauth2.HTTPClient, g.client), code, oauth2.VerifierOption(req.CodeVerifier))
	if err != nil {
		return Result{}, fmt.Errorf("%w: github code exchange: %v", ErrAuthentication, err)
	}
	return g.result(ctx, tok)
}

func (g *github) Refresh(ctx context.Context, refreshToken, _ string) (Result, error) {
	if at, ok := strings.CutPrefix(refreshToken, accessTokenPrefix); ok {
		return g.result(ctx, &oauth2.Token{AccessToken: at, TokenType: "bearer"})
	}
	tok, err := g.oauth.TokenSource(context.WithValue(ctx, oauth2.HTTPClient, g.client), &oauth2.Token{RefreshToken: refreshToken}).Token()
	if err != nil {
		return Result{}, fmt.Errorf("%w: github refresh: %v", ErrAuthentication, err)
	}
	return g.result(ctx, tok)
}

func (g *github) result(ctx context.Context, tok *oauth2.Token) (Result, error) {
	var user struct {
		Login     string `json:"login"`
		Name      string `json:"name"`
		Email     string `json:"email"`
		AvatarURL string `json:"avatar_url"`
	}
	if err := g.get(ctx, tok.AccessToken, "/user", &user); err != nil {
		return Result{}, err
	}
	if user.Login == "" {
		return Result{}, fmt.Errorf("%w: github /user has no login", ErrAuthentication)
	}
	if user.Email == "" {
		// The public email may be hidden; the primary verified one needs user:email or read:user.
		var emails []struct {
			Email    string `json:"email"`
			Primary  bool   `json:"primary"`
			Verified bool   `json:"verified"`
		}
		if err := g.get(ctx, tok.AccessToken, "/user/emails", &emails); err == nil {
			for _, e := range emails {
				if e.Primary && e.Verified {
					user.Email = e.Email
				}
			}
		}
	}
	name := user.Name
	if name == "" {
		name = user.Login
	}
	res := tokenResult(tok, resolvers.Info{
		ProviderID: g.id,
		Username:   user.Login,
		Profile:    resolvers.Profile{Email: user.Email, DisplayName: name, Picture: user.AvatarURL},
	})
	if res.RefreshToken == "" {
		res.RefreshToken = accessTokenPrefix + tok.AccessToken
	}
	return res, nil
}

func (g *github) get(ctx context.Context, accessToken, path string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, g.apiURL+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/vnd.github+json")
	resp, err := g.client.Do(req)
	if err != nil {
		return fmt.Errorf("github %s: %w", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("github %s: %w", path, err)
	}
	if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
		return fmt.Errorf("%w: github %s: status %d", ErrAuthentication, path, resp.StatusCode)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("github %s: status %d", path, resp.StatusCode)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("github %s: %w", path, err)
	}
	return nil
}
