package catalog_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/portico-dev/portico/framework/apierr"
	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/database/databasetest"
	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/plugins/auth"
	"github.com/portico-dev/portico/plugins/catalog"
	"github.com/portico-dev/portico/plugins/permission"
)

// registeredOrg is a descriptor registered as a url location: carol of the contractors, the
// contractors' component "mine" and another team's component "secret".
const registeredOrg = `apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: contractors}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: core}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: carol}
spec: {memberOf: [contractors]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: mine}
spec: {type: service, lifecycle: production, owner: group:default/contractors}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: secret}
spec: {type: service, lifecycle: production, owner: group:default/core}
`

// TestLocationByEntityHidesHiddenEntity is the existence leak of GET
// /locations/by-entity/{kind}/{namespace}/{name}: it answered 404 for a missing entity and the
// entity's location for one the caller may not read. A hidden entity now answers the very 404
// of a missing one, while an entity the caller may read still answers its location.
func TestLocationByEntityHidesHiddenEntity(t *testing.T) {
	remote := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/org.yaml" {
			http.NotFound(w, r)
			return
		}
		_, _ = io.WriteString(w, registeredOrg)
	}))
	t.Cleanup(remote.Close)
	databasetest.ForEachBackend(t, func(t *testing.T, opts database.Options) {
		b := frameworktest.Start(t, map[string]any{
			"backend": map[string]any{
				"database": frameworktest.DatabaseConfig(opts),
				"reading":  map[string]any{"allow": []any{map[string]any{"host": strings.TrimPrefix(remote.URL, "http://")}}},
			},
			"catalog": map[string]any{
				"rules":              []any{map[string]any{"allow": []any{"Component", "Group", "User"}}},
				"processingInterval": map[string]any{"seconds": 1},
			},
			"auth": map[string]any{"providers": map[string]any{"oauth2Proxy": map[string]any{
				"signIn": map[string]any{"resolvers": []any{map[string]any{"resolver": "forwardedUserMatchingUserEntityName"}}},
			}}},
			// Contractors may read locations, but only the entities they own.
			"permission": map[string]any{"enabled": true, "roles": []any{map[string]any{
				"name": "contractors", "members": []any{"group:default/contractors"},
				"allow": []any{
					map[string]any{"permission": "catalog.entity.read", "if": map[string]any{"rule": "isEntityOwner", "params": map[string]any{"claims": []any{"$ownershipRefs"}}}},
					"catalog.location.read",
				},
			}}},
		}, catalog.Plugin(), auth.Plugin(), permission.Plugin())
		p := &inputPortal{Backend: b}
		if status, body := p.send(t, http.MethodPost, "/api/catalog/locations", map[string]any{"type": "url", "target": remote.URL + "/org.yaml"}); status != http.StatusCreated {
			t.Fatalf("register the location: %d %s", status, body)
		}
		get := func(token, ref string) (int, string) {
			t.Helper()
			kind, rest, _ := strings.Cut(ref, ":")
			req, _ := http.NewRequest(http.MethodGet, b.URL+"/api/catalog/locations/by-entity/"+kind+"/"+rest, nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var e apierr.Body
			data, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK {
				if err := json.Unmarshal(data, &e); err != nil {
					t.Fatalf("error body %s: %v", data, err)
				}
				// The error, with the ref asked for left out, must not tell hidden from missing.
				return resp.StatusCode, e.Error.Name + ": " + strings.ReplaceAll(e.Error.Message, strings.ToLower(ref), "<ref>")
			}
			return resp.StatusCode, string(data)
		}
		waitFor(t, "the registered entities", func() (bool, string) {
			s1, b1 := get(b.Token, "component:default/secret")
			s2, b2 := get(b.Token, "user:default/carol")
			return s1 == http.StatusOK && s2 == http.StatusOK, fmt.Sprintf("%d %s; %d %s", s1, b1, s2, b2)
		})
		carol := signInAs(t, b.URL, "carol")
		missingStatus, missingBody := get(carol, "component:default/does-not-exist")
		for _, c := range []struct {
			name, token, ref string
			want             int
		}{
			{"the service sees the hidden entity's location", b.Token, "component:default/secret", http.StatusOK},
			{"carol sees her own entity's location", carol, "component:default/mine", http.StatusOK},
			{"carol gets a missing entity's 404", carol, "component:default/does-not-exist", http.StatusNotFound},
			{"carol gets the same 404 for a hidden entity", carol, "component:default/secret", http.StatusNotFound},
			{"whatever the case of the ref", carol, "Component:Default/Secret", http.StatusNotFound},
		} {
			t.Run(c.name, func(t *testing.T) {
				status, body := get(c.token, c.ref)
				if status != c.want {
					t.Fatalf("GET the location of %s: %d %s, want %d", c.ref, status, body, c.want)
				}
				if c.want == http.StatusNotFound && (status != missingStatus || body != missingBody) {
					t.Errorf("%s answered %d %s; a missing entity %d %s", c.ref, status, body, missingStatus, missingBody)
				}
			})
		}
	})
}
