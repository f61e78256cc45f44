package action_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/portico-dev/portico/plugins/catalog/client"
	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/plugins/scaffolder/action"
)

// memCatalog is a tiny in-memory catalog implementing action.CatalogClient.
type memCatalog struct {
	mu        sync.Mutex
	locations map[string]string          // id → target
	entities  map[string][]*model.Entity // target → entities read from it
	byRef     map[string]*model.Entity
	failAdd   error
}

func newMemCatalog() *memCatalog {
	return &memCatalog{locations: map[string]string{}, entities: map[string][]*model.Entity{}, byRef: map[string]*model.Entity{}}
}

func (m *memCatalog) AddLocation(_ context.Context, typ, target string, dryRun bool) (*client.AddLocationResponse, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failAdd != nil {
		return nil, m.failAdd
	}
	if typ != "url" {
		return nil, errors.New("unexpected type " + typ)
	}
	for _, t := range m.locations {
		if t == target {
			return nil, &client.Error{StatusCode: 409, Name: "ConflictError", Message: "Location " + target + " already exists"}
		}
	}
	id := "loc-1"
	if !dryRun {
		m.locations[id] = target
	}
	return &client.AddLocationResponse{Location: client.Location{ID: id, Type: typ, Target: target}, Entities: m.entities[target]}, nil
}

func (m *memCatalog) RemoveLocation(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.locations, id)
	return nil
}

func (m *memCatalog) GetEntityByRef(_ context.Context, ref string) (*model.Entity, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.byRef[ref], nil
}

func entity(kind, name string) *model.Entity {
	return &model.Entity{APIVersion: "backstage.io/v1alpha1", Kind: kind, Metadata: model.Metadata{Name: name, Namespace: "default"}}
}

func TestCatalogRegisterAndUndo(t *testing.T) {
	cat := newMemCatalog()
	const url = "https://git.example.com/acme/svc/blob/main/catalog-info.yaml"
	cat.entities[url] = []*model.Entity{entity("Location", "generated-abc"), entity("System", "sys"), entity("Component", "svc")}
	h := newHarness(t, action.BuiltinDeps{})
	h.ctx.Catalog = cat
	must(t, h.run("catalog:register", map[string]any{"repoContentsUrl": "https://git.example.com/acme/svc/blob/main/", "catalogInfoPath": "/catalog-info.yaml"}))
	if h.outputs["entityRef"] != "component:default/svc" || h.outputs["catalogInfoUrl"] != url {
		t.Fatalf("outputs = %v", h.outputs)
	}
	if cat.locations["loc-1"] != url {
		t.Fatalf("locations = %v", cat.locations)
	}
	must(t, h.undo("catalog:register"))
	if len(cat.locations) != 0 {
		t.Fatalf("undo left locations %v", cat.locations)
	}
	// Undo with nothing registered is a no-op.
	h.outputs = map[string]any{}
	must(t, h.undo("catalog:register"))
}

func TestCatalogRegisterFailures(t *testing.T) {
	cat := newMemCatalog()
	cat.failAdd = &client.Error{StatusCode: 400, Name: "InputError", Message: "bad location"}
	h := newHarness(t, action.BuiltinDeps{})
	h.ctx.Catalog = cat
	if err := h.run("catalog:register", map[string]any{"catalogInfoUrl": "https://x/c.yaml"}); err == nil || !strings.Contains(err.Error(), "bad location") {
		t.Fatalf("got %v", err)
	}
	must(t, h.run("catalog:register", map[string]any{"catalogInfoUrl": "https://x/c.yaml", "optional": true}))
	if err := h.run("catalog:register", map[string]any{}); !errors.Is(err, action.ErrInput) {
		t.Fatalf("no url: got %v", err)
	}
	h.ctx.Catalog = nil
	if err := h.run("catalog:register", map[string]any{"catalogInfoUrl": "https://x/c.yaml"}); err == nil {
		t.Fatal("no catalog client: no error")
	}
}

func TestCatalogWrite(t *testing.T) {
	h := newHarness(t, action.BuiltinDeps{})
	ent := map[string]any{"apiVersion": "backstage.io/v1alpha1", "kind": "Component", "metadata": map[string]any{"name": "svc"}, "spec": map[string]any{"type": "service", "owner": "team"}}
	must(t, h.run("catalog:write", map[string]any{"entity": ent}))
	var got map[string]any
	must(t, yaml.Unmarshal([]byte(readFile(t, filepath.Join(h.ws, "catalog-info.yaml"))), &got))
	if got["kind"] != "Component" || got["metadata"].(map[string]any)["name"] != "svc" {
		t.Fatalf("written entity = %v", got)
	}
	must(t, h.run("catalog:write", map[string]any{"entity": ent, "filePath": "sub/e.yaml"}))
	readFile(t, filepath.Join(h.ws, "sub", "e.yaml"))
	if err := h.run("catalog:write", map[string]any{"entity": ent, "filePath": "../e.yaml"}); !errors.Is(err, action.ErrPathEscape) {
		t.Fatalf("escape: %v", err)
	}
}

func TestCatalogFetch(t *testing.T) {
	cat := newMemCatalog()
	cat.byRef["group:default/team-a"] = entity("Group", "team-a")
	cat.byRef["user:ops/jo"] = entity("User", "jo")
	h := newHarness(t, action.BuiltinDeps{})
	h.ctx.Catalog = cat
	must(t, h.run("catalog:fetch", map[string]any{"entityRef": "group:team-a"}))
	if e := h.outputs["entity"].(map[string]any); e["kind"] != "Group" || e["metadata"].(map[string]any)["name"] != "team-a" {
		t.Fatalf("entity = %v", e)
	}
	must(t, h.run("catalog:fetch", map[string]any{"entityRefs": []any{"jo", "nobody"}, "defaultKind": "user", "defaultNamespace": "ops", "optional": true}))
	es := h.outputs["entities"].([]any)
	if len(es) != 2 || es[0].(map[string]any)["kind"] != "User" || es[1] != nil {
		t.Fatalf("entities = %v", es)
	}
	if err := h.run("catalog:fetch", map[string]any{"entityRef": "group:default/missing"}); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Fatalf("missing: got %v", err)
	}
	if err := h.run("catalog:fetch", map[string]any{"entityRef": "no-kind"}); !errors.Is(err, action.ErrInput) {
		t.Fatalf("bad ref: got %v", err)
	}
}
