package framework

import (
	"reflect"
	"strings"
	"testing"

	"github.com/portico-dev/portico/config"
	"github.com/portico-dev/portico/framework/auth"
)

func TestAuthConfigFromConfigReadsEntries(t *testing.T) {
	got, err := AuthConfigFromConfig(config.FromMap(map[string]any{"backend": map[string]any{"auth": map[string]any{
		"dangerouslyDisableDefaultAuthPolicy": true,
		"externalAccess": []any{
			map[string]any{"type": "static", "options": map[string]any{"token": "static-token-123", "subject": "ci-bot"},
				"accessRestrictions": []any{map[string]any{"plugin": "catalog", "permission": "catalog.entity.read, catalog.location.create",
					"permissionAttribute": map[string]any{"action": []any{"read", "create"}}}}},
			map[string]any{"type": "legacy", "options": map[string]any{"secret": "c2VjcmV0LXNlY3JldA==", "subject": "old-plugin"}},
			map[string]any{"type": "jwks", "options": map[string]any{"url": "https://idp.example/jwks.json", "issuer": "https://idp.example",
				"audience": []any{"portico", "backstage"}, "algorithm": "RS256 ES256", "subjectPrefix": "idp"}},
		},
		"keys": []any{map[string]any{"secret": "b2xkLXNlY3JldA"}},
	}}}, "test"))
	if err != nil {
		t.Fatal(err)
	}
	want := auth.Config{DangerouslyDisableDefaultAuthPolicy: true, ExternalAccess: []auth.ExternalAccess{
		{Type: "static", Token: "static-token-123", Subject: "ci-bot", AccessRestrictions: map[string]auth.AccessRestrictions{"catalog": {
			PermissionNames:      []string{"catalog.entity.read", "catalog.location.create"},
			PermissionAttributes: map[string][]string{"action": {"read", "create"}},
		}}},
		{Type: "legacy", Secret: []byte("secret-secret"), Subject: "old-plugin"},
		{Type: "jwks", URL: "https://idp.example/jwks.json", Issuers: []string{"https://idp.example"}, Audiences: []string{"portico", "backstage"},
			Algorithms: []string{"RS256", "ES256"}, SubjectPrefix: "idp"},
		{Type: "legacy", Secret: []byte("old-secret"), Subject: "external:backstage-plugin"},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
}

func TestAuthConfigFromConfig(t *testing.T) {
	tests := []struct {
		name    string
		auth    map[string]any
		wantErr string
	}{
		{"empty", map[string]any{}, ""},
		{"disable default policy", map[string]any{"dangerouslyDisableDefaultAuthPolicy": true}, ""},
		{"old keys", map[string]any{"keys": []any{map[string]any{"secret": "c2VjcmV0LXNlY3JldA=="}}}, ""},
		{"short static token", map[string]any{"externalAccess": []any{map[string]any{"type": "static", "options": map[string]any{"token": "short", "subject": "x"}}}}, "at least 8 characters"},
		{"static token with spaces", map[string]any{"externalAccess": []any{map[string]any{"type": "static", "options": map[string]any{"token": "has some spaces", "subject": "x"}}}}, "no whitespace"},
		{"duplicate static token", map[string]any{"externalAccess": []any{
			map[string]any{"type": "static", "options": map[string]any{"token": "same-token-1", "subject": "a"}},
			map[string]any{"type": "static", "options": map[string]any{"token": "same-token-1", "subject": "b"}},
		}}, "more than once"},
		{"static without subject", map[string]any{"externalAccess": []any{map[string]any{"type": "static", "options": map[string]any{"token": "long-enough-token"}}}}, "subject"},
		{"unknown type", map[string]any{"externalAccess": []any{map[string]any{"type": "magic"}}}, "want static, jwks or legacy"},
		{"legacy bad secret", map[string]any{"externalAccess": []any{map[string]any{"type": "legacy", "options": map[string]any{"secret": "not base64!", "subject": "x"}}}}, "base64"},
		{"jwks bad url", map[string]any{"externalAccess": []any{map[string]any{"type": "jwks", "options": map[string]any{"url": "ftp://x"}}}}, "http(s) URL"},
		{"jwks HS algorithm", map[string]any{"externalAccess": []any{map[string]any{"type": "jwks", "options": map[string]any{"url": "https://x/jwks", "algorithm": "HS256"}}}}, "not allowed"},
		{"restriction unknown key", map[string]any{"externalAccess": []any{map[string]any{"type": "static", "options": map[string]any{"token": "long-enough-token", "subject": "x"},
			"accessRestrictions": []any{map[string]any{"plugin": "catalog", "verb": "x"}}}}}, `unknown key "verb"`},
		{"restriction bad action", map[string]any{"externalAccess": []any{map[string]any{"type": "static", "options": map[string]any{"token": "long-enough-token", "subject": "x"},
			"accessRestrictions": []any{map[string]any{"plugin": "catalog", "permissionAttribute": map[string]any{"action": "destroy"}}}}}}, `"destroy"`},
		{"restriction plugin twice", map[string]any{"externalAccess": []any{map[string]any{"type": "static", "options": map[string]any{"token": "long-enough-token", "subject": "x"},
			"accessRestrictions": []any{map[string]any{"plugin": "catalog"}, map[string]any{"plugin": "catalog"}}}}}, "listed twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := AuthConfigFromConfig(config.FromMap(map[string]any{"backend": map[string]any{"auth": tt.auth}}, "test"))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}
