package action

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/portico-dev/portico/plugins/catalog/model"
)

var errNoCatalog = errors.New("no catalog client is configured")

func newCatalogRegister() Action {
	return &undoable{
		builtin: builtin{
			id:          "catalog:register",
			description: "Registers entities from a catalog descriptor file in the workspace into the software catalog.",
			schema: schema(`{"oneOf":[
{"type":"object","required":["catalogInfoUrl"],"properties":{
"catalogInfoUrl":{"type":"string","title":"Catalog Info URL","description":"An absolute URL pointing to the catalog info file location"},
"optional":{"type":"boolean","title":"Optional","description":"Permit the registered location to optionally exist. Default: false"}}},
{"type":"object","required":["repoContentsUrl"],"properties":{
"repoContentsUrl":{"type":"string","title":"Repository Contents URL","description":"An absolute URL pointing to the root of a repository directory tree"},
"catalogInfoPath":{"type":"string","title":"Fetch URL","description":"A relative path from the repo root pointing to the catalog info file, defaults to /catalog-info.yaml"},
"optional":{"type":"boolean","title":"Optional","description":"Permit the registered location to optionally exist. Default: false"}}}]}`,
				`{"type":"object","required":["catalogInfoUrl"],"properties":{
"entityRef":{"type":"string"},"catalogInfoUrl":{"type":"string"},
"locationId":{"type":"string","description":"Portico: id of the registered location, used to undo the registration"}}}`),
			examples: []Example{{Description: "Register with the catalog", Example: "steps:\n  - action: catalog:register\n    id: register-with-catalog\n    name: Register with the catalog\n    input:\n      catalogInfoUrl: http://github.com/backstage/backstage/blob/master/catalog-info.yaml\n"}},
			handle:   handleCatalogRegister,
			// Backstage's dry run gives a skipped catalog:register an empty output.
			skippedOutput: map[string]any{},
		},
		undo: func(ctx context.Context, c *Context, output map[string]any) error {
			id := str(output, "locationId")
			if id == "" {
				return nil
			}
			if c.Catalog == nil {
				return fmt.Errorf("catalog:register undo: %w", errNoCatalog)
			}
			if err := c.Catalog.RemoveLocation(ctx, id); err != nil {
				return fmt.Errorf("catalog:register undo: remove location %s: %w", id, err)
			}
			c.log().Info("Removed registered location", "locationId", id)
			return nil
		},
	}
}

func handleCatalogRegister(ctx context.Context, c *Context) error {
	infoURL := str(c.Input, "catalogInfoUrl")
	if infoURL == "" {
		base := str(c.Input, "repoContentsUrl")
		if base == "" {
			return inputErr("catalog:register: either catalogInfoUrl or repoContentsUrl is required")
		}
		file := strings.TrimPrefix(strDefault(c.Input, "catalogInfoPath", "/catalog-info.yaml"), "/")
		if strings.HasPrefix(base, "git+") && strings.HasSuffix(base, ":") {
			infoURL = base + file // git+<remote>#<ref>: takes a path relative to the root
		} else {
			infoURL = strings.TrimSuffix(base, "/") + "/" + file
		}
	}
	if c.Catalog == nil {
		return fmt.Errorf("catalog:register: %w", errNoCatalog)
	}
	optional := boolean(c.Input, "optional")
	c.log().Info("Registering catalog info in the catalog", "catalogInfoUrl", infoURL)
	typ, target := locationOf(infoURL)
	resp, err := c.Catalog.AddLocation(ctx, typ, target, false)
	if err != nil {
		if optional {
			c.log().Warn("Registration failed, continuing because the step is optional", "error", err.Error())
			c.output("catalogInfoUrl", infoURL)
			return nil
		}
		return fmt.Errorf("catalog:register: %w", err)
	}
	if resp.Location.ID != "" {
		c.output("locationId", resp.Location.ID)
	}
	entities := resp.Entities
	if len(entities) == 0 {
		// A registration answers with the location only (entities are processed later), so ask
		// again in dry-run mode to learn which entity the file describes, as Backstage does.
		if dry, err := c.Catalog.AddLocation(ctx, typ, target, true); err == nil && dry != nil {
			entities = dry.Entities
		} else if err != nil {
			c.log().Warn("Could not read the registered entities back", "error", err.Error())
		}
	}
	if e := pickEntity(entities); e != nil {
		c.output("entityRef", model.EntityRef{Kind: e.Kind, Namespace: namespaceOf(e), Name: e.Metadata.Name}.String())
	}
	c.output("catalogInfoUrl", infoURL)
	return nil
}

