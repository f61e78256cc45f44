package permission_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/framework/permissions"
	"github.com/portico-dev/portico/plugins/app"
	"github.com/portico-dev/portico/plugins/auth"
	"github.com/portico-dev/portico/plugins/catalog"
	"github.com/portico-dev/portico/plugins/permission"
	"github.com/portico-dev/portico/web"
)

const org = `apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-a}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: platform}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: alice}
spec: {memberOf: [team-a]}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: root}
spec: {memberOf: [platform]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: mine, labels: {tier: gold}}
spec: {type: service, lifecycle: production, owner: team-a}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: theirs}
spec: {type: service, lifecycle: production, owner: platform}
`

// restrictedToken is an external access token limited to read actions at the catalog.
const restrictedToken = "restricted-reader-token-0123456789"

type env struct {
	*frameworktest.Backend
	tokens map[string]string
}

func start(t *testing.T, extra ...framework.Feature) *env {
	t.Helper()
	cfg, _ := frameworktest.CatalogConfig(t, org, "Component", "Group", "User")
	cfg["backend"].(map[string]any)["auth"] = map[string]any{"externalAccess": []any{map[string]any{
		"type": "static", "options": map[string]any{"token": restrictedToken, "subject": "reader"},
		"accessRestrictions": []any{map[string]any{"plugin": "catalog", "permissionAttribute": map[string]any{"action": []any{"read"}}}},
	}}}
	// Config written for Backstage that Portico ignores, for the ignored-config page.
	cfg["app"] = map[string]any{"extensions": []any{
		map[string]any{"page:kubernetes": map[string]any{"config": map[string]any{"path": "/kubernetes"}}},
		map[string]any{"page:permissions": false},
		"page:permission",
	}}
	cfg["kubernetes"] = map[string]any{"serviceLocatorMethod": map[string]any{"type": "multiTenant"}}
	cfg["auth"] = map[string]any{"providers": map[string]any{"oauth2Proxy": map[string]any{
		"signIn": map[string]any{"resolvers": []any{map[string]any{"resolver": "forwardedUserMatchingUserEntityName"}}},
	}}}
	cfg["permission"] = map[string]any{"enabled": true, "roles": []any{
		map[string]any{"name": "admins", "members": []any{"group:default/platform"}, "allow": []any{"*"}},
		map[string]any{"name": "teams", "members": []any{"group:default/team-a"}, "allow": []any{
			"catalog.entity.read",
			map[string]any{"permission": "catalog.entity.delete", "if": map[string]any{"rule": "isEntityOwner", "params": map[string]any{"claims": []any{"$ownershipRefs"}}}},
		}},
	}}
	b := frameworktest.Start(t, cfg, append([]framework.Feature{web.RegistryFactory(), app.Plugin(), catalog.Plugin(), auth.Plugin(), permission.Plugin()}, extra...)...)
	e := &env{Backend: b, tokens: map[string]string{}}
	frameworktest.Eventually(t, func() (bool, string) {
		s, body := e.do(t, "", "GET", "/api/catalog/entities/by-name/user/default/root", nil)
		return s == http.StatusOK, fmt.Sprintf("catalog not loaded: %d %s", s, body)
	}, nil)
	for _, u := range []string{"alice", "root"} {
		e.tokens[u] = frameworktest.SignIn(t, b.URL, "/api/auth/oauth2Proxy/refresh", "X-Forwarded-User", u)
	}
	return e
}

// page fetches a UI page as user, signed in with the session cookie a browser sends.
func (e *env) page(t *testing.T, user, path string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", e.URL+path, nil)
	req.AddCookie(&http.Cookie{Name: "portico-token", Value: e.tokens[user]})
	resp, b := frameworktest.Send(t, nil, req)
	return resp.StatusCode, b
}

// do sends a request as "" (the test's service token), "anonymous", or a user.
func (e *env) do(t *testing.T, who, method, path string, body any) (int, string) {
	t.Helper()
	req := frameworktest.JSONRequest(t, method, e.URL+path, body)
	req.Header.Set("Content-Type", "application/json")
	client := e.Client()
	switch who {
	case "":
	case "anonymous":
		client = http.DefaultClient
	case "restricted":
		client = http.DefaultClient
		req.Header.Set("Authorization", "Bearer "+restrictedToken)
	default:
		req.Header.Set("Authorization", "Bearer "+e.tokens[who])
	}
	resp, data := frameworktest.Send(t, client, req)
	return resp.StatusCode, data
}

