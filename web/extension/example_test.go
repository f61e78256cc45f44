package extension_test

import (
	"fmt"

	"github.com/portico-dev/portico/web/extension"
	"go.yaml.in/yaml/v3"
)

func Example() {
	// Plugins declare extensions as values; an entity card is a blueprint of the catalog's
	// entityui package, written out here.
	card := func(name string, filter any) extension.Extension {
		return extension.Extension{
			ID:       "entity-card:catalog/" + name,
			AttachTo: extension.AttachTo{ID: "entity-content:catalog/overview", Input: "cards"},
			ConfigSchema: extension.ObjectSchema(map[string]any{
				"filter": extension.FilterSchema(),
				"type":   extension.StringSchema("info"),
			}),
			Filter: filter,
		}
	}
	exts := []extension.Extension{
		{ID: "app", AttachTo: extension.AttachTo{ID: extension.RootID, Input: "app"}},
		{ID: "app/routes", AttachTo: extension.AttachTo{ID: "app", Input: "routes"}},
		extension.Page(extension.PageSpec{Namespace: "catalog", Name: "entity", Path: "/catalog/:namespace/:kind/:name"}),
		{ID: "entity-content:catalog/overview", AttachTo: extension.AttachTo{ID: "page:catalog/entity", Input: "contents"}},
		card("about", nil),
		card("links", "has:links"),
		card("labels", nil),
	}

	// app.extensions from app-config.yaml, as the config loader decodes it.
	var appExtensions any
	_ = yaml.Unmarshal([]byte(`
- entity-card:catalog/links:
    config: { filter: { kind: component } }
- entity-card:catalog/labels: false
`), &appExtensions)

	overrides, err := extension.ParseOverrides(appExtensions)
	if err != nil {
		fmt.Println(err)
		return
	}
	tree, err := extension.Resolve(exts, overrides)
	if err != nil {
		fmt.Println(err)
		return
	}

	for _, kind := range []string{"Component", "API"} {
		entity := map[string]any{"kind": kind, "metadata": map[string]any{"name": "x"}}
		fmt.Println(kind + ":")
		for _, card := range tree.ChildrenFor("entity-content:catalog/overview", "cards", entity) {
			fmt.Printf("  %s (%s)\n", card.ID(), card.Config["type"])
		}
	}
	// Output:
	// Component:
	//   entity-card:catalog/links (info)
	//   entity-card:catalog/about (info)
	// API:
	//   entity-card:catalog/about (info)
}
