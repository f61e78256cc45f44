package catalog_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/database/databasetest"
	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/plugins/auth"
	"github.com/portico-dev/portico/plugins/catalog"
	"github.com/portico-dev/portico/plugins/permission"
)

// permFixture is an organisation: teams a and b, platform admins, contractors, and
// components owned by all of them (seeded, so every run sees the same catalog).
type permFixture struct {
	yaml  string
	owner map[string]string // component ref → owning group ref
	kinds map[string]string // every entity ref → kind (lower case)
	types map[string]string // component ref → spec.type
	gold  map[string]bool   // component ref → has label tier: gold
	pub   map[string]bool   // component ref → has annotation example.com/public
	desc  map[string]bool   // component ref → has metadata.description
}

var groups = []string{"team-a", "team-b", "platform", "contractors", "auditors"}

var users = map[string]string{"alice": "team-a", "bob": "team-b", "root": "platform", "carol": "contractors", "dave": "auditors"}

func newPermFixture(n int) permFixture {
	f := permFixture{owner: map[string]string{}, kinds: map[string]string{}, types: map[string]string{},
		gold: map[string]bool{}, pub: map[string]bool{}, desc: map[string]bool{}}
	var b strings.Builder
	for _, g := range groups {
		fmt.Fprintf(&b, "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: %s}\nspec: {type: team, children: []}\n---\n", g)
		f.kinds["group:default/"+g] = "group"
	}
	names := slices.Sorted(maps.Keys(users))
	for _, u := range names {
		fmt.Fprintf(&b, "apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata: {name: %s}\nspec: {memberOf: [%s]}\n---\n", u, users[u])
		f.kinds["user:default/"+u] = "user"
	}
	rng := rand.New(rand.NewPCG(7, 11))
	for i := range n {
		owner := groups[rng.IntN(len(groups))]
		typ := []string{"service", "website", "library"}[rng.IntN(3)]
		name := fmt.Sprintf("svc-%03d", i)
		ref := "component:default/" + name
		tier := []string{"gold", "silver", ""}[rng.IntN(3)]
		f.gold[ref], f.pub[ref], f.desc[ref] = tier == "gold", rng.IntN(4) == 0, rng.IntN(2) == 0
		meta := "name: " + name
		if tier != "" {
			meta += ", labels: {tier: " + strings.ToUpper(tier[:1]) + tier[1:] + "}"
		}
		if f.pub[ref] {
			meta += ", annotations: {example.com/public: 'yes'}"
		}
		if f.desc[ref] {
			meta += ", description: Something"
		}
		fmt.Fprintf(&b, "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {%s}\nspec: {type: %s, lifecycle: production, owner: %s}\n---\n", meta, typ, owner)
		f.owner[ref], f.kinds[ref], f.types[ref] = "group:default/"+owner, "component", typ
	}
	f.yaml = b.String()
	return f
}

// canRead is the example policy's read decision, restated.
func (f permFixture) canRead(user, ref string) bool {
	if users[user] == "auditors" {
		return f.gold[ref] || f.pub[ref] || (f.types[ref] == "website" && !f.desc[ref])
	}
	if users[user] != "contractors" {
		return true
	}
	k := f.kinds[ref]
	return k == "group" || k == "user" || f.owner[ref] == "group:default/contractors"
}

func (f permFixture) canDelete(user, ref string) bool {
	switch users[user] {
	case "platform":
		return true
	case "auditors":
		return false
	}
	return f.canRead(user, ref) && f.owner[ref] == "group:default/"+users[user]
}

