package catalog_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/database/databasetest"
	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/plugins/catalog"
)

// inputPortal is a catalog on a real database reading one catalog file from a temp dir.
type inputPortal struct {
	*frameworktest.Backend
	file string
}

func startInputPortal(t *testing.T, opts database.Options, catalogYAML string) *inputPortal {
	t.Helper()
	cfg, file := frameworktest.CatalogConfig(t, catalogYAML, "Component", "Location")
	cfg["backend"].(map[string]any)["database"] = frameworktest.DatabaseConfig(opts)
	cfg["catalog"].(map[string]any)["processingInterval"] = map[string]any{"seconds": 1}
	b := frameworktest.Start(t, cfg, catalog.Plugin())
	return &inputPortal{Backend: b, file: file}
}

// send sends a request with the backend's service token and returns the status and body.
func (p *inputPortal) send(t *testing.T, method, path string, body any) (int, []byte) {
	t.Helper()
	req := frameworktest.JSONRequest(t, method, p.URL+path, body)
	resp, data := frameworktest.Send(t, p.Client(), req)
	return resp.StatusCode, []byte(data)
}

// waitFor polls cond for up to a minute.
func waitFor(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still not done after 60s: %s", what, state)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// componentsYAML is n components svc-000… with the given description, then extra.
func componentsYAML(n int, desc, extra string) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: svc-%03d, description: %s}\nspec: {type: service, lifecycle: production, owner: team-a}\n---\n", i, desc)
	}
	b.WriteString(extra)
	return b.String()
}

type entityView struct {
	Metadata struct {
		Name        string `json:"name"`
		Description string `json:"description"`
	} `json:"metadata"`
	Status struct {
		Items []struct {
			Type    string `json:"type"`
			Level   string `json:"level"`
			Message string `json:"message"`
		} `json:"items"`
	} `json:"status"`
}

// TestNULInEntityDoesNotBlockOthers is the attack of issue 12 item 4: a location with 300
// entities and one whose description (or an annotation key, or a label value) holds a NUL
// byte. PostgreSQL refuses NUL in text, so today the whole stitch batch fails and is retried
// forever, and no entity of the batch ever appears. The NUL entity must be refused by
// validation with a clear reason while its 300 neighbours are served.
func TestNULInEntityDoesNotBlockOthers(t *testing.T) {
	bad := map[string]string{
		"description":    `metadata: {name: bad, description: "evil\0text"}`,
		"annotation key": `metadata: {name: bad, annotations: {"x.io/k\0": v}}`,
		"label value":    `metadata: {name: bad, labels: {tier: "a\0"}}`,
		"spec owner":     `metadata: {name: bad}` + "\n" + `spec: {type: service, lifecycle: production, owner: "team\0x"}`,
	}
	databasetest.ForEachBackend(t, func(t *testing.T, opts database.Options) {
		for name, doc := range bad {
			t.Run(name, func(t *testing.T) {
				badDoc := "apiVersion: backstage.io/v1alpha1\nkind: Component\n" + doc + "\n"
				if !strings.Contains(doc, "spec:") {
					badDoc += "spec: {type: service, lifecycle: production, owner: team-a}\n"
				}
				p := startInputPortal(t, opts, componentsYAML(300, "v1", badDoc))
				waitFor(t, "300 components served", func() (bool, string) {
					var all []entityView
					status, body := p.send(t, http.MethodGet, "/api/catalog/entities?filter=kind=component&fields=metadata.name", nil)
					if status != http.StatusOK || json.Unmarshal(body, &all) != nil {
						return false, fmt.Sprintf("%d %s", status, body)
					}
					return len(all) == 300, fmt.Sprintf("%d components", len(all))
				})
				if status, body := p.send(t, http.MethodGet, "/api/catalog/entities/by-name/component/default/bad", nil); status != http.StatusNotFound {
					t.Errorf("the NUL entity: %d %s, want 404 (refused by validation)", status, body)
				}

				// Once valid, the entity appears; made invalid again, it keeps its last good
				// content and shows why in its status, while its neighbours are updated.
				good := strings.ReplaceAll(badDoc, `\0`, "")
				if err := os.WriteFile(p.file, []byte(componentsYAML(300, "v1", good)), 0o600); err != nil {
					t.Fatal(err)
				}
				waitFor(t, "the fixed entity served", func() (bool, string) {
					status, body := p.send(t, http.MethodGet, "/api/catalog/entities/by-name/component/default/bad", nil)
					return status == http.StatusOK, fmt.Sprintf("%d %s", status, body)
				})
				if err := os.WriteFile(p.file, []byte(componentsYAML(300, "v2", badDoc)), 0o600); err != nil {
					t.Fatal(err)
				}
				waitFor(t, "neighbours updated and the NUL entity's status error", func() (bool, string) {
					var all []entityView
					status, body := p.send(t, http.MethodGet, "/api/catalog/entities?filter=kind=component,metadata.description=v2&fields=metadata.name", nil)
					if status != http.StatusOK || json.Unmarshal(body, &all) != nil || len(all) != 300 {
						return false, fmt.Sprintf("%d components at v2 (%d)", len(all), status)
					}
					var e entityView
					status, body = p.send(t, http.MethodGet, "/api/catalog/entities/by-name/component/default/bad", nil)
					if status != http.StatusOK || json.Unmarshal(body, &e) != nil {
						return false, fmt.Sprintf("bad: %d %s", status, body)
					}
					for _, it := range e.Status.Items {
						if it.Level == "error" && strings.Contains(it.Message, "NUL") {
							return true, ""
						}
					}
					return false, fmt.Sprintf("bad entity's status has no NUL error: %s", body)
				})
			})
		}
	})
}

