package auth_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/portico-dev/portico/plugins/auth/resolvers"
	catalogclient "github.com/portico-dev/portico/plugins/catalog/client"
)

type discovery string

func (d discovery) BaseURL(id string) string { return string(d) + "/api/" + id }

// TestResolversAgainstCatalog runs every built-in resolver against a real catalog.
func TestResolversAgainstCatalog(t *testing.T) {
	p := startPortal(t, nil)
	cat := catalogclient.New(discovery(p.URL), func(context.Context) (string, error) { return p.Token, nil })
	r := resolvers.Resolver{Catalog: resolvers.FromClient(cat)}
	c := func(name string) resolvers.Config { return resolvers.Config{Resolver: name} }
	tests := []struct {
		name    string
		configs []resolvers.Config
		info    resolvers.Info
		want    string // user ref and ent, "|" separated; "" when refused
		refused string
	}{
		{"profile email", []resolvers.Config{c(resolvers.EmailMatchingUserEntityProfileEmail)}, resolvers.Info{ProviderID: "oidc", Profile: resolvers.Profile{Email: "jane@example.com"}}, "user:default/jane|user:default/jane,group:default/team-a", ""},
		{"profile email, plus-addressing stripped", []resolvers.Config{c(resolvers.EmailMatchingUserEntityProfileEmail)}, resolvers.Info{ProviderID: "oidc", Profile: resolvers.Profile{Email: "jane+portal@example.com"}}, "user:default/jane|user:default/jane,group:default/team-a", ""},
		{"email local part", []resolvers.Config{c(resolvers.EmailLocalPartMatchingUserEntityName)}, resolvers.Info{ProviderID: "oidc", Profile: resolvers.Profile{Email: "jane@anywhere.example"}}, "user:default/jane|user:default/jane,group:default/team-a", ""},
		{"email local part, domain not allowed", []resolvers.Config{{Resolver: resolvers.EmailLocalPartMatchingUserEntityName, AllowedDomains: []string{"corp.example"}}}, resolvers.Info{ProviderID: "oidc", Profile: resolvers.Profile{Email: "jane@example.com"}}, "", `email domain "example.com" is not allowed`},
		{"email annotation (google.com/email)", []resolvers.Config{c(resolvers.EmailMatchingUserEntityAnnotation)}, resolvers.Info{ProviderID: "google", Profile: resolvers.Profile{Email: "jane@corp.example"}}, "user:default/jane|user:default/jane,group:default/team-a", ""},
		{"username", []resolvers.Config{c(resolvers.UsernameMatchingUserEntityName)}, resolvers.Info{ProviderID: "github", Username: "jane"}, "user:default/jane|user:default/jane,group:default/team-a", ""},
		{"tried in order", []resolvers.Config{c(resolvers.UsernameMatchingUserEntityName), c(resolvers.EmailMatchingUserEntityProfileEmail)}, resolvers.Info{ProviderID: "github", Username: "jdoe", Profile: resolvers.Profile{Email: "jane@example.com"}}, "user:default/jane|user:default/jane,group:default/team-a", ""},
		{"no match names the identity", []resolvers.Config{c(resolvers.UsernameMatchingUserEntityName), c(resolvers.EmailMatchingUserEntityProfileEmail)}, resolvers.Info{ProviderID: "github", Username: "mallory", Profile: resolvers.Profile{Email: "m@example.com"}}, "", `email "m@example.com" and username "mallory"`},
		{"without catalog user (resolver)", []resolvers.Config{c(resolvers.DangerouslyAllowSignInWithoutUserInCatalog)}, resolvers.Info{ProviderID: "github", Username: "ghost"}, "user:default/ghost|user:default/ghost", ""},
		{"without catalog user (option)", []resolvers.Config{{Resolver: resolvers.EmailLocalPartMatchingUserEntityName, DangerouslyAllowSignInWithoutUserInCatalog: true}}, resolvers.Info{ProviderID: "oidc", Profile: resolvers.Profile{Email: "newcomer@example.com"}}, "user:default/newcomer|user:default/newcomer", ""},
		{"without catalog user still prefers the catalog", []resolvers.Config{c(resolvers.DangerouslyAllowSignInWithoutUserInCatalog)}, resolvers.Info{ProviderID: "github", Username: "jane"}, "user:default/jane|user:default/jane,group:default/team-a", ""},
		{"no resolver configured", nil, resolvers.Info{ProviderID: "oidc"}, "", "no sign-in resolver configured"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id, err := r.Resolve(t.Context(), tc.configs, tc.info)
			if tc.refused != "" {
				if !errors.Is(err, resolvers.ErrRefused) || !strings.Contains(err.Error(), tc.refused) {
					t.Fatalf("err = %v, want a refusal containing %q", err, tc.refused)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := id.UserEntityRef + "|" + strings.Join(id.OwnershipEntityRefs, ","); got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
	t.Run("transitive groups", func(t *testing.T) {
		tr := resolvers.Resolver{Catalog: resolvers.FromClient(cat), TransitiveGroups: true}
		id, err := tr.Resolve(t.Context(), []resolvers.Config{c(resolvers.UsernameMatchingUserEntityName)}, resolvers.Info{ProviderID: "github", Username: "jane"})
		if err != nil || strings.Join(id.OwnershipEntityRefs, ",") != "user:default/jane,group:default/team-a,group:default/org" {
			t.Fatalf("got %+v %v", id, err)
		}
	})
}
