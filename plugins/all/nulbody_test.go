package all_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/portico-dev/portico/framework/apierr"
	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/database/databasetest"
	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/plugins/all"
)

// bodyRoute is a route taking a JSON body, with a body it would otherwise act on: NUL is the
// placeholder where the attack puts its NUL character.
type bodyRoute struct {
	path   string // concrete path under /api/<plugin>
	caller string // "user" (a signed-in user) or "plugin" (a plugin's service token)
	body   string // with NUL where the attack puts the character, KEY where a key gets it
}

// bodyRoutes lists every built-in route that reads a JSON body, by plugin and pattern.
var bodyRoutes = map[string]bodyRoute{
	"catalog POST /entities/by-query":                                     {"/entities/by-query", "user", `{"query":{"kind":"componentNUL"},"KEY":1}`},
	"catalog POST /entities/by-refs":                                      {"/entities/by-refs", "user", `{"entityRefs":["component:default/aNUL"],"KEY":1}`},
	"catalog POST /entity-facets":                                         {"/entity-facets", "user", `{"facets":["kindNUL"],"KEY":1}`},
	"catalog POST /refresh":                                               {"/refresh", "user", `{"entityRef":"component:default/aNUL","KEY":1}`},
	"catalog POST /locations":                                             {"/locations", "user", `{"type":"url","target":"https://github.com/o/r/blob/main/aNUL.yaml","KEY":1}`},
	"catalog POST /locations/by-query":                                    {"/locations/by-query", "user", `{"query":{"target":"aNUL"},"KEY":1}`},
	"catalog POST /analyze-location":                                      {"/analyze-location", "user", `{"location":{"type":"url","target":"https://github.com/o/rNUL"},"KEY":1}`},
	"catalog POST /validate-entity":                                       {"/validate-entity", "user", `{"location":"url:https://github.com/o/r","entity":{"apiVersion":"backstage.io/v1alpha1","kind":"Component","metadata":{"name":"aNUL"}},"KEY":1}`},
	"scaffolder POST /v2/tasks":                                           {"/v2/tasks", "user", `{"templateRef":"template:default/aNUL","values":{"KEY":1}}`},
	"scaffolder POST /v2/dry-run":                                         {"/v2/dry-run", "user", `{"template":{"apiVersion":"scaffolder.backstage.io/v1beta3","kind":"Template","metadata":{"name":"t"},"spec":{"steps":[]}},"values":{"nameNUL":"x","KEY":1}}`},
	"scaffolder POST /v2/tasks/{taskId}/retry":                            {"/v2/tasks/00000000-0000-0000-0000-000000000000/retry", "user", `{"secrets":{"tokenNUL":"x","KEY":"y"}}`},
	"scaffolder POST /v2/autocomplete/{provider}/{resource}":              {"/v2/autocomplete/github/repositories", "user", `{"token":"tNUL","context":{"KEY":"x"}}`},
	"user-settings PUT /buckets/{bucket}/keys/{key}":                      {"/buckets/b/keys/k", "user", `{"value":{"aNUL":"b","KEY":1}}`},
	"permission POST /authorize":                                          {"/authorize", "user", `{"items":[{"id":"1NUL","permission":{"type":"basic","name":"catalog.entity.create","attributes":{"action":"create"}},"KEY":1}]}`},
	"permission POST /audit":                                              {"/audit", "plugin", `{"who":"user:default/aNUL","permission":"catalog.entity.delete","decision":"allow","KEY":1}`},
	"catalog POST /.well-known/backstage/permissions/apply-conditions":    {"/.well-known/backstage/permissions/apply-conditions", "plugin", `{"items":[{"id":"1","resourceRef":"component:default/aNUL","resourceType":"catalog-entity","conditions":{"rule":"IS_ENTITY_KIND","resourceType":"catalog-entity","params":{"kinds":["Component"]}},"KEY":1}]}`},
	"permission POST /.well-known/backstage/permissions/apply-conditions": {"/.well-known/backstage/permissions/apply-conditions", "plugin", `{"items":[{"id":"1","resourceRef":"x:default/aNUL","resourceType":"permission-role","conditions":{"rule":"X","params":{}},"KEY":1}]}`},
	"scaffolder POST /.well-known/backstage/permissions/apply-conditions": {"/.well-known/backstage/permissions/apply-conditions", "plugin", `{"items":[{"id":"1","resourceRef":"template:default/aNUL","resourceType":"scaffolder-template","conditions":{"rule":"HAS_TAG","resourceType":"scaffolder-template","params":{"tag":"x"}},"KEY":1}]}`},
}

