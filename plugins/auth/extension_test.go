package auth_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portico-dev/portico/config"
	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/plugins/app"
	"github.com/portico-dev/portico/plugins/auth"
	"github.com/portico-dev/portico/plugins/auth/providers"
	"github.com/portico-dev/portico/plugins/auth/resolvers"
	"github.com/portico-dev/portico/plugins/catalog"
	"github.com/portico-dev/portico/web"
)

// headerProvider is a provider from outside the auth plugin: it trusts an e-mail header set
// by a gateway in front of the portal.
type headerProvider struct{ header string }

func (p headerProvider) Authenticate(r *http.Request) (providers.Result, error) {
	email := r.Header.Get(p.header)
	if email == "" {
		return providers.Result{}, fmt.Errorf("%w: no %s header", providers.ErrAuthentication, p.header)
	}
	return providers.Result{Info: resolvers.Info{ProviderID: "headerSso", Profile: resolvers.Profile{Email: email}}}, nil
}

// headerSSOModule adds the headerSso provider and the emailInDomain resolver through the auth
// plugin's extension point, as a custom build's module would.
func headerSSOModule() framework.Module {
	return framework.ExtensionModule("auth", "header-sso", auth.ProvidersExtensionPoint, func(ctx context.Context, d *framework.Deps, ext *auth.ProvidersExtension) error {
		if err := ext.RegisterProvider("headerSso", providers.Factory{Title: "Corporate SSO", Proxy: true,
			New: func(_ string, cfg *config.Config, _ providers.Options) (any, error) {
				h, err := cfg.String("header")
				return headerProvider{header: h}, err
			}}); err != nil {
			return err
		}
		return ext.RegisterSignInResolver("emailInDomain", func(ctx context.Context, info resolvers.Info, c resolvers.Config, lookup resolvers.Lookup) (resolvers.Identity, error) {
			local, domain, _ := strings.Cut(info.Profile.Email, "@")
			if want, _ := c.Options["domain"].(string); domain != want {
				return resolvers.Identity{}, fmt.Errorf("%w: %s is not a %s address", resolvers.ErrRefused, info.Profile.Email, want)
			}
			return lookup.SignInWithCatalogUser(ctx, local)
		})
	})
}

// TestModuleAddsProviderAndResolver signs in through a provider and a resolver a module added:
// the sign-in page lists the provider, the refresh route resolves the header's user in the
// catalog with the custom resolver (and its option), and the resolver's refusal is a 401.
func TestModuleAddsProviderAndResolver(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "org.yaml")
	if err := os.WriteFile(file, []byte(orgYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	b := frameworktest.Start(t, map[string]any{
		"backend": map[string]any{"reading": map[string]any{"localRoots": []any{dir}}},
		"catalog": map[string]any{
			"rules":     []any{map[string]any{"allow": []any{"User", "Group"}}},
			"locations": []any{map[string]any{"type": "file", "target": file}},
		},
		"auth": map[string]any{"providers": map[string]any{"headerSso": map[string]any{
			"header": "X-Gateway-Email",
			"signIn": map[string]any{"resolvers": []any{map[string]any{"resolver": "emailInDomain", "domain": "example.com"}}},
		}}},
	}, web.RegistryFactory(), app.Plugin(), catalog.Plugin(), auth.Plugin(), headerSSOModule())

	refresh := func(email string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, b.URL+"/api/auth/headerSso/refresh", nil)
		req.Header.Set("X-Requested-With", "XMLHttpRequest")
		req.Header.Set("X-Gateway-Email", email)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var sess struct {
			BackstageIdentity struct {
				Identity struct {
					UserEntityRef       string   `json:"userEntityRef"`
					OwnershipEntityRefs []string `json:"ownershipEntityRefs"`
				} `json:"identity"`
			} `json:"backstageIdentity"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&sess)
		id := sess.BackstageIdentity.Identity
		return resp.StatusCode, id.UserEntityRef + "|" + strings.Join(id.OwnershipEntityRefs, ",")
	}
	// The catalog loads jane in the background: poll with a bound.
	code, got := refresh("jane@example.com")
	for deadline := time.Now().Add(30 * time.Second); code != http.StatusOK && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		code, got = refresh("jane@example.com")
	}
	if code != http.StatusOK || got != "user:default/jane|user:default/jane,group:default/team-a" {
		t.Fatalf("sign-in through the module's provider: %d %s", code, got)
	}
	for _, tc := range []struct {
		name, email string
		want        int
	}{
		{"resolver refuses another domain", "jane@evil.example", http.StatusForbidden},
		{"no such user", "nobody@example.com", http.StatusForbidden},
		{"provider finds no header", "", http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code, got := refresh(tc.email); code != tc.want {
				t.Fatalf("%q: %d %s, want %d", tc.email, code, got, tc.want)
			}
		})
	}
	resp, err := http.Get(b.URL + "/sign-in")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var page strings.Builder
	_, _ = io.Copy(&page, resp.Body)
	if !strings.Contains(page.String(), "Corporate SSO") || !strings.Contains(page.String(), "/api/auth/headerSso/start") {
		t.Errorf("the sign-in page does not offer the module's provider:\n%s", page.String())
	}
}

// TestProviderRegistryRefuses: a module cannot replace a built-in provider or resolver, and a
// factory that builds the wrong kind of provider fails start-up with its ID.
func TestProviderRegistryRefuses(t *testing.T) {
	reg := providers.NewRegistry()
	okNew := func(string, *config.Config, providers.Options) (any, error) { return headerProvider{}, nil }
	if err := reg.Register("github", providers.Factory{New: okNew}); !errors.Is(err, providers.ErrDuplicate) {
		t.Errorf("replacing github: %v, want ErrDuplicate", err)
	}
	if err := reg.Register("badKind", providers.Factory{New: okNew}); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.New("badKind", nil, providers.Options{}); err == nil || !strings.Contains(err.Error(), "not an OAuth provider") {
		t.Errorf("a Proxy built by a factory declared OAuth: %v", err)
	}
	var res resolvers.Registry
	f := func(context.Context, resolvers.Info, resolvers.Config, resolvers.Lookup) (resolvers.Identity, error) {
		return resolvers.Identity{}, nil
	}
	if err := res.Register(resolvers.UsernameMatchingUserEntityName, f); !errors.Is(err, resolvers.ErrDuplicate) {
		t.Errorf("replacing a built-in resolver: %v, want ErrDuplicate", err)
	}
	if err := res.Register("mine", f); err != nil {
		t.Fatal(err)
	}
	if err := res.Register("mine", f); !errors.Is(err, resolvers.ErrDuplicate) {
		t.Errorf("registering mine twice: %v, want ErrDuplicate", err)
	}
}
