package permission_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/plugins/catalog"
	"github.com/portico-dev/portico/plugins/permission"
)

// TestAnonymousWithDefaultAuthPolicyDisabled: create-app enables the permission framework with
// the allow-all policy; with backend.auth.dangerouslyDisableDefaultAuthPolicy, Backstage then
// answers anonymous catalog reads. With no roles, Portico's policy is that allow-all for
// every principal, anonymous included; once roles are configured, they decide.
func TestAnonymousWithDefaultAuthPolicyDisabled(t *testing.T) {
	tests := []struct {
		name          string
		roles         []any
		wantEntities  bool
		wantLocations int
	}{
		{"no roles: allow-all, anonymous included", nil, true, http.StatusOK},
		{"roles decide: anonymous is in none", []any{map[string]any{"name": "everyone", "members": []any{"*"}, "allow": []any{"*"}}}, false, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "org.yaml")
			if err := os.WriteFile(file, []byte(org), 0o600); err != nil {
				t.Fatal(err)
			}
			perm := map[string]any{"enabled": true}
			if tt.roles != nil {
				perm["roles"] = tt.roles
			}
			b := frameworktest.Start(t, map[string]any{
				"backend": map[string]any{
					"reading": map[string]any{"localRoots": []any{dir}},
					"auth":    map[string]any{"dangerouslyDisableDefaultAuthPolicy": true},
				},
				"catalog": map[string]any{
					"rules":     []any{map[string]any{"allow": []any{"Component", "Group", "User"}}},
					"locations": []any{map[string]any{"type": "file", "target": file}},
				},
				"permission": perm,
			}, catalog.Plugin(), permission.Plugin())
			// Wait with the service token until the catalog has the entities.
			frameworktest.WaitForPage(t, b.Client(), b.URL+"/api/catalog/entities/by-name/component/default/mine", `"mine"`)

			status, body := frameworktest.Fetch(t, http.DefaultClient, b.URL+"/api/catalog/entities")
			if status != http.StatusOK {
				t.Fatalf("anonymous GET /entities: %d %s", status, body)
			}
			if got := strings.Contains(body, `"name":"mine"`); got != tt.wantEntities {
				t.Fatalf("anonymous GET /entities shows mine = %v, want %v: %s", got, tt.wantEntities, body)
			}
			if status, body := frameworktest.Fetch(t, http.DefaultClient, b.URL+"/api/catalog/locations"); status != tt.wantLocations {
				t.Fatalf("anonymous GET /locations: %d %s, want %d", status, body, tt.wantLocations)
			}
		})
	}
}