// noBodyRoutes are the built-in routes with an unsafe method that read no JSON body (form
// posts of the pages are parsed as forms, never as JSON).
var noBodyRoutes = map[string]bool{
	"* DELETE /.backstage/auth/v1/cookie":               true, // every plugin's sign-out of its cookie
	"catalog DELETE /entities/by-uid/{uid}":             true,
	"catalog DELETE /locations/{id}":                    true,
	"scaffolder POST /v2/tasks/{taskId}/cancel":         true,
	"user-settings DELETE /buckets/{bucket}/keys/{key}": true,
	"auth POST /{provider}/handler/frame":               true,
	"auth POST /{provider}/refresh":                     true,
	"auth POST /{provider}/logout":                      true,
}

// TestNULInJSONBodyIsInputError is the attack of issue 12 item 4 on request bodies: a NUL
// character (the JSON escape \u0000 in a value or a key, or a raw NUL byte) in the JSON body
// of any plugin's API reached PostgreSQL, which refuses NUL in text, and answered 500
// (user-settings, the permission audit, apply-conditions…). Every route that reads a JSON
// body must answer 400 InputError naming the NUL, on SQLite and PostgreSQL alike, and 400 for
// malformed JSON. Every unsafe route of the built-in plugins must be listed above, so a new
// one is checked too.
func TestNULInJSONBodyIsInputError(t *testing.T) {
	databasetest.ForEachBackend(t, func(t *testing.T, opts database.Options) {
		probe, probePlugin := authProbe("nul-probe")
		b := frameworktest.Start(t, map[string]any{
			"backend":    map[string]any{"database": frameworktest.DatabaseConfig(opts)},
			"permission": map[string]any{"enabled": true, "roles": []any{map[string]any{"name": "all", "members": []any{"*"}, "allow": []any{"*"}}}},
		}, append(all.Features(), probePlugin)...)
		userToken := guestToken(t, b)

		var unlisted []string
		for _, r := range b.Routes() {
			method, _ := splitPattern(r.Pattern)
			key := r.PluginID + " " + r.Pattern
			if method == http.MethodGet || method == http.MethodHead {
				continue
			}
			if _, ok := bodyRoutes[key]; !ok && !noBodyRoutes[key] && !noBodyRoutes["* "+r.Pattern] {
				unlisted = append(unlisted, key)
			}
		}
		sort.Strings(unlisted)
		if len(unlisted) > 0 {
			t.Errorf("routes with an unsafe method in neither bodyRoutes nor noBodyRoutes: %s", strings.Join(unlisted, "; "))
		}

		variants := []struct {
			name     string
			nul, key string
			want     string // in the error message
		}{
			{name: "escaped NUL in a value", nul: `\u0000`, key: "k", want: "NUL"},
			{name: "escaped NUL in a key", nul: "", key: `k\u0000`, want: "NUL"},
			{name: "raw NUL byte", nul: "\x00", key: "k", want: "NUL"},
			{name: "escaped backslash is no NUL, malformed JSON is refused", nul: `\\u0000`, key: "k", want: "Malformed request body"},
		}
		for key, route := range bodyRoutes {
			plugin, _, _ := strings.Cut(key, " ")
			method, _ := splitPattern(strings.TrimPrefix(key, plugin+" "))
			token := userToken
			if route.caller == "plugin" {
				var err error
				token, err = probe.svc.GetPluginRequestToken(t.Context(), probe.svc.GetOwnServiceCredentials(), plugin)
				if err != nil {
					t.Fatal(err)
				}
			}
			for _, v := range variants {
				t.Run(key+"/"+v.name, func(t *testing.T) {
					body := strings.NewReplacer("NUL", v.nul, "KEY", v.key).Replace(route.body)
					if v.want == "Malformed request body" {
						body = body[:len(body)-1] // the last brace cut off
					}
					status, e, raw := sendJSON(t, method, b.URL+"/api/"+plugin+route.path, token, body)
					if status != http.StatusBadRequest || e.Error.Name != "InputError" || !strings.Contains(e.Error.Message, v.want) {
						t.Errorf("%s %s %q: %d %s; want 400 InputError with %q", method, route.path, body, status, raw, v.want)
					}
				})
			}
		}
	})
}

func sendJSON(t *testing.T, method, url, token, body string) (int, apierr.Body, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, data := frameworktest.Send(t, nil, req)
	var e apierr.Body
	_ = json.Unmarshal([]byte(data), &e)
	return resp.StatusCode, e, fmt.Sprintf("%.300s", data)
}
