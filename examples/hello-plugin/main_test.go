package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"github.com/portico-dev/portico/examples/hello-plugin/hello"
	"github.com/portico-dev/portico/framework/frameworktest"
)

// helloCatalog has a component for the processor and the card, and a group they leave alone.
const helloCatalog = `apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-a}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: ada-service, title: Ada Service}
spec: {type: service, lifecycle: production, owner: team-a}
`

// greetTemplate runs hello:greet and returns its output as the template's output.
var greetTemplate = map[string]any{
	"apiVersion": "scaffolder.backstage.io/v1beta3", "kind": "Template",
	"metadata": map[string]any{"name": "greet"},
	"spec": map[string]any{
		"type":       "service",
		"parameters": map[string]any{"required": []any{"name"}, "properties": map[string]any{"name": map[string]any{"type": "string"}}},
		"steps":      []any{map[string]any{"id": "greet", "name": "Greet", "action": "hello:greet", "input": map[string]any{"name": "${{ parameters.name }}"}}},
		"output":     map[string]any{"greeting": "${{ steps.greet.output.greeting }}"},
	},
}

// TestHelloPluginInARunningPortal starts the portal this binary serves (the built-in features
// and the hello plugin's) and shows each of hello's contributions working: the hello:greet
// action in a dry run, the annotation on a Component read through the catalog API, and the
// greeting card on the component's entity page (and not on the group's).
func TestHelloPluginInARunningPortal(t *testing.T) {
	b := startHello(t)
	client := b.Client()

	t.Run("hello:greet in a dry run", func(t *testing.T) {
		body, _ := json.Marshal(map[string]any{"template": greetTemplate, "values": map[string]any{"name": "Ada"}, "secrets": map[string]any{}})
		resp, err := client.Post(b.URL+"/api/scaffolder/v2/dry-run", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var res struct {
			Log []struct {
				Body struct {
					Message string `json:"message"`
					StepID  string `json:"stepId"`
				} `json:"body"`
			} `json:"log"`
			Output map[string]any `json:"output"`
		}
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || json.Unmarshal(raw, &res) != nil {
			t.Fatalf("dry run: %d %s", resp.StatusCode, raw)
		}
		logged := false
		for _, l := range res.Log {
			logged = logged || (l.Body.StepID == "greet" && strings.Contains(l.Body.Message, "Hello, Ada!"))
		}
		if !logged {
			t.Errorf("the greet step did not log %q: %s", "Hello, Ada!", raw)
		}
		if res.Output["greeting"] != "Hello, Ada!" {
			t.Errorf("output greeting = %v, want %q", res.Output["greeting"], "Hello, Ada!")
		}
	})

	t.Run("the action is listed", func(t *testing.T) {
		if body := get(t, client, b.URL+"/api/scaffolder/v2/actions"); !strings.Contains(body, `"id":"hello:greet"`) {
			t.Errorf("GET /v2/actions does not list hello:greet")
		}
	})

	t.Run("annotation on components only", func(t *testing.T) {
		component := waitEntity(t, client, b.URL+"/api/catalog/entities/by-name/component/default/ada-service")
		if got := component.Metadata.Annotations[hello.GreetedAnnotation]; got != "true" {
			t.Errorf("component annotation %s = %q, want \"true\" (annotations %v)", hello.GreetedAnnotation, got, component.Metadata.Annotations)
		}
		group := waitEntity(t, client, b.URL+"/api/catalog/entities/by-name/group/default/team-a")
		if _, ok := group.Metadata.Annotations[hello.GreetedAnnotation]; ok {
			t.Errorf("the group was greeted too: %v", group.Metadata.Annotations)
		}
	})

	t.Run("greeting card on the component page", func(t *testing.T) {
		browser := signIn(t, b.URL)
		page := get(t, browser, b.URL+"/catalog/default/component/ada-service")
		for _, want := range []string{`data-extension="` + hello.CardID + `"`, `<div class="hello-greeting">`, "Hello, Ada Service!", "greeted this component"} {
			if !strings.Contains(page, want) {
				t.Errorf("the component page lacks %q", want)
			}
		}
		if t.Failed() {
			t.Logf("page:\n%s", page)
		}
		if group := get(t, browser, b.URL+"/catalog/default/group/team-a"); strings.Contains(group, hello.CardID) {
			t.Errorf("the greeting card is on the group page")
		}
	})
}

// startHello runs the portal this binary serves on a catalog of helloCatalog.
func startHello(t *testing.T) *frameworktest.Backend {
	t.Helper()
	cfg, _ := frameworktest.CatalogConfig(t, helloCatalog, "Component", "Group", "Location")
	return frameworktest.Start(t, cfg, features()...)
}

type entity struct {
	Metadata struct {
		Annotations map[string]string `json:"annotations"`
	} `json:"metadata"`
}

// waitEntity GETs an entity, polling (bounded) until the catalog has ingested it.
func waitEntity(t *testing.T, c *http.Client, url string) entity {
	t.Helper()
	var e entity
	frameworktest.WaitForJSON(t, c, url, &e)
	return e
}

// get GETs url with c and returns the body, failing the test unless the answer is 200.
func get(t *testing.T, c *http.Client, url string) string {
	t.Helper()
	status, body := frameworktest.Fetch(t, c, url)
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, status, body)
	}
	return body
}

// signIn returns a browser signed in as the development guest (the auth plugin's default).
func signIn(t *testing.T, base string) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Jar: jar}
	resp, err := c.Get(base + "/api/auth/guest/start?env=development&flow=redirect&redirectUrl=%2Fcatalog")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/catalog" {
		t.Fatalf("guest sign-in ended at %s with %d", resp.Request.URL, resp.StatusCode)
	}
	return c
}
