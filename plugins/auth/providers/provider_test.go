package providers

import (
	"strings"
	"testing"

	"github.com/portico-dev/portico/config"
)

func TestPresets(t *testing.T) {
	base := map[string]any{"clientId": "c", "clientSecret": "s"}
	with := func(extra map[string]any) *config.Config {
		m := map[string]any{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return config.FromMap(m, "test")
	}
	tests := []struct {
		id       string
		cfg      *config.Config
		metadata string
		prompt   string
		scopes   string
		skipIss  bool
	}{
		{"google", with(nil), "https://accounts.google.com/.well-known/openid-configuration", "", "openid profile email offline_access", false},
		{"microsoft", with(nil), "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration", "", "openid profile email offline_access", true},
		{"microsoft", with(map[string]any{"tenantId": "t-1"}), "https://login.microsoftonline.com/t-1/v2.0/.well-known/openid-configuration", "", "openid profile email offline_access", false},
		{"gitlab", with(map[string]any{"audience": "https://gitlab.example/"}), "https://gitlab.example/.well-known/openid-configuration", "", "openid profile email read_user", false},
		{"oidc", with(map[string]any{"metadataUrl": "http://idp/.well-known/openid-configuration", "additionalScopes": "groups, extra"}), "http://idp/.well-known/openid-configuration", "none", "openid profile email offline_access groups extra", false},
		{"oidc", with(map[string]any{"metadataUrl": "http://idp/x", "prompt": "consent", "additionalScopes": []any{"openid", "groups"}}), "http://idp/x", "consent", "openid profile email offline_access groups", false},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			impl, err := New(tc.id, tc.cfg, Options{CallbackURL: "http://portal/api/auth/" + tc.id + "/handler/frame"})
			if err != nil {
				t.Fatal(err)
			}
			p := impl.(*oidcProvider)
			if p.metadataURL != tc.metadata || p.prompt != tc.prompt || strings.Join(p.oauth.Scopes, " ") != tc.scopes || p.skipIssuer != tc.skipIss {
				t.Fatalf("metadata %q prompt %q scopes %q skipIssuer %v", p.metadataURL, p.prompt, p.oauth.Scopes, p.skipIssuer)
			}
			if p.oauth.RedirectURL != "http://portal/api/auth/"+tc.id+"/handler/frame" {
				t.Fatalf("redirect %q", p.oauth.RedirectURL)
			}
		})
	}
	if _, err := New("oidc", with(nil), Options{}); err == nil || !strings.Contains(err.Error(), "metadataUrl") {
		t.Fatalf("oidc without metadataUrl: %v", err)
	}
	if _, err := New("oidc", with(map[string]any{"metadataUrl": "x", "tokenEndpointAuthMethod": "private_key_jwt"}), Options{}); err == nil {
		t.Fatal("unsupported tokenEndpointAuthMethod accepted")
	}
}
