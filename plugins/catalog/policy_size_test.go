package catalog_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/database/databasetest"
	"github.com/portico-dev/portico/framework/frameworktest"
)

// readPolicy grants catalog.entity.read to everyone on a condition with one alternative per
// kind (an isEntityKind rule each, as a generated policy writes them) and one per label
// (hasLabel, each label its own key).
func readPolicy(kinds []string, labels [][2]string) string {
	var b strings.Builder
	b.WriteString("permission:\n  enabled: true\n  roles:\n    - name: everyone\n      members: ['*']\n      allow:\n        - permission: catalog.entity.read\n          if:\n            anyOf:\n")
	for _, k := range kinds {
		fmt.Fprintf(&b, "              - { rule: isEntityKind, params: { kinds: [%s] } }\n", k)
	}
	for _, l := range labels {
		fmt.Fprintf(&b, "              - { rule: hasLabel, params: { label: %s, value: %s } }\n", l[0], l[1])
	}
	return b.String()
}

// manyKinds returns n kinds that do not exist, with the given ones in the middle.
func manyKinds(n int, real ...string) []string {
	out := make([]string, 0, n+len(real))
	for i := range n {
		if i == n/2 {
			out = append(out, real...)
		}
		out = append(out, fmt.Sprintf("kind-%05d", i))
	}
	return out
}

// manyLabels returns n labels that do not exist, with the given ones in the middle.
func manyLabels(n int, real ...[2]string) [][2]string {
	out := make([][2]string, 0, n+len(real))
	for i := range n {
		if i == n/3 {
			out = append(out, real...)
		}
		out = append(out, [2]string{fmt.Sprintf("label-%05d", i), "x"})
	}
	return out
}

// TestHugeReadConditionIsServed is the expression-size attack through a policy: a read
// condition with thousands of alternatives was ANDed into the catalog's SQL after the request
// filter's size limit was checked, so SQLite answered 500 "Expression tree is too large".
// The compiler now merges same-key alternatives into one IN list and nests the others in
// shallow groups: every read answers 200 with exactly the entities the policy grants.
func TestHugeReadConditionIsServed(t *testing.T) {
	tier := [2]string{"tier", "gold"}
	for _, tc := range []struct {
		name   string
		policy string
		want   func(f permFixture, ref string) bool
	}{
		{
			name:   "2,000 alternatives of kinds and labels",
			policy: readPolicy(manyKinds(999, "Group"), manyLabels(999, tier)),
			want:   func(f permFixture, ref string) bool { return f.kinds[ref] == "group" || f.gold[ref] },
		},
		{
			name:   "5,000 kinds",
			policy: readPolicy(manyKinds(4998, "Group", "user"), nil),
			want:   func(f permFixture, ref string) bool { return f.kinds[ref] == "group" || f.kinds[ref] == "user" },
		},
		{
			// At query.MaxPolicyConditions once merged: $any and 2,499 label matches.
			name:   "2,499 labels, at the limit",
			policy: readPolicy(nil, manyLabels(2498, tier)),
			want:   func(f permFixture, ref string) bool { return f.gold[ref] },
		},
		{
			// Over query.MaxPolicyConditions once merged: too large for one statement, so
			// nothing may be read (and the operator is told), never a 500.
			name:   "2,501 labels, over the limit",
			policy: readPolicy(nil, manyLabels(2500, tier)),
			want:   func(permFixture, string) bool { return false },
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			testReadCondition(t, tc.policy, tc.want)
		})
	}
}

func testReadCondition(t *testing.T, policy string, readable func(f permFixture, ref string) bool) {
	databasetest.ForEachBackend(t, func(t *testing.T, opts database.Options) {
		p := startPermPortalWithRoles(t, frameworktest.DatabaseConfig(opts), 20, policy)
		want := []string{}
		for ref := range p.f.kinds {
			if readable(p.f, ref) {
				want = append(want, ref)
			}
		}
		sort.Strings(want)
		refsOf := func(t *testing.T, status int, items []json.RawMessage) []string {
			t.Helper()
			if status != http.StatusOK {
				t.Fatalf("status %d, want 200", status)
			}
			var got []string
			for _, it := range items {
				got = append(got, refOf(it))
			}
			sort.Strings(got)
			return got
		}
		t.Run("list", func(t *testing.T) {
			var items []json.RawMessage
			got := refsOf(t, p.call(t, "alice", http.MethodGet, "/api/catalog/entities?fields=kind,metadata.name,metadata.namespace", nil, &items), items)
			if !slices.Equal(got, want) {
				t.Fatalf("alice reads %v, want %v", got, want)
			}
		})
		t.Run("by-query with a filter and a total", func(t *testing.T) {
			var page struct {
				Items      []json.RawMessage `json:"items"`
				TotalItems int               `json:"totalItems"`
			}
			status := p.call(t, "alice", http.MethodGet, "/api/catalog/entities/by-query?filter=kind=group,kind=component,kind=user&orderField=metadata.name,asc&limit=500&fields=kind,metadata.name,metadata.namespace", nil, &page)
			got := refsOf(t, status, page.Items)
			if !slices.Equal(got, want) || page.TotalItems != len(want) {
				t.Fatalf("alice reads %v (total %d), want %v", got, page.TotalItems, want)
			}
		})
		t.Run("facets", func(t *testing.T) {
			var facets struct {
				Facets map[string][]struct {
					Value string `json:"value"`
					Count int    `json:"count"`
				} `json:"facets"`
			}
			if s := p.call(t, "alice", http.MethodGet, "/api/catalog/entity-facets?facet=kind", nil, &facets); s != http.StatusOK {
				t.Fatalf("facets: %d", s)
			}
			total := 0
			for _, f := range facets.Facets["kind"] {
				total += f.Count
			}
			if total != len(want) {
				t.Fatalf("facets count %d entities, want %d: %+v", total, len(want), facets)
			}
		})
		t.Run("single entities", func(t *testing.T) {
			for ref, kind := range p.f.kinds {
				name := ref[strings.Index(ref, "/")+1:]
				wantStatus := http.StatusNotFound
				if readable(p.f, ref) {
					wantStatus = http.StatusOK
				}
				if s := p.call(t, "alice", http.MethodGet, "/api/catalog/entities/by-name/"+kind+"/default/"+name, nil, nil); s != wantStatus {
					t.Errorf("alice GET %s: %d, want %d", ref, s, wantStatus)
				}
			}
		})
	})
}