const rolesYAML = `permission:
  enabled: true
  roles:
    - name: platform-admins
      members: [group:default/platform]
      allow: ['*']
    - name: teams
      members: [group:default/team-a, group:default/team-b]
      allow:
        - catalog.entity.read
        - catalog.location.read
        - permission: catalog.entity.delete
          if: { rule: isEntityOwner, params: { claims: ['$ownershipRefs'] } }
        - permission: catalog.entity.refresh
          if: { rule: isEntityOwner, params: { claims: ['$ownershipRefs'] } }
    - name: contractors
      members: [group:default/contractors]
      allow:
        - permission: catalog.entity.read
          if:
            anyOf:
              - { rule: isEntityOwner, params: { claims: ['$ownershipRefs'] } }
              - { rule: IS_ENTITY_KIND, params: { kinds: [group, user] } }
        - permission: catalog.entity.delete
          if: { rule: isEntityOwner, params: { claims: ['$ownershipRefs'] } }
    - name: auditors
      members: [group:default/auditors]
      allow:
        - permission: catalog.entity.read
          if:
            anyOf:
              - { rule: hasLabel, params: { label: tier, value: gold } }
              - { rule: hasAnnotation, params: { annotation: example.com/public } }
              - allOf:
                  - { rule: hasSpec, params: { key: type, value: website } }
                  - not: { rule: hasMetadata, params: { key: description } }
`

type permPortal struct {
	*frameworktest.Backend
	f      permFixture
	tokens map[string]string
	roles  string // the roles file
}

func startPermPortal(t *testing.T, db map[string]any, n int) *permPortal {
	t.Helper()
	return startPermPortalWithRoles(t, db, n, rolesYAML)
}

// startPermPortalWithRoles is startPermPortal with another permission config.
func startPermPortalWithRoles(t *testing.T, db map[string]any, n int, rolesYAML string) *permPortal {
	t.Helper()
	f := newPermFixture(n)
	cfg, file := frameworktest.CatalogConfig(t, f.yaml, "Component", "Group", "User", "Location")
	rolesFile := filepath.Join(filepath.Dir(file), "roles.yaml")
	if err := os.WriteFile(rolesFile, []byte(rolesYAML), 0o600); err != nil {
		t.Fatal(err)
	}
	var permCfg map[string]any
	if err := yamlToMap(rolesYAML, &permCfg); err != nil {
		t.Fatal(err)
	}
	if db != nil {
		cfg["backend"].(map[string]any)["database"] = db
	}
	cfg["auth"] = map[string]any{"providers": map[string]any{"oauth2Proxy": map[string]any{
		"signIn": map[string]any{"resolvers": []any{map[string]any{"resolver": "forwardedUserMatchingUserEntityName"}}},
	}}}
	cfg["permission"] = permCfg["permission"]
	b := frameworktest.Start(t, cfg, catalog.Plugin(), auth.Plugin(), permission.Plugin())
	p := &permPortal{Backend: b, f: f, tokens: map[string]string{}, roles: rolesFile}
	// Wait for the whole catalog (as the test's service token sees it).
	deadline := time.Now().Add(60 * time.Second)
	for {
		var all []json.RawMessage
		status := p.call(t, "", http.MethodGet, "/api/catalog/entities?fields=kind", nil, &all)
		if status == http.StatusOK && len(all) >= len(f.kinds)+1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("catalog has %d entities after 60s, want %d", len(all), len(f.kinds)+1)
		}
		time.Sleep(50 * time.Millisecond)
	}
	for u := range users {
		p.tokens[u] = p.signIn(t, u)
	}
	return p
}

// signIn gets a user token from the oauth2Proxy provider, as a proxy-fronted browser would.
func (p *permPortal) signIn(t *testing.T, user string) string {
	t.Helper()
	return frameworktest.SignIn(t, p.URL, "/api/auth/oauth2Proxy/refresh", "X-Forwarded-User", user)
}

// call sends a request as user ("" = the test's service token) and decodes the JSON answer.
func (p *permPortal) call(t *testing.T, user, method, path string, body, out any) int {
	t.Helper()
	req := frameworktest.JSONRequest(t, method, p.URL+path, body)
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+p.tokens[user])
	}
	resp, data := frameworktest.Send(t, p.Client(), req)
	if out != nil && resp.StatusCode/100 == 2 && len(data) > 0 {
		if err := json.Unmarshal([]byte(data), out); err != nil {
			t.Fatalf("%s %s: decode %s: %v", method, path, data, err)
		}
	}
	return resp.StatusCode
}

func refOf(raw json.RawMessage) string {
	var e struct {
		Kind     string `json:"kind"`
		Metadata struct{ Name, Namespace string }
	}
	_ = json.Unmarshal(raw, &e)
	ns := e.Metadata.Namespace
	if ns == "" {
		ns = "default"
	}
	return strings.ToLower(e.Kind) + ":" + ns + "/" + strings.ToLower(e.Metadata.Name)
}