// Exactly the body @backstage/plugin-permission-common's PermissionClient posts.
const clientBody = `{"items":[
 {"id":"a1","permission":{"type":"basic","name":"catalog.entity.create","attributes":{"action":"create"}}},
 {"id":"a2","permission":{"type":"resource","name":"catalog.entity.delete","attributes":{"action":"delete"},"resourceType":"catalog-entity"},"resourceRef":"component:default/mine"},
 {"id":"a3","permission":{"type":"resource","name":"catalog.entity.delete","attributes":{"action":"delete"},"resourceType":"catalog-entity"},"resourceRef":"component:default/theirs"},
 {"id":"a4","permission":{"type":"resource","name":"catalog.entity.delete","attributes":{"action":"delete"},"resourceType":"catalog-entity"}},
 {"id":"a5","permission":{"type":"resource","name":"catalog.entity.delete","attributes":{"action":"delete"},"resourceType":"catalog-entity"},"resourceRef":"component:default/missing"}
]}`

func TestAuthorizeAPI(t *testing.T) {
	e := start(t)
	results := func(who string) map[string]string {
		s, body := e.do(t, who, "POST", "/api/permission/authorize", clientBody)
		if s != http.StatusOK {
			t.Fatalf("%s: authorize: %d %s", who, s, body)
		}
		var res struct {
			Items []struct {
				ID, Result, PluginID, ResourceType string
				Conditions                         json.RawMessage
			} `json:"items"`
		}
		if err := json.Unmarshal([]byte(body), &res); err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, it := range res.Items {
			out[it.ID] = it.Result
			if it.Result == "CONDITIONAL" {
				out[it.ID] += " " + it.PluginID + " " + it.ResourceType + " " + string(it.Conditions)
			}
		}
		return out
	}
	alice := results("alice")
	want := map[string]string{
		"a1": "DENY", "a2": "ALLOW", "a3": "DENY", "a5": "DENY",
		"a4": `CONDITIONAL catalog catalog-entity {"rule":"IS_ENTITY_OWNER","resourceType":"catalog-entity","params":{"claims":["user:default/alice","group:default/team-a"]}}`,
	}
	for id, w := range want {
		if alice[id] != w {
			t.Errorf("alice %s: %s, want %s", id, alice[id], w)
		}
	}
	for id, r := range results("root") {
		if r != "ALLOW" {
			t.Errorf("root %s: %s, want ALLOW", id, r)
		}
	}
	for id, r := range results("") { // a service token bypasses the policy
		if r != "ALLOW" {
			t.Errorf("service %s: %s, want ALLOW", id, r)
		}
	}
	if s, _ := e.do(t, "anonymous", "POST", "/api/permission/authorize", clientBody); s != http.StatusUnauthorized {
		t.Errorf("anonymous authorize: %d, want 401", s)
	}

	for name, body := range map[string]string{
		"basic with resourceRef": `{"items":[{"id":"x","permission":{"type":"basic","name":"catalog.entity.create","attributes":{}},"resourceRef":"component:default/mine"}]}`,
		"missing id":             `{"items":[{"permission":{"type":"basic","name":"a.b","attributes":{}}}]}`,
		"duplicate id":           `{"items":[{"id":"x","permission":{"type":"basic","name":"a.b","attributes":{}}},{"id":"x","permission":{"type":"basic","name":"a.b","attributes":{}}}]}`,
		"no items":               `{}`,
		"not json":               `{`,
	} {
		s, resp := e.do(t, "alice", "POST", "/api/permission/authorize", body)
		if s != http.StatusBadRequest || !strings.Contains(resp, `"name":"InputError"`) || !strings.Contains(resp, `"statusCode":400`) {
			t.Errorf("%s: %d %s, want 400 InputError", name, s, resp)
		}
	}
}

