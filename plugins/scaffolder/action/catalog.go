package action

import (
	"context"
	"errors"
	"fmt"
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
	resp, err := c.Catalog.AddLocation(ctx, "url", infoURL, false)
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
		if dry, err := c.Catalog.AddLocation(ctx, "url", infoURL, true); err == nil && dry != nil {
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
			b, err := yaml.Marshal(entity)
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
				return toMap(e)
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
