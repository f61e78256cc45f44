package auth

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/portico-dev/portico/config"
	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/plugins/auth/providers"
)

func TestReadSettings(t *testing.T) {
	oidc := map[string]any{"metadataUrl": "http://idp.example/.well-known/openid-configuration", "clientId": "c", "clientSecret": "s"}
	tests := []struct {
		name      string
		cfg       map[string]any
		providers string // sorted ids
		err       string
	}{
		{name: "no auth config: guest in development", cfg: map[string]any{}, providers: "guest"},
		{name: "no providers in production: none", cfg: map[string]any{"auth": map[string]any{"environment": "production"}}, providers: ""},
		{name: "guest refused outside development", cfg: map[string]any{"auth": map[string]any{"environment": "production", "providers": map[string]any{"guest": map[string]any{}}}}, err: "dangerouslyAllowOutsideDevelopment"},
		{name: "guest allowed outside development when told", cfg: map[string]any{"auth": map[string]any{"environment": "production", "providers": map[string]any{"guest": map[string]any{"dangerouslyAllowOutsideDevelopment": true}}}}, providers: "guest"},
		{name: "environment selects the block", cfg: map[string]any{"auth": map[string]any{"environment": "production", "providers": map[string]any{"oidc": map[string]any{"development": oidc}, "github": map[string]any{"production": map[string]any{"clientId": "a", "clientSecret": "b"}}}}}, providers: "github"},
		{name: "unknown resolver", cfg: map[string]any{"auth": map[string]any{"providers": map[string]any{"oidc": map[string]any{"development": merge(oidc, map[string]any{"signIn": map[string]any{"resolvers": []any{map[string]any{"resolver": "nope"}}}})}}}}, err: "unknown sign-in resolver"},
		{name: "legacy scope key", cfg: map[string]any{"auth": map[string]any{"providers": map[string]any{"oidc": map[string]any{"development": merge(oidc, map[string]any{"scope": "openid"})}}}}, err: "additionalScopes"},
		{name: "missing clientId", cfg: map[string]any{"auth": map[string]any{"providers": map[string]any{"oidc": map[string]any{"development": map[string]any{"metadataUrl": "http://x"}}}}}, err: "clientId"},
		{name: "token lifetime bound", cfg: map[string]any{"auth": map[string]any{"backstageTokenExpiration": "48h"}}, err: "outside"},
		{name: "token lifetime type", cfg: map[string]any{"auth": map[string]any{"backstageTokenExpiration": true}}, err: "test: auth.backstageTokenExpiration: invalid type, got boolean, wanted duration"},
		{name: "rotation period not positive", cfg: map[string]any{"auth": map[string]any{"keyStore": map[string]any{"rotationPeriod": 0}}}, err: "test: auth.keyStore.rotationPeriod: must be positive"},
		{name: "key store provider", cfg: map[string]any{"auth": map[string]any{"keyStore": map[string]any{"provider": "memory"}}}, err: `test: auth.keyStore.provider: only database is supported, got "memory"`},
		{name: "token algorithm", cfg: map[string]any{"auth": map[string]any{"identityTokenAlgorithm": "RS256"}}, err: `test: auth.identityTokenAlgorithm: only ES256 is supported, got "RS256"`},
		{name: "empty session secret", cfg: map[string]any{"auth": map[string]any{"session": map[string]any{"secret": ""}}}, err: "test: auth.session.secret: invalid type, got empty-string, wanted string"},
		{name: "resolver without name", cfg: map[string]any{"auth": map[string]any{"providers": map[string]any{"oidc": map[string]any{"development": merge(oidc, map[string]any{"signIn": map[string]any{"resolvers": []any{map[string]any{"allowedDomains": []any{"x"}}}}})}}}}, err: "missing required config value at 'auth.providers.oidc.development.signIn.resolvers[0].resolver'"},
		{name: "session duration type", cfg: map[string]any{"auth": map[string]any{"providers": map[string]any{"oidc": map[string]any{"development": merge(oidc, map[string]any{"sessionDuration": "forever"})}}}}, err: `test: auth.providers.oidc.development.sessionDuration: invalid duration "forever"`},
		// A provider this build lacks (Backstage's okta) is skipped: the backend warns about it.
		{name: "unknown provider skipped", cfg: map[string]any{"auth": map[string]any{"providers": map[string]any{"okta": map[string]any{"development": map[string]any{"clientId": "x"}}, "oidc": map[string]any{"development": oidc}}}}, providers: "oidc"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := readSettings(config.FromMap(tc.cfg, "test"), "http://localhost:7007/api/auth", http.DefaultClient, nil)
			if frameworktest.CheckError(t, err, tc.err) {
				return
			}
			if got := strings.Join(sortedKeys(s.providers), ","); got != tc.providers {
				t.Fatalf("providers %q, want %q", got, tc.providers)
			}
		})
	}
}

func TestReadSettingsDefaults(t *testing.T) {
	s, err := readSettings(config.FromMap(map[string]any{
		"backend": map[string]any{"baseUrl": "http://portal.example:7007"},
		"auth": map[string]any{
			"backstageTokenExpiration": map[string]any{"minutes": 30},
			"keyStore":                 map[string]any{"rotationPeriod": "10m"},
			"providers": map[string]any{"github": map[string]any{"development": map[string]any{
				"clientId": "a", "clientSecret": "b", "sessionDuration": map[string]any{"days": 7},
				"signIn": map[string]any{"resolvers": []any{
					map[string]any{"resolver": "usernameMatchingUserEntityName"},
					map[string]any{"resolver": "emailLocalPartMatchingUserEntityName", "allowedDomains": []any{"example.com"}},
				}},
			}}},
		},
	}, "test"), "http://portal.example:7007/api/auth", http.DefaultClient, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.environment != "development" || s.tokenLifetime != 30*time.Minute || s.rotationPeriod != 10*time.Minute || s.appOrigin != "http://portal.example:7007" {
		t.Fatalf("settings %+v", s)
	}
	gh := s.providers["github"]
	if gh.SessionDuration != 7*24*time.Hour || len(gh.Resolvers) != 2 || gh.Resolvers[1].AllowedDomains[0] != "example.com" {
		t.Fatalf("github provider %+v", gh)
	}
	if _, ok := gh.Impl.(providers.OAuth); !ok {
		t.Fatalf("github is %T, want an OAuth provider", gh.Impl)
	}
}

func merge(a, b map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}
