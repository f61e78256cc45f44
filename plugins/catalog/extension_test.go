package catalog_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/plugins/catalog"
	"github.com/portico-dev/portico/plugins/catalog/engine"
	"github.com/portico-dev/portico/plugins/catalog/model"
)

// widgetProvider is an entity provider from outside the catalog: it pushes its whole bucket
// once when the engine connects it.
type widgetProvider struct{ widgets []*model.Entity }

func (widgetProvider) Name() string { return "widget-provider" }

func (p widgetProvider) Connect(ctx context.Context, conn engine.Connection) error {
	var batch []engine.DeferredEntity
	for _, w := range p.widgets {
		batch = append(batch, engine.DeferredEntity{Entity: w, LocationKey: "widget-provider"})
	}
	return conn.ApplyMutation(ctx, engine.FullMutation(batch...))
}

// labelProcessor labels every Widget it sees before validation.
type labelProcessor struct{}

func (labelProcessor) Name() string { return "WidgetLabelProcessor" }

func (labelProcessor) PreProcessEntity(_ context.Context, e *model.Entity, _ *engine.ProcessContext) (*model.Entity, error) {
	if e.Kind == "Widget" {
		if e.Metadata.Labels == nil {
			e.Metadata.Labels = map[string]string{}
		}
		e.Metadata.Labels["example.com/processed"] = "true"
	}
	return e, nil
}

func widget(name string, spec map[string]any) *model.Entity {
	loc := "url:https://widgets.example.com/" + name
	return &model.Entity{
		APIVersion: "example.com/v1", Kind: "Widget",
		Metadata: model.Metadata{Name: name, Namespace: "default", Annotations: map[string]string{
			model.AnnotationManagedByLocation: loc, model.AnnotationManagedByOriginLocation: loc,
		}},
		Spec: spec,
	}
}

// widgetsModule extends the catalog through ProcessingExtensionPoint as a custom build would:
// a Widget kind with a schema (color required), an entity provider and a processor.
func widgetsModule() framework.Module {
	return framework.Module{PluginID: "catalog", ModuleID: "widgets", Register: func(r *framework.ModuleRegistrar) {
		r.RegisterInit(func(_ context.Context, d *framework.Deps) error {
			ext, err := framework.UseExtensionPoint(d, catalog.ProcessingExtensionPoint)
			if err != nil {
				return err
			}
			ext.AddKind(model.Kind{
				Kind: "Widget", APIVersions: []string{"example.com/v1"},
				Spec: &model.Schema{Types: []string{"object"}, Required: []string{"color"}, Properties: []model.Property{
					{Name: "color", Schema: &model.Schema{Types: []string{"string"}, MinLength: 1}},
				}},
			})
			ext.AddEntityProvider(widgetProvider{widgets: []*model.Entity{
				widget("blue-widget", map[string]any{"color": "blue"}),
				widget("colorless-widget", map[string]any{}),
			}})
			ext.AddProcessor(labelProcessor{})
			return nil
		})
	}}
}

// TestModuleExtendsCatalog: the entities a module's provider pushes are processed by the
// module's processor, validated against the module's kind, and served by the catalog API;
// the one its kind's schema refuses is not.
func TestModuleExtendsCatalog(t *testing.T) {
	b := frameworktest.Start(t, map[string]any{
		"catalog": map[string]any{"rules": []any{map[string]any{"allow": []any{"Widget", "Location"}}}},
	}, catalog.Plugin(), widgetsModule())
	c := b.Client()
	fetch := func(name string) (int, []byte) {
		resp, err := c.Get(b.URL + "/api/catalog/entities/by-name/widget/default/" + name)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, raw
	}
	code, raw := fetch("blue-widget")
	for deadline := time.Now().Add(30 * time.Second); code != http.StatusOK && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		code, raw = fetch("blue-widget")
	}
	var got model.Entity
	if code != http.StatusOK || json.Unmarshal(raw, &got) != nil {
		t.Fatalf("the provider's widget: %d %s", code, raw)
	}
	if got.Spec["color"] != "blue" || got.Metadata.Labels["example.com/processed"] != "true" {
		t.Errorf("widget %s: spec %v labels %v, want color blue and the processor's label", got.Ref(), got.Spec, got.Metadata.Labels)
	}
	// Validation knows the module's kind: a valid widget passes, one without color and a kind
	// nobody registered are refused.
	for _, tc := range []struct {
		name, entity string
		want         int
	}{
		{"valid widget", `{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"color":"red"}}`, http.StatusOK},
		{"widget without color", `{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{}}`, http.StatusBadRequest},
		{"unregistered kind", `{"apiVersion":"example.com/v1","kind":"Gadget","metadata":{"name":"g"},"spec":{"color":"red"}}`, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := c.Post(b.URL+"/api/catalog/validate-entity", "application/json",
				strings.NewReader(`{"location":"url:https://widgets.example.com/w.yaml","entity":`+tc.entity+`}`))
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if raw, _ := io.ReadAll(resp.Body); resp.StatusCode != tc.want {
				t.Fatalf("validate-entity: %d %s, want %d", resp.StatusCode, raw, tc.want)
			}
		})
	}
	if code, raw := fetch("colorless-widget"); code != http.StatusNotFound {
		t.Errorf("a widget without color (refused by the kind's schema): %d %s, want 404", code, raw)
	}
}
