package extension_test

import (
	"fmt"

	"github.com/portico-dev/portico/web/extension"
	"go.yaml.in/yaml/v3"
)

func Example() {
	// Plugins declare extensions as values.
	exts := []extension.Extension{
		{ID: "app", AttachTo: extension.AttachTo{ID: extension.RootID, Input: "app"}},
		{ID: "app/routes", AttachTo: extension.AttachTo{ID: "app", Input: "routes"}},
		extension.Page(extension.PageSpec{Namespace: "catalog", Name: "entity", Path: "/catalog/:namespace/:kind/:name"}),
		extension.EntityContent(extension.EntityContentSpec{Namespace: "catalog", Name: "overview", Path: "/", Title: "Overview"}),
		extension.EntityCard(extension.EntityCardSpec{Namespace: "catalog", Name: "about", Type: "info"}),
		extension.EntityCard(extension.EntityCardSpec{Namespace: "catalog", Name: "links", Type: "info", Filter: "has:links"}),
		extension.EntityCard(extension.EntityCardSpec{Namespace: "catalog", Name: "labels", Type: "info"}),
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
