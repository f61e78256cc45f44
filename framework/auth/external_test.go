package auth_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/portico-dev/portico/framework/auth"
	"github.com/portico-dev/portico/framework/database"
)

var legacySecret = []byte("a-legacy-shared-secret-of-32-bytes!")

func externalConfig() auth.Config {
	return auth.Config{ExternalAccess: []auth.ExternalAccess{
		{Type: "static", Token: "static-token-123", Subject: "ci-bot"},
		{Type: "static", Token: "catalog-only-token", Subject: "importer", AccessRestrictions: map[string]auth.AccessRestrictions{
			"catalog": {
				PermissionNames:      []string{"catalog.entity.read", "catalog.location.create"},
				PermissionAttributes: map[string][]string{"action": {"read", "create"}},
			},
		}},
		{Type: "legacy", Secret: legacySecret, Subject: "old-plugin"},
		// The test world serves this entry's keys and fills its URL in.
		{Type: "jwks", Issuers: []string{"https://idp.example"}, Audiences: []string{"portico"}, Algorithms: []string{"RS256"}, SubjectPrefix: "idp"},
	}}
}

func TestExternalAccess(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *database.DB) {
		w := newWorld(t, db, externalConfig())
		catalog, scaffolder := w.plugin("catalog"), w.plugin("scaffolder")
		now := w.clock.Now()
		legacy := hs256(t, legacySecret, "", map[string]any{"sub": "backstage-server", "exp": now.Add(time.Hour).Unix()})
		idp := w.extJWKS.token(t, map[string]any{"iss": "https://idp.example", "aud": "portico", "sub": "deployer", "exp": now.Add(time.Hour).Unix()})

		ok := []struct {
			name, token, subject string
			plugin               *auth.PluginService
			restrictions         *auth.AccessRestrictions
		}{
			{"static", "static-token-123", "external:ci-bot", scaffolder, nil},
			{"static restricted, at its plugin", "catalog-only-token", "external:importer", catalog, &auth.AccessRestrictions{
				PermissionNames:      []string{"catalog.entity.read", "catalog.location.create"},
				PermissionAttributes: map[string][]string{"action": {"read", "create"}},
			}},
			{"legacy", legacy, "external:old-plugin", scaffolder, nil},
			{"jwks", idp, "external:idp:deployer", scaffolder, nil},
		}
		for _, tt := range ok {
			t.Run(tt.name, func(t *testing.T) {
				c, err := tt.plugin.Authenticate(t.Context(), tt.token)
				if err != nil {
					t.Fatal(err)
				}
				sp, isService := c.Service()
				if !isService || sp.Subject != tt.subject || !reflect.DeepEqual(sp.AccessRestrictions, tt.restrictions) {
					t.Fatalf("credentials = %+v, want service %s with %+v", c, tt.subject, tt.restrictions)
				}
			})
		}

		t.Run("restricted token at another plugin is not allowed", func(t *testing.T) {
			_, err := scaffolder.Authenticate(t.Context(), "catalog-only-token")
			if !errors.Is(err, auth.ErrNotAllowed) || !strings.Contains(err.Error(), "'catalog'") {
				t.Fatalf("got %v, want ErrNotAllowed naming catalog", err)
			}
		})

		bad := []struct{ name, token string }{
			{"unknown static token", "static-token-124"},
			{"legacy with another secret", hs256(t, []byte("some-other-secret-entirely-000000"), "", map[string]any{"sub": "backstage-server", "exp": now.Add(time.Hour).Unix()})},
			{"legacy expired", hs256(t, legacySecret, "", map[string]any{"sub": "backstage-server", "exp": now.Add(-time.Minute).Unix()})},
			{"legacy without exp", hs256(t, legacySecret, "", map[string]any{"sub": "backstage-server"})},
			{"legacy with another subject", hs256(t, legacySecret, "", map[string]any{"sub": "someone", "exp": now.Add(time.Hour).Unix()})},
			{"jwks wrong issuer", w.extJWKS.token(t, map[string]any{"iss": "https://evil.example", "aud": "portico", "sub": "x", "exp": now.Add(time.Hour).Unix()})},
			{"jwks wrong audience", w.extJWKS.token(t, map[string]any{"iss": "https://idp.example", "aud": "other", "sub": "x", "exp": now.Add(time.Hour).Unix()})},
			{"jwks expired", w.extJWKS.token(t, map[string]any{"iss": "https://idp.example", "aud": "portico", "sub": "x", "exp": now.Add(-time.Minute).Unix()})},
			{"jwks without sub", w.extJWKS.token(t, map[string]any{"iss": "https://idp.example", "aud": "portico", "exp": now.Add(time.Hour).Unix()})},
			{"jwks forged", forge(idp)},
		}
		for _, tt := range bad {
			t.Run(tt.name, func(t *testing.T) {
				if c, err := scaffolder.Authenticate(t.Context(), tt.token); !errors.Is(err, auth.ErrUnauthenticated) {
					t.Fatalf("got %+v %v, want ErrUnauthenticated", c, err)
				}
			})
		}
	})
}