// expected lists the fixture refs user may read that keep(ref) accepts, sorted.
func (p *permPortal) expected(user string, keep func(string) bool) []string {
	var out []string
	for ref := range p.f.kinds {
		if p.f.canRead(user, ref) && keep(ref) {
			out = append(out, ref)
		}
	}
	sort.Strings(out)
	return out
}

func onlyFixture(refs []string, f permFixture) []string {
	var out []string
	for _, r := range refs {
		if _, ok := f.kinds[r]; ok {
			out = append(out, r)
		}
	}
	sort.Strings(out)
	return out
}

// TestCatalogPermissions runs the users × permissions × entities matrix of the example roles
// over HTTP on each database: list, paged query, facets, by-refs, single reads, deletes and
// the audit log.
func TestCatalogPermissions(t *testing.T) {
	databasetest.ForEachBackend(t, func(t *testing.T, opts database.Options) {
		db := frameworktest.DatabaseConfig(opts)
		p := startPermPortal(t, db, 40)
		for _, user := range []string{"alice", "bob", "root", "carol", "dave"} {
			t.Run(user, func(t *testing.T) {
				all := func(string) bool { return true }
				want := p.expected(user, all)
				if (user == "carol" || user == "dave") && len(want) >= len(p.f.kinds) {
					t.Fatalf("the fixture gives carol no conditional reads")
				}

				var list []json.RawMessage
				if s := p.call(t, user, http.MethodGet, "/api/catalog/entities", nil, &list); s != http.StatusOK {
					t.Fatalf("GET /entities: %d", s)
				}
				var got []string
				for _, e := range list {
					got = append(got, refOf(e))
				}
				if g := onlyFixture(got, p.f); !slices.Equal(g, want) {
					t.Errorf("GET /entities: got %d entities %v\nwant %d %v", len(g), g, len(want), want)
				}

				// Facets count only readable entities.
				var facets struct {
					Facets map[string][]struct {
						Value string `json:"value"`
						Count int    `json:"count"`
					} `json:"facets"`
				}
				p.call(t, user, http.MethodGet, "/api/catalog/entity-facets?facet=kind", nil, &facets)
				counts := map[string]int{}
				for _, fc := range facets.Facets["kind"] {
					counts[strings.ToLower(fc.Value)] = fc.Count
				}
				wantCounts := map[string]int{}
				for _, r := range want {
					wantCounts[p.f.kinds[r]]++
				}
				for k, n := range wantCounts {
					if counts[k] != n {
						t.Errorf("facet kind=%s: got %d, want %d", k, counts[k], n)
					}
				}

				// by-refs: null exactly for denied entities.
				refs := slices.Sorted(maps.Keys(p.f.kinds))
				var byRefs struct {
					Items []json.RawMessage `json:"items"`
				}
				p.call(t, user, http.MethodPost, "/api/catalog/entities/by-refs", map[string]any{"entityRefs": refs}, &byRefs)
				for i, r := range refs {
					present := len(byRefs.Items) > i && string(byRefs.Items[i]) != "null"
					if present != p.f.canRead(user, r) {
						t.Errorf("by-refs %s: present %v, want %v", r, present, p.f.canRead(user, r))
					}
				}

				// Single reads: 404 when denied.
				for _, r := range refs[:12] {
					kind, rest, _ := strings.Cut(r, ":")
					status := p.call(t, user, http.MethodGet, "/api/catalog/entities/by-name/"+kind+"/"+rest, nil, nil)
					want := http.StatusOK
					if !p.f.canRead(user, r) {
						want = http.StatusNotFound
					}
					if status != want {
						t.Errorf("GET by-name %s: %d, want %d", r, status, want)
					}
				}

				// Delete and refresh decisions through /api/permission/authorize, as
				// Backstage's PermissionClient asks (resource permission with resourceRef).
				// The same read decision per entity through apply-conditions (the rules'
				// in-memory Apply) agrees with the lists above (their ToQuery in SQL).
				var reads []map[string]any
				for i, r := range refs {
					reads = append(reads, map[string]any{"id": fmt.Sprint(i), "resourceRef": r, "permission": map[string]any{
						"type": "resource", "name": "catalog.entity.read", "attributes": map[string]any{"action": "read"}, "resourceType": "catalog-entity"}})
				}
				var readRes struct {
					Items []struct{ ID, Result string } `json:"items"`
				}
				if s := p.call(t, user, http.MethodPost, "/api/permission/authorize", map[string]any{"items": reads}, &readRes); s != http.StatusOK || len(readRes.Items) != len(refs) {
					t.Fatalf("authorize reads: %d, %d items", s, len(readRes.Items))
				}
				for _, it := range readRes.Items {
					var i int
					fmt.Sscan(it.ID, &i)
					if (it.Result == "ALLOW") != p.f.canRead(user, refs[i]) {
						t.Errorf("authorize read %s: %s, want allowed=%v", refs[i], it.Result, p.f.canRead(user, refs[i]))
					}
				}

				var items []map[string]any
				for i, r := range refs {
					items = append(items, map[string]any{"id": fmt.Sprint(i), "resourceRef": r, "permission": map[string]any{
						"type": "resource", "name": "catalog.entity.delete", "attributes": map[string]any{"action": "delete"}, "resourceType": "catalog-entity"}})
				}
				var auth struct {
					Items []struct {
						ID     string `json:"id"`
						Result string `json:"result"`
					} `json:"items"`
				}
				if s := p.call(t, user, http.MethodPost, "/api/permission/authorize", map[string]any{"items": items}, &auth); s != http.StatusOK {
					t.Fatalf("authorize: %d", s)
				}
				for _, it := range auth.Items {
					var i int
					fmt.Sscan(it.ID, &i)
					want := "DENY"
					if p.f.canDelete(user, refs[i]) {
						want = "ALLOW"
					}
					if it.Result != want {
						t.Errorf("authorize delete %s: %s, want %s", refs[i], it.Result, want)
					}
				}
			})
		}

		t.Run("paged queries", func(t *testing.T) { testPagedReads(t, p) })
		t.Run("delete and audit", func(t *testing.T) { testDeleteAndAudit(t, p) })
	})
}

