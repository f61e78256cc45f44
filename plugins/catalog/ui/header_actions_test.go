package ui_test

import (
	"strings"
	"testing"
)

func TestHeaderActionsAreExtensions(t *testing.T) {
	cases := []struct {
		name       string
		extensions []any
		want       []string // extension IDs in page order
		absent     []string
	}{
		{"defaults", nil,
			[]string{"entity-header-action:catalog/refresh", "entity-header-action:catalog/unregister"},
			nil},
		{"disabled and reordered", []any{
			map[string]any{"entity-header-action:catalog/unregister": false},
			map[string]any{"entity-header-action:catalog/refresh": map[string]any{"config": map[string]any{"filter": "kind:api"}}},
		}, nil, []string{"entity-header-action:catalog/unregister", "entity-header-action:catalog/refresh"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			base := startCatalog(t, c.extensions)
			_, body := get(t, base+"/catalog/default/component/payments-service")
			last := -1
			for _, id := range c.want {
				i := strings.Index(body, `data-extension="`+id+`"`)
				if i < 0 {
					t.Errorf("%s missing", id)
					continue
				}
				if i < last {
					t.Errorf("%s out of order", id)
				}
				last = i
			}
			for _, id := range c.absent {
				if strings.Contains(body, `data-extension="`+id+`"`) {
					t.Errorf("%s shown on a component page", id)
				}
			}
		})
	}
	// The refresh action limited to APIs still shows there.
	base := startCatalog(t, []any{map[string]any{"entity-header-action:catalog/refresh": map[string]any{"config": map[string]any{"filter": "kind:api"}}}})
	if _, body := get(t, base+"/catalog/default/api/payments-api"); !strings.Contains(body, `data-extension="entity-header-action:catalog/refresh"`) {
		t.Error("filtered refresh action missing on an API page")
	}
}