// locationOf is the catalog location of a catalog file's URL: a file:// URL (what publish:file
// outputs) is a location of type file at that path, which the catalog reads when
// catalog.allowedLocationTypes lists file; anything else is a url location.
func locationOf(infoURL string) (typ, target string) {
	if u, err := url.Parse(infoURL); err == nil && u.Scheme == "file" && u.Path != "" {
		return "file", filepath.FromSlash(u.Path)
	}
	return "url", infoURL
}

// pickEntity chooses the entity a registration is "about", as Backstage does: the first
// non-generated Component, else the first non-generated entity, else the first.
func pickEntity(es []*model.Entity) *model.Entity {
	for _, e := range es {
		if e != nil && !strings.HasPrefix(e.Metadata.Name, "generated-") && e.Kind == "Component" {
			return e
		}
	}
	for _, e := range es {
		if e != nil && !strings.HasPrefix(e.Metadata.Name, "generated-") {
			return e
		}
	}
	if len(es) > 0 {
		return es[0]
	}
	return nil
}

func namespaceOf(e *model.Entity) string {
	if e.Metadata.Namespace != "" {
		return e.Metadata.Namespace
	}
	return model.DefaultNamespace
}

func newCatalogWrite() Action {
	return &builtin{
		id:          "catalog:write",
		description: "Writes the catalog-info.yaml for your template",
		dryRun:      true,
		schema: schema(`{"type":"object","required":["entity"],"properties":{
"filePath":{"type":"string","title":"Catalog file path","description":"Defaults to catalog-info.yaml"},
"entity":{"type":"object","title":"Entity info to write catalog-info.yaml","description":"You can provide the same values used in the Entity schema."}}}`, ""),
		examples: []Example{{Description: "Write a catalog yaml file", Example: "steps:\n  - action: catalog:write\n    id: create-catalog-info-file\n    input:\n      filePath: catalog-info.yaml\n      entity:\n        apiVersion: backstage.io/v1alpha1\n        kind: Component\n        metadata:\n          name: test\n        spec:\n          type: service\n          lifecycle: production\n          owner: default/owner\n"}},
		handle: func(ctx context.Context, c *Context) error {
			entity, ok := c.Input["entity"].(map[string]any)
			if !ok {
				return inputErr("catalog:write: entity must be an object")
			}
			p, err := ResolvePath(c.Workspace, strDefault(c.Input, "filePath", "catalog-info.yaml"))
			if err != nil {
				return fmt.Errorf("catalog:write: %w", err)
			}
			b, err := entityYAML(withSourceTemplate(entity, c.Template.EntityRef))
			if err != nil {
				return fmt.Errorf("catalog:write: %w", err)
			}
			c.log().Info("Writing catalog-info.yaml", "path", strDefault(c.Input, "filePath", "catalog-info.yaml"))
			return c.WriteFile(p, b, 0o644)
		},
	}
}

func newCatalogFetch() Action {
	return &builtin{
		id:          "catalog:fetch",
		description: "Returns entity or entities from the catalog by entity reference(s)",
		dryRun:      true,
		schema: schema(`{"type":"object","properties":{
"entityRef":{"type":"string","description":"Entity reference of the entity to get"},
"entityRefs":{"type":"array","items":{"type":"string"},"description":"Entity references of the entities to get"},
"optional":{"type":"boolean","description":"Allow the entity or entities to optionally exist. Default: false"},
"defaultKind":{"type":"string","description":"The default kind"},
"defaultNamespace":{"type":"string","description":"The default namespace"}}}`,
			`{"type":"object","properties":{"entity":{"type":"object","description":"Object containing same values used in the Entity schema. Only when used with entityRef parameter."},"entities":{"type":"array","items":{"type":"object"},"description":"Array containing objects with same values used in the Entity schema. Only when used with entityRefs parameter."}}}`),
		handle: func(ctx context.Context, c *Context) error {
			ref, refs := str(c.Input, "entityRef"), strSlice(c.Input, "entityRefs")
			if ref == "" && len(refs) == 0 {
				return inputErr("catalog:fetch: missing entity reference or references")
			}
			if c.Catalog == nil {
				return fmt.Errorf("catalog:fetch: %w", errNoCatalog)
			}
			rc := model.RefContext{DefaultKind: str(c.Input, "defaultKind"), DefaultNamespace: str(c.Input, "defaultNamespace")}
			optional := boolean(c.Input, "optional")
			get := func(r string) (map[string]any, error) {
				parsed, err := model.ParseEntityRef(r, rc)
				if err != nil {
					return nil, inputErr("catalog:fetch: %v", err)
				}
				e, err := c.Catalog.GetEntityByRef(ctx, parsed.String())
				if err != nil {
					return nil, fmt.Errorf("catalog:fetch: %w", err)
				}
				if e == nil {
					if optional {
						return nil, nil
					}
					return nil, fmt.Errorf("catalog:fetch: entity %s not found", r)
				}
				return JSONObject(e)
			}
			if ref != "" {
				e, err := get(ref)
				if err != nil {
					return err
				}
				c.output("entity", e)
			}
			if len(refs) > 0 {
				out := make([]any, 0, len(refs))
				for _, r := range refs {
					e, err := get(r)
					if err != nil {
						return err
					}
					if e == nil {
						out = append(out, nil)
					} else {
						out = append(out, e)
					}
				}
				c.output("entities", out)
			}
			return nil
		},
	}
}