// testPagedReads is the property: for random page sizes and filters, a user's cursor-paged
// by-query list (GET and POST) never includes an entity they cannot read, never skips one
// they can, and its total is exact.
func testPagedReads(t *testing.T, p *permPortal) {
	rng := rand.New(rand.NewPCG(3, 5))
	filters := []struct {
		get  string
		pred map[string]any
		keep func(string) bool
	}{
		{"", nil, func(string) bool { return true }},
		{"kind=component", map[string]any{"kind": "component"}, func(r string) bool { return p.f.kinds[r] == "component" }},
		{"kind=component,spec.type=service", map[string]any{"kind": "component", "spec.type": "service"}, func(r string) bool { return p.f.types[r] == "service" }},
	}
	for round := range 15 {
		user := []string{"alice", "carol", "root", "bob", "dave"}[round%5]
		flt := filters[rng.IntN(len(filters))]
		limit := 1 + rng.IntN(6)
		want := p.expected(user, flt.keep)
		for _, post := range []bool{false, true} {
			name := fmt.Sprintf("%s/%q/limit=%d/post=%v", user, flt.get, limit, post)
			var got []string
			cursor := ""
			total := -1
			for page := 0; ; page++ {
				if page > 200 {
					t.Fatalf("%s: more than 200 pages", name)
				}
				var res struct {
					Items      []json.RawMessage `json:"items"`
					TotalItems int               `json:"totalItems"`
					PageInfo   struct {
						NextCursor string `json:"nextCursor"`
					} `json:"pageInfo"`
				}
				var status int
				if post {
					body := map[string]any{"limit": limit}
					if cursor != "" {
						body["cursor"] = cursor
					} else if flt.pred != nil {
						body["query"] = flt.pred
					}
					status = p.call(t, user, http.MethodPost, "/api/catalog/entities/by-query", body, &res)
				} else {
					q := url.Values{"limit": {fmt.Sprint(limit)}}
					if cursor != "" {
						q.Set("cursor", cursor)
					} else if flt.get != "" {
						q.Set("filter", flt.get)
					}
					status = p.call(t, user, http.MethodGet, "/api/catalog/entities/by-query?"+q.Encode(), nil, &res)
				}
				if status != http.StatusOK {
					t.Fatalf("%s: page %d: status %d", name, page, status)
				}
				if total == -1 {
					total = res.TotalItems
				}
				for _, e := range res.Items {
					got = append(got, refOf(e))
				}
				if res.PageInfo.NextCursor == "" {
					break
				}
				cursor = res.PageInfo.NextCursor
			}
			fixture := onlyFixture(got, p.f)
			extra := len(got) - len(fixture) // the location entity, readable by admins and teams
			if !slices.Equal(fixture, want) {
				t.Errorf("%s: got %v\nwant %v", name, fixture, want)
			}
			if total != len(got) || len(got) != len(want)+extra {
				t.Errorf("%s: totalItems %d, items %d, want %d (+%d non-fixture)", name, total, len(got), len(want), extra)
			}
			for _, r := range got {
				if _, ok := p.f.kinds[r]; !ok && (user == "carol" || user == "dave") {
					t.Errorf("%s: carol sees %s", name, r)
				}
			}
		}
	}
	// A cursor cannot widen what its holder reads: carol replays root's cursor.
	var res struct {
		PageInfo struct {
			NextCursor string `json:"nextCursor"`
		} `json:"pageInfo"`
	}
	p.call(t, "root", http.MethodGet, "/api/catalog/entities/by-query?limit=2", nil, &res)
	var page struct {
		Items []json.RawMessage `json:"items"`
	}
	p.call(t, "carol", http.MethodGet, "/api/catalog/entities/by-query?cursor="+url.QueryEscape(res.PageInfo.NextCursor), nil, &page)
	for _, e := range page.Items {
		if r := refOf(e); !p.f.canRead("carol", r) {
			t.Errorf("carol read %s through root's cursor", r)
		}
	}
}