func TestIntegrationEndpoints(t *testing.T) {
	e := start(t)
	s, body := e.do(t, "", "GET", "/api/catalog/.well-known/backstage/permissions/metadata", nil)
	if s != http.StatusOK {
		t.Fatalf("metadata: %d %s", s, body)
	}
	var meta struct {
		Permissions []struct{ Type, Name, ResourceType string }
		Rules       []struct {
			Name, ResourceType string
			ParamsSchema       map[string]any
		}
	}
	if err := json.Unmarshal([]byte(body), &meta); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range meta.Rules {
		names = append(names, r.Name)
		if r.ResourceType != "catalog-entity" || r.ParamsSchema["type"] != "object" {
			t.Errorf("rule %+v", r)
		}
	}
	if strings.Join(names, ",") != "IS_ENTITY_KIND,IS_ENTITY_OWNER,HAS_ANNOTATION,HAS_LABEL,HAS_METADATA,HAS_SPEC" || len(meta.Permissions) != 9 {
		t.Errorf("metadata: rules %v, %d permissions", names, len(meta.Permissions))
	}

	// apply-conditions, batched, in both params formats; missing resources are DENY.
	s, body = e.do(t, "", "POST", "/api/catalog/.well-known/backstage/permissions/apply-conditions", `{"items":[
	 {"id":"1","resourceRef":"component:default/mine","resourceType":"catalog-entity","conditions":{"allOf":[{"rule":"IS_ENTITY_KIND","resourceType":"catalog-entity","params":{"kinds":["Component"]}},{"rule":"HAS_LABEL","params":{"label":"tier","value":"GOLD"}}]}},
	 {"id":"2","resourceRef":"component:default/theirs","resourceType":"catalog-entity","conditions":{"rule":"IS_ENTITY_OWNER","params":[["group:default/team-a"]]}},
	 {"id":"3","resourceRef":"component:default/nope","resourceType":"catalog-entity","conditions":{"not":{"rule":"IS_ENTITY_KIND","params":{"kinds":["user"]}}}},
	 {"id":"4","resourceRef":"component:default/theirs","resourceType":"catalog-entity","conditions":{"rule":"HAS_SPEC","params":{"key":"lifecycle"}}}
	]}`)
	if s != http.StatusOK || !strings.Contains(body, `{"id":"1","result":"ALLOW"}`) || !strings.Contains(body, `{"id":"2","result":"DENY"}`) ||
		!strings.Contains(body, `{"id":"3","result":"DENY"}`) || !strings.Contains(body, `{"id":"4","result":"ALLOW"}`) {
		t.Errorf("apply-conditions: %d %s", s, body)
	}
	for name, body := range map[string]string{
		"unknown type": `{"items":[{"id":"1","resourceRef":"x:y/z","resourceType":"nope","conditions":{"rule":"A","params":{}}}]}`,
		"unknown rule": `{"items":[{"id":"1","resourceRef":"component:default/mine","resourceType":"catalog-entity","conditions":{"rule":"NOPE","params":{}}}]}`,
		"bad params":   `{"items":[{"id":"1","resourceRef":"component:default/mine","resourceType":"catalog-entity","conditions":{"rule":"IS_ENTITY_KIND","params":{"kinds":"component"}}}]}`,
	} {
		if s, resp := e.do(t, "", "POST", "/api/catalog/.well-known/backstage/permissions/apply-conditions", body); s != http.StatusBadRequest {
			t.Errorf("%s: %d %s, want 400", name, s, resp)
		}
	}
}

func TestAdminPage(t *testing.T) {
	e := start(t)
	page := func(user, path string) (int, string) { return e.page(t, user, path) }
	if s, _ := page("alice", "/permissions"); s != http.StatusForbidden {
		t.Errorf("alice sees the admin page: %d, want 403", s)
	}
	s, body := page("root", "/permissions?user=user:default/alice")
	if s != http.StatusOK {
		t.Fatalf("root: admin page %d", s)
	}
	for _, want := range []string{"admins", "teams", "group:default/team-a", "catalog.entity.delete", "CONDITIONAL", "IS_ENTITY_OWNER", "Audit log"} {
		if !strings.Contains(body, want) {
			t.Errorf("admin page lacks %q", want)
		}
	}
}

// TestIgnoredConfigPage: admins see the app.extensions entries naming extensions no installed
// plugin provides (with a "did you mean") and the config keys no plugin reads; others get 403.
func TestIgnoredConfigPage(t *testing.T) {
	e := start(t)
	if s, _ := e.page(t, "alice", permission.ConfigPagePath); s != http.StatusForbidden {
		t.Errorf("alice sees the ignored-config page: %d, want 403", s)
	}
	s, body := e.page(t, "root", permission.ConfigPagePath)
	if s != http.StatusOK {
		t.Fatalf("root: ignored-config page %d", s)
	}
	for _, want := range []string{
		`<td><code>app.extensions[0]</code></td>`, `<code class="unknown-extension">page:kubernetes</code>`,
		`<code class="unknown-extension">page:permissions</code>`, `<code>page:permission</code>`,
		`<code class="unused-key">kubernetes</code>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("ignored-config page lacks %s:\n%s", want, body)
		}
	}
	if strings.Contains(body, "app.extensions[2]") || strings.Contains(body, `unused-key">catalog<`) {
		t.Errorf("ignored-config page lists config Portico uses:\n%s", body)
	}
	if _, body := e.page(t, "root", "/permissions"); !strings.Contains(body, `href="`+permission.ConfigPagePath+`"`) {
		t.Error("the permissions page does not link to the ignored-config page")
	}
}