const sourceTemplateAnnotation = "backstage.io/source-template"

// withSourceTemplate returns entity with the annotation backstage.io/source-template naming
// the template that wrote it, as Backstage's catalog:write adds it (entity is not changed),
// and whether the entity lacked it.
func withSourceTemplate(entity map[string]any, templateRef string) (map[string]any, bool) {
	if templateRef == "" {
		return entity, false
	}
	out := make(map[string]any, len(entity)+1)
	for k, v := range entity {
		out[k] = v
	}
	meta := map[string]any{}
	if m, ok := entity["metadata"].(map[string]any); ok {
		for k, v := range m {
			meta[k] = v
		}
	}
	ann := map[string]any{}
	if a, ok := meta["annotations"].(map[string]any); ok {
		for k, v := range a {
			ann[k] = v
		}
	}
	_, had := ann[sourceTemplateAnnotation]
	ann[sourceTemplateAnnotation] = templateRef
	meta["annotations"] = ann
	out["metadata"] = meta
	return out, !had
}

// Descriptor key orders: the entity's own order is lost once rendered into a Go map, so the
// top level and metadata follow the order descriptors are written in; other keys are sorted.
var (
	entityKeyOrder   = []string{"apiVersion", "kind", "metadata", "spec", "relations", "status"}
	metadataKeyOrder = []string{"name", "namespace", "title", "description", "labels", "annotations", "tags", "links"}
)

// entityYAML writes an entity as Backstage's catalog:write does (the yaml package's
// stringify): 2-space indentation, lists indented under their key.
// addedSource says the source-template annotation was added by catalog:write (it then comes
// after the entity's own annotations).
func entityYAML(entity map[string]any, addedSource bool) ([]byte, error) {
	var node yaml.Node
	if err := node.Encode(entity); err != nil {
		return nil, err
	}
	orderKeys(&node, entityKeyOrder)
	for i := 0; i+1 < len(node.Content); i += 2 {
		if node.Content[i].Value != "metadata" {
			continue
		}
		meta := node.Content[i+1]
		orderKeys(meta, metadataKeyOrder)
		for j := 0; j+1 < len(meta.Content); j += 2 {
			if meta.Content[j].Value == "annotations" && addedSource {
				// Backstage spreads the entity's annotations, then adds its own.
				moveLast(meta.Content[j+1], sourceTemplateAnnotation)
			}
		}
	}
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&node); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}

// moveLast moves key (if present) to the end of a mapping node.
func moveLast(n *yaml.Node, key string) {
	if n.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			k, v := n.Content[i], n.Content[i+1]
			n.Content = append(append(n.Content[:i:i], n.Content[i+2:]...), k, v)
			return
		}
	}
}

// orderKeys puts a mapping node's keys listed in order first, in that order.
func orderKeys(n *yaml.Node, order []string) {
	if n.Kind != yaml.MappingNode {
		return
	}
	rank := func(k string) int {
		for i, o := range order {
			if o == k {
				return i
			}
		}
		return len(order)
	}
	type pair struct{ k, v *yaml.Node }
	pairs := make([]pair, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		pairs = append(pairs, pair{n.Content[i], n.Content[i+1]})
	}
	sort.SliceStable(pairs, func(i, j int) bool { return rank(pairs[i].k.Value) < rank(pairs[j].k.Value) })
	n.Content = n.Content[:0]
	for _, p := range pairs {
		n.Content = append(n.Content, p.k, p.v)
	}
}