// TestUnstorableEntityDoesNotBlockOthers: an entity PostgreSQL cannot index (an owner of
// 4,000 incompressible characters makes a relation whose index entry exceeds 2,704 bytes)
// failed the whole processing batch, so none of its 300 neighbours was ever served. Now the
// batch is split until the refused entity stands alone; it gets a processing error and the
// others are served.
func TestUnstorableEntityDoesNotBlockOthers(t *testing.T) {
	databasetest.ForEachBackend(t, func(t *testing.T, opts database.Options) {
		rng := rand.New(rand.NewPCG(1, 2))
		owner := make([]byte, 4000)
		for i := range owner {
			owner[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[rng.IntN(36)]
		}
		bad := "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: bad}\nspec: {type: service, lifecycle: production, owner: " + string(owner) + "}\n"
		p := startInputPortal(t, opts, componentsYAML(300, "v1", bad))
		waitFor(t, "300 neighbours served", func() (bool, string) {
			var all []entityView
			status, body := p.send(t, http.MethodGet, "/api/catalog/entities?filter=kind=component&fields=metadata.name", nil)
			if status != http.StatusOK || json.Unmarshal(body, &all) != nil {
				return false, fmt.Sprintf("%d %s", status, body)
			}
			return len(all) >= 300, fmt.Sprintf("%d components", len(all))
		})
	})
}

// TestNULInRequestIs400: a NUL character in a query parameter, a path segment or a JSON body
// string answered 500 on PostgreSQL (which refuses NUL in text) on 13 parameters. Every
// catalog endpoint now answers 400 with Backstage's InputError body, on both databases.
func TestNULInRequestIs400(t *testing.T) {
	cases := []struct{ method, path, body string }{
		{"GET", "/api/catalog/entities?filter=kind=a%00b", ""},
		{"GET", "/api/catalog/entities?filter=metadata.name%00=x", ""},
		{"GET", "/api/catalog/entities?fields=kind%00", ""},
		{"GET", "/api/catalog/entities?order=asc:metadata.name%00", ""},
		{"GET", "/api/catalog/entities?limit=1&after=%00", ""},
		{"GET", "/api/catalog/entities/by-query?filter=kind=%00", ""},
		{"GET", "/api/catalog/entities/by-query?fullTextFilterTerm=a%00", ""},
		{"GET", "/api/catalog/entities/by-query?fullTextFilterTerm=a&fullTextFilterFields=metadata.name%00", ""},
		{"GET", "/api/catalog/entities/by-query?orderField=metadata.name%00,asc", ""},
		{"GET", "/api/catalog/entities/by-query?cursor=%00", ""},
		{"GET", "/api/catalog/entity-facets?facet=kind%00", ""},
		{"GET", "/api/catalog/entity-facets?facet=kind&filter=kind=%00", ""},
		{"GET", "/api/catalog/entities/by-name/component/default/a%00b", ""},
		{"GET", "/api/catalog/entities/by-name/component/default/a%00b/ancestry", ""},
		{"GET", "/api/catalog/entities/by-uid/a%00b", ""},
		{"DELETE", "/api/catalog/entities/by-uid/a%00b", ""},
		{"GET", "/api/catalog/locations/a%00b", ""},
		{"DELETE", "/api/catalog/locations/a%00b", ""},
		{"GET", "/api/catalog/locations/by-entity/component/default/a%00b", ""},
		{"POST", "/api/catalog/locations?dryRun=true%00", `{"type":"url","target":"https://example.com/a.yaml"}`},
		{"POST", "/api/catalog/entities/by-refs", `{"entityRefs":["component:default/a\u0000b"]}`},
		{"POST", "/api/catalog/entities/by-refs?filter=kind=%00", `{"entityRefs":["component:default/a"]}`},
		{"POST", "/api/catalog/entities/by-query", `{"query":{"kind":"a\u0000"}}`},
		{"POST", "/api/catalog/entities/by-query", `{"cursor":"\u0000"}`},
		{"POST", "/api/catalog/entity-facets", `{"facets":["kind"],"query":{"kind":"\u0000"}}`},
		{"POST", "/api/catalog/refresh", `{"entityRef":"component:default/a\u0000"}`},
		{"POST", "/api/catalog/locations", `{"type":"url","target":"https://example.com/\u0000.yaml"}`},
		{"POST", "/api/catalog/locations/by-query", `{"query":{"target":"\u0000"}}`},
		{"POST", "/api/catalog/analyze-location", `{"location":{"type":"url","target":"https://example.com/\u0000"}}`},
		{"POST", "/api/catalog/validate-entity", `{"location":"url:https://example.com/a.yaml","entity":{"apiVersion":"backstage.io/v1alpha1","kind":"Component","metadata":{"name":"a","description":"\u0000"},"spec":{"type":"service","lifecycle":"production","owner":"a"}}}`},
	}
	databasetest.ForEachBackend(t, func(t *testing.T, opts database.Options) {
		p := startInputPortal(t, opts, componentsYAML(3, "v1", ""))
		for _, c := range cases {
			t.Run(c.method+" "+c.path+" "+c.body, func(t *testing.T) {
				var body any
				if c.body != "" {
					body = c.body
				}
				status, data := p.send(t, c.method, c.path, body)
				var e struct {
					Error struct{ Name, Message string } `json:"error"`
				}
				if status != http.StatusBadRequest || json.Unmarshal(data, &e) != nil || e.Error.Name != "InputError" || !strings.Contains(e.Error.Message, "NUL") {
					t.Errorf("%s %s %s: %d %s, want 400 InputError naming NUL", c.method, c.path, c.body, status, data)
				}
			})
		}
		// A literal backslash followed by u0000 is not a NUL.
		if status, data := p.send(t, "POST", "/api/catalog/entities/by-refs", `{"entityRefs":["component:default/a\\u0000b"]}`); status != http.StatusOK {
			t.Errorf("escaped backslash: %d %s, want 200", status, data)
		}
	})
}

// hiddenRoles lets contractors read only what they own, but refresh anything and delete
// nothing: a policy under which refresh and delete answers used to tell hidden entities from
// missing ones.
const hiddenRoles = `permission:
  enabled: true
  roles:
    - name: contractors
      members: [group:default/contractors]
      allow:
        - permission: catalog.entity.read
          if: { rule: isEntityOwner, params: { claims: ['$ownershipRefs'] } }
        - catalog.entity.refresh
`

// TestHiddenEntityLooksAbsent is issue 12 item 7's existence leak: POST /refresh answered 200
// for an entity the caller may not read and 404 for a missing one; DELETE by uid answered 403
// for a hidden entity and 204 for a missing one. Both now answer as for a missing entity (and
// the hidden entity is neither refreshed nor deleted).
func TestHiddenEntityLooksAbsent(t *testing.T) {
	databasetest.ForEachBackend(t, func(t *testing.T, opts database.Options) {
		p := startPermPortalWithRoles(t, frameworktest.DatabaseConfig(opts), 20, hiddenRoles)
		var hidden, own string
		for ref, owner := range p.f.owner {
			if owner == "group:default/contractors" {
				own = ref
			} else {
				hidden = ref
			}
		}
		if hidden == "" || own == "" {
			t.Fatal("fixture has no hidden or no own component")
		}
		refresh := []struct {
			ref  string
			want int
		}{
			{hidden, http.StatusNotFound},
			{"component:default/does-not-exist", http.StatusNotFound},
			{own, http.StatusOK},
		}
		for _, c := range refresh {
			if s := p.call(t, "carol", http.MethodPost, "/api/catalog/refresh", map[string]any{"entityRef": c.ref}, nil); s != c.want {
				t.Errorf("carol refreshes %s: %d, want %d", c.ref, s, c.want)
			}
		}
		var e struct {
			Metadata struct{ UID string } `json:"metadata"`
		}
		kind, rest, _ := strings.Cut(hidden, ":")
		if s := p.call(t, "", http.MethodGet, "/api/catalog/entities/by-name/"+kind+"/"+rest, nil, &e); s != http.StatusOK || e.Metadata.UID == "" {
			t.Fatalf("uid of %s: %d", hidden, s)
		}
		for _, uid := range []string{e.Metadata.UID, "00000000-0000-0000-0000-000000000000"} {
			if s := p.call(t, "carol", http.MethodDelete, "/api/catalog/entities/by-uid/"+uid, nil, nil); s != http.StatusNoContent {
				t.Errorf("carol deletes uid %s: %d, want 204 (as for a missing entity)", uid, s)
			}
		}
		if s := p.call(t, "", http.MethodGet, "/api/catalog/entities/by-uid/"+e.Metadata.UID, nil, nil); s != http.StatusOK {
			t.Errorf("the hidden entity was deleted: %d", s)
		}
		// The other per-entity reads already answer 404 for a hidden entity.
		for _, path := range []string{
			"/api/catalog/entities/by-name/" + kind + "/" + rest,
			"/api/catalog/entities/by-name/" + kind + "/" + rest + "/ancestry",
			"/api/catalog/entities/by-uid/" + e.Metadata.UID,
		} {
			if s := p.call(t, "carol", http.MethodGet, path, nil, nil); s != http.StatusNotFound {
				t.Errorf("carol GET %s: %d, want 404", path, s)
			}
		}
	})
}

// TestFilterSizeIsBounded: $any with ~1,000 alternatives or 1,200 filter= parameters answered
// 500 "Expression tree is too large" on SQLite. Filters are bounded (query.MaxFilterSets,
// MaxFilterConditions, MaxFilterValues): just under each limit answers 200 on both databases,
// over it 400 naming the limit.
func TestFilterSizeIsBounded(t *testing.T) {
	sets := func(n int) string {
		q := make([]string, n)
		for i := range q {
			q[i] = fmt.Sprintf("filter=kind=component,metadata.name=svc-%03d", i)
		}
		return "/api/catalog/entities?" + strings.Join(q, "&")
	}
	anyOf := func(n int) string {
		alts := make([]string, n)
		for i := range alts {
			alts[i] = fmt.Sprintf(`{"metadata.name":"svc-%03d"}`, i)
		}
		return `{"query":{"$any":[` + strings.Join(alts, ",") + `]}}`
	}
	in := func(n int) string {
		vals := make([]string, n)
		for i := range vals {
			vals[i] = fmt.Sprintf(`"svc-%04d"`, i)
		}
		return `{"query":{"metadata.name":{"$in":[` + strings.Join(vals, ",") + `]}}}`
	}
	refs := func(n int) string {
		vals := make([]string, n)
		for i := range vals {
			vals[i] = fmt.Sprintf(`"component:default/svc-%04d"`, i)
		}
		return `{"entityRefs":[` + strings.Join(vals, ",") + `]}`
	}
	cases := []struct {
		name, method, path, body string
		want                     int
	}{
		{"filter sets at the limit", "GET", sets(100), "", http.StatusOK},
		{"filter sets over the limit", "GET", sets(101), "", http.StatusBadRequest},
		{"1200 filter sets", "GET", sets(1200), "", http.StatusBadRequest},
		{"$any at the limit", "POST", "/api/catalog/entities/by-query", anyOf(499), http.StatusOK},
		{"$any over the limit", "POST", "/api/catalog/entities/by-query", anyOf(500), http.StatusBadRequest},
		{"$any of 1000", "POST", "/api/catalog/entities/by-query", anyOf(1000), http.StatusBadRequest},
		{"facets $any at the limit", "POST", "/api/catalog/entity-facets", `{"facets":["kind"],` + anyOf(499)[1:], http.StatusOK},
		{"facets $any over the limit", "POST", "/api/catalog/entity-facets", `{"facets":["kind"],` + anyOf(500)[1:], http.StatusBadRequest},
		{"$in at the limit", "POST", "/api/catalog/entities/by-query", in(1000), http.StatusOK},
		{"$in over the limit", "POST", "/api/catalog/entities/by-query", in(1001), http.StatusBadRequest},
		{"by-refs with 5000 refs", "POST", "/api/catalog/entities/by-refs", refs(5000), http.StatusOK},
	}
	databasetest.ForEachBackend(t, func(t *testing.T, opts database.Options) {
		p := startInputPortal(t, opts, componentsYAML(3, "v1", ""))
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				var body any
				if c.body != "" {
					body = c.body
				}
				status, data := p.send(t, c.method, c.path, body)
				if status != c.want {
					t.Fatalf("%d %.300s, want %d", status, data, c.want)
				}
				if c.want == http.StatusBadRequest && (!strings.Contains(string(data), `"InputError"`) || !strings.Contains(string(data), "at most")) {
					t.Errorf("body %.300s, want an InputError naming the limit", data)
				}
			})
		}
	})
}