// TestPagesFollowPermissions: the entity page shows refresh and unregister only to users
// allowed them on that entity, and the register page refuses users who may not register.
func TestPagesFollowPermissions(t *testing.T) {
	e := start(t)
	page := func(user, path string) (int, string) { return e.page(t, user, path) }
	tests := []struct {
		user, entity        string
		refresh, unregister bool
	}{
		{"alice", "mine", false, true},
		{"alice", "theirs", false, false},
		{"root", "theirs", true, true},
	}
	for _, tt := range tests {
		s, body := page(tt.user, "/catalog/default/component/"+tt.entity)
		if s != http.StatusOK {
			t.Fatalf("%s views %s: %d", tt.user, tt.entity, s)
		}
		if got := strings.Contains(body, ">Refresh</button>"); got != tt.refresh {
			t.Errorf("%s on %s: refresh shown %v, want %v", tt.user, tt.entity, got, tt.refresh)
		}
		if got := strings.Contains(body, ">Unregister</button>"); got != tt.unregister {
			t.Errorf("%s on %s: unregister shown %v, want %v", tt.user, tt.entity, got, tt.unregister)
		}
	}
	if _, body := page("alice", "/catalog-import"); !strings.Contains(body, "You may not register") {
		t.Error("alice's register page does not say she may not register")
	}
	if _, body := page("root", "/catalog-import"); strings.Contains(body, "You may not register") {
		t.Error("root's register page refuses")
	}
	// The catalog list shows alice only what she may read: everything here; an anonymous
	// API caller gets 401 before any decision.
	if s, _ := e.do(t, "anonymous", "GET", "/api/catalog/entities", nil); s != http.StatusUnauthorized {
		t.Errorf("anonymous list: %d, want 401", s)
	}
}

// TestServiceAccessRestrictions: service and external callers bypass the policy, limited only
// by their access restrictions (here: read actions at the catalog).
func TestServiceAccessRestrictions(t *testing.T) {
	e := start(t)
	if s, body := e.do(t, "restricted", "GET", "/api/catalog/entities?filter=kind=component", nil); s != http.StatusOK || !strings.Contains(body, "theirs") {
		t.Errorf("restricted list: %d %s", s, body)
	}
	if s, _ := e.do(t, "restricted", "POST", "/api/catalog/refresh", map[string]any{"entityRef": "component:default/mine"}); s != http.StatusForbidden {
		t.Errorf("restricted refresh: %d, want 403", s)
	}
	var ent struct {
		Metadata struct{ UID string } `json:"metadata"`
	}
	_, body := e.do(t, "", "GET", "/api/catalog/entities/by-name/component/default/theirs", nil)
	_ = json.Unmarshal([]byte(body), &ent)
	if s, _ := e.do(t, "restricted", "DELETE", "/api/catalog/entities/by-uid/"+ent.Metadata.UID, nil); s != http.StatusForbidden {
		t.Errorf("restricted delete: %d, want 403", s)
	}
	// The unrestricted test token (a service) may do anything, whatever the roles say.
	if s, _ := e.do(t, "", "POST", "/api/catalog/refresh", map[string]any{"entityRef": "component:default/mine"}); s != http.StatusOK {
		t.Errorf("service refresh: %d, want 200", s)
	}
}

// TestCodePolicy: a module's code policy wraps the roles: it decides deletes itself and
// defers everything else to the roles.
func TestCodePolicy(t *testing.T) {
	noDeletes := permission.PolicyModule("no-deletes", func(roles permission.Policy) permission.Policy {
		return permission.PolicyFunc(func(ctx context.Context, p permissions.Permission, u *permission.PolicyUser) (permissions.Decision, error) {
			if p.Attributes.Action == permissions.ActionDelete {
				return permissions.Decision{Result: permissions.Deny}, nil
			}
			return roles.Handle(ctx, p, u)
		})
	})
	e := start(t, noDeletes)
	s, body := e.do(t, "root", "POST", "/api/permission/authorize", clientBody)
	if s != http.StatusOK {
		t.Fatalf("authorize: %d %s", s, body)
	}
	for _, want := range []string{`{"id":"a1","result":"ALLOW"}`, `{"id":"a2","result":"DENY"}`, `{"id":"a4","result":"DENY"}`} {
		if !strings.Contains(body, want) {
			t.Errorf("root with the code policy: %s lacks %s", body, want)
		}
	}
}
