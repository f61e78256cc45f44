package client_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/plugins/catalog"
	"github.com/portico-dev/portico/plugins/catalog/client"
)

const users = `apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-a}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: alice}
spec: {profile: {email: alice@example.com}, memberOf: [team-a]}
`

const component = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: new-service}
spec: {type: service, lifecycle: experimental, owner: team-a}
`

type discovery string

func (d discovery) BaseURL(pluginID string) string { return string(d) + "/api/" + pluginID }

func TestClientAgainstCatalog(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	usersFile := write("users.yaml", users)
	write("component.yaml", component)
	// Callers register url locations (read from remote hosts only): a loopback host serves dir.
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	t.Cleanup(srv.Close)
	componentFile := srv.URL + "/component.yaml"
	b := frameworktest.Start(t, map[string]any{
		"backend": map[string]any{"reading": map[string]any{
			"localRoots": []any{dir},
			"allow":      []any{map[string]any{"host": strings.TrimPrefix(srv.URL, "http://")}},
		}},
		"catalog": map[string]any{
			"locations": []any{map[string]any{"type": "file", "target": usersFile}},
			"rules":     []any{map[string]any{"allow": []any{"Component", "Group", "User", "Location"}}},
		},
	}, catalog.Plugin())
	c := client.New(discovery(b.URL), func(context.Context) (string, error) { return b.Token, nil })
	ctx := context.Background()

	// Ingestion runs in the background: wait for the user with its group relation.
	frameworktest.Eventually(t, func() (bool, string) {
		got, err := c.QueryEntities(ctx, []string{"kind=user,spec.profile.email=alice@example.com"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 1 && got[0].Metadata.Name != "alice" {
			t.Fatalf("got %q", got[0].Metadata.Name)
		}
		return len(got) == 1 && len(got[0].Relations) > 0, fmt.Sprintf("alice never appeared stitched: %v", got)
	}, nil)

	e, err := c.GetEntityByRef(ctx, "user:alice")
	if err != nil || e == nil || e.Kind != "User" {
		t.Fatalf("GetEntityByRef(user:alice) = %v, %v", e, err)
	}
	if e, err := c.GetEntityByRef(ctx, "user:default/nobody"); err != nil || e != nil {
		t.Fatalf("missing entity: got %v, %v; want nil, nil", e, err)
	}
	if _, err := c.GetEntityByRef(ctx, "not a ref:"); err == nil {
		t.Fatal("malformed ref: want an error")
	}

	// By refs: order kept, nil for a missing entity, fields honoured.
	byRefs, err := c.GetEntitiesByRefs(ctx, []string{"user:default/nobody", "user:default/alice", "group:default/team-a"}, []string{"kind", "metadata.name", "relations"})
	if err != nil || len(byRefs) != 3 {
		t.Fatalf("GetEntitiesByRefs = %v, %v; want 3 answers", byRefs, err)
	}
	if byRefs[0] != nil || byRefs[1] == nil || byRefs[1].Metadata.Name != "alice" || byRefs[2] == nil || byRefs[2].Kind != "Group" {
		t.Fatalf("GetEntitiesByRefs answers = %+v, %+v, %+v", byRefs[0], byRefs[1], byRefs[2])
	}
	if len(byRefs[1].Relations) == 0 || byRefs[1].Spec != nil {
		t.Errorf("fields not honoured: relations %v, spec %v", byRefs[1].Relations, byRefs[1].Spec)
	}
	many := make([]string, 1203) // more than one request's worth
	for i := range many {
		many[i] = fmt.Sprintf("component:default/none-%d", i)
	}
	many[1202] = "user:default/alice"
	got, err := c.GetEntitiesByRefs(ctx, many, []string{"metadata.name"})
	if err != nil || len(got) != len(many) || got[0] != nil || got[1202] == nil || got[1202].Metadata.Name != "alice" {
		t.Fatalf("GetEntitiesByRefs(1203 refs): %d answers, last %v, err %v", len(got), got[len(got)-1], err)
	}
	// A malformed ref names no entity: nil in its slot, as Backstage answers.
	if got, err := c.GetEntitiesByRefs(ctx, []string{"not a ref:", "user:default/alice"}, nil); err != nil || len(got) != 2 || got[0] != nil || got[1] == nil {
		t.Fatalf("GetEntitiesByRefs(malformed ref) = %v, %v; want [nil alice]", got, err)
	}

	// Register a location, see its entity, find the location back, remove it.
	dry, err := c.AddLocation(ctx, "url", componentFile, true)
	if err != nil || len(dry.Entities) == 0 {
		t.Fatalf("dry run: %v, %v", dry, err)
	}
	added, err := c.AddLocation(ctx, "url", componentFile, false)
	if err != nil || added.Location.ID == "" {
		t.Fatalf("AddLocation: %v, %v", added, err)
	}
	frameworktest.Eventually(t, func() (bool, string) {
		e, err := c.GetEntityByRef(ctx, "component:new-service")
		if err != nil {
			t.Fatal(err)
		}
		return e != nil, "registered component never appeared"
	}, nil)
	loc, err := c.GetLocationByEntity(ctx, "component:default/new-service")
	if err != nil || loc == nil || loc.Target != componentFile {
		t.Fatalf("GetLocationByEntity = %+v, %v", loc, err)
	}
	if err := c.Refresh(ctx, "component:default/new-service"); err != nil {
		t.Fatal(err)
	}
	if err := c.RemoveLocation(ctx, added.Location.ID); err != nil {
		t.Fatal(err)
	}
	if err := c.RemoveLocation(ctx, added.Location.ID); err != nil {
		t.Fatalf("removing a removed location: %v", err)
	}

	msgs, err := c.ValidateEntity(ctx, map[string]any{"apiVersion": "backstage.io/v1alpha1", "kind": "Component", "metadata": map[string]any{"name": "bad name!"}}, "url:https://example.com/catalog-info.yaml")
	if err != nil || len(msgs) == 0 {
		t.Fatalf("ValidateEntity(invalid) = %v, %v; want messages", msgs, err)
	}
}