func testDeleteAndAudit(t *testing.T, p *permPortal) {
	var mine, theirs string
	for ref, owner := range p.f.owner {
		switch owner {
		case "group:default/team-a":
			mine = ref
		case "group:default/team-b":
			theirs = ref
		}
	}
	uid := func(ref string) string {
		kind, rest, _ := strings.Cut(ref, ":")
		var e struct {
			Metadata struct {
				UID string `json:"uid"`
			} `json:"metadata"`
		}
		p.call(t, "", http.MethodGet, "/api/catalog/entities/by-name/"+kind+"/"+rest, nil, &e)
		return e.Metadata.UID
	}
	// Refresh: conditional on ownership, checked against the entity.
	if s := p.call(t, "alice", http.MethodPost, "/api/catalog/refresh", map[string]any{"entityRef": theirs}, nil); s != http.StatusForbidden {
		t.Errorf("alice refreshes team-b's %s: %d, want 403", theirs, s)
	}
	if s := p.call(t, "alice", http.MethodPost, "/api/catalog/refresh", map[string]any{"entityRef": mine}, nil); s != http.StatusOK {
		t.Errorf("alice refreshes her team's %s: %d, want 200", mine, s)
	}
	// Locations need catalog.location.read, which carol lacks.
	if s := p.call(t, "carol", http.MethodGet, "/api/catalog/locations", nil, nil); s != http.StatusForbidden {
		t.Errorf("carol lists locations: %d, want 403", s)
	}
	if s := p.call(t, "alice", http.MethodGet, "/api/catalog/locations", nil, nil); s != http.StatusOK {
		t.Errorf("alice lists locations: %d, want 200", s)
	}
	// Denied entities look missing by uid and in ancestry too.
	kind, rest, _ := strings.Cut(theirs, ":")
	if s := p.call(t, "carol", http.MethodGet, "/api/catalog/entities/by-uid/"+uid(theirs), nil, nil); s != http.StatusNotFound {
		t.Errorf("carol reads %s by uid: %d, want 404", theirs, s)
	}
	if s := p.call(t, "carol", http.MethodGet, "/api/catalog/entities/by-name/"+kind+"/"+rest+"/ancestry", nil, nil); s != http.StatusNotFound {
		t.Errorf("carol reads the ancestry of %s: %d, want 404", theirs, s)
	}
	// carol reads her own component's ancestry without the location entities she may not read.
	for ref, owner := range p.f.owner {
		if owner != "group:default/contractors" {
			continue
		}
		kind, rest, _ := strings.Cut(ref, ":")
		var anc struct {
			Items []struct {
				Entity json.RawMessage `json:"entity"`
			} `json:"items"`
		}
		if s := p.call(t, "carol", http.MethodGet, "/api/catalog/entities/by-name/"+kind+"/"+rest+"/ancestry", nil, &anc); s != http.StatusOK || len(anc.Items) != 1 || refOf(anc.Items[0].Entity) != ref {
			t.Errorf("carol's ancestry of %s: %d, %d items", ref, s, len(anc.Items))
		}
		var full struct {
			Items []json.RawMessage `json:"items"`
		}
		if p.call(t, "root", http.MethodGet, "/api/catalog/entities/by-name/"+kind+"/"+rest+"/ancestry", nil, &full); len(full.Items) < 2 {
			t.Errorf("root's ancestry of %s has %d items, want the locations too", ref, len(full.Items))
		}
		break
	}
	if s := p.call(t, "alice", http.MethodGet, "/api/catalog/entities/by-uid/"+uid(theirs), nil, nil); s != http.StatusOK {
		t.Errorf("alice reads %s by uid: %d, want 200", theirs, s)
	}
	if s := p.call(t, "alice", http.MethodDelete, "/api/catalog/entities/by-uid/"+uid(theirs), nil, nil); s != http.StatusForbidden {
		t.Errorf("alice deletes team-b's %s: %d, want 403", theirs, s)
	}
	if s := p.call(t, "alice", http.MethodDelete, "/api/catalog/entities/by-uid/"+uid(mine), nil, nil); s != http.StatusNoContent {
		t.Errorf("alice deletes her team's %s: %d, want 204", mine, s)
	}
	if s := p.call(t, "alice", http.MethodPost, "/api/catalog/locations", map[string]any{"type": "url", "target": "https://example.com/x.yaml"}, nil); s != http.StatusForbidden {
		t.Errorf("alice registers a location: %d, want 403", s)
	}
	if s := p.call(t, "alice", http.MethodGet, "/api/permission/audit", nil, nil); s != http.StatusForbidden {
		t.Errorf("alice reads the audit log: %d, want 403", s)
	}
	var log struct {
		Items []struct {
			Who, Permission, ResourceRef, Decision string
		} `json:"items"`
		NextCursor string `json:"nextCursor"`
	}
	if s := p.call(t, "root", http.MethodGet, "/api/permission/audit?who=user:default/alice", nil, &log); s != http.StatusOK {
		t.Fatalf("root reads the audit log: %d", s)
	}
	seen := map[string]bool{}
	for _, e := range log.Items {
		seen[e.Permission+" "+e.ResourceRef+" "+e.Decision] = true
	}
	for _, want := range []string{
		"catalog.entity.delete " + theirs + " DENY",
		"catalog.entity.delete " + mine + " ALLOW",
		"catalog.location.create  DENY",
		"catalog.entity.refresh " + theirs + " DENY",
		"catalog.entity.refresh " + mine + " ALLOW",
	} {
		if !seen[want] {
			t.Errorf("audit log lacks %q; has %v", want, seen)
		}
	}
	// Paging: one entry per page walks all five.
	n, cursor := 0, ""
	for range 10 {
		q := "/api/permission/audit?who=user:default/alice&limit=1"
		if cursor != "" {
			q += "&cursor=" + cursor
		}
		log.NextCursor = ""
		p.call(t, "root", http.MethodGet, q, nil, &log)
		n += len(log.Items)
		if cursor = log.NextCursor; cursor == "" {
			break
		}
	}
	if n != 5 {
		t.Errorf("paged audit log: %d entries, want 5", n)
	}
}

func yamlToMap(s string, out *map[string]any) error { return yaml.Unmarshal([]byte(s), out) }
