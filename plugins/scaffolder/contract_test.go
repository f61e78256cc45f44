package scaffolder_test

import (
	"bytes"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

const openAPIURL = "file:///scaffolder-openapi.json"

// contract checks API responses against api/openapi.yaml.
type contract struct {
	doc map[string]any
	c   *jsonschema.Compiler
}

func loadContract(t *testing.T) *contract {
	t.Helper()
	raw, err := os.ReadFile("api/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var y any
	if err := yaml.Unmarshal(raw, &y); err != nil {
		t.Fatal(err)
	}
	j, _ := json.Marshal(y)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(openAPIURL, doc); err != nil {
		t.Fatal(err)
	}
	return &contract{doc: doc.(map[string]any), c: c}
}

func escape(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1") }

// check sends the request and validates the answer against the documented response of
// (path, method, status).
func (k *contract) check(t *testing.T, base, method, path, docPath string, body any, wantStatus int) []byte {
	t.Helper()
	req := frameworktest.JSONRequest(t, method, base+"/api/scaffolder"+path, body)
	req.Header.Set("Content-Type", "application/json")
	resp, data := frameworktest.Send(t, authed, req)
	if resp.StatusCode != wantStatus {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, wantStatus, data)
	}
	paths := k.doc["paths"].(map[string]any)
	op, ok := paths[docPath].(map[string]any)[strings.ToLower(method)].(map[string]any)
	if !ok {
		t.Fatalf("%s %s is not documented", method, docPath)
	}
	code := strconv.Itoa(wantStatus)
	r, ok := op["responses"].(map[string]any)[code].(map[string]any)
	if !ok {
		t.Fatalf("%s %s: status %s is not documented", method, docPath, code)
	}
	ptr := "#/paths/" + escape(docPath) + "/" + strings.ToLower(method) + "/responses/" + code
	if ref, ok := r["$ref"].(string); ok {
		ptr = ref
	}
	ptr += "/content/application~1json/schema"
	s, err := k.c.Compile(openAPIURL + ptr)
	if err != nil {
		t.Fatalf("compile %s: %v", ptr, err)
	}
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(data))
	if err != nil {
		t.Fatalf("%s %s: not JSON: %s", method, path, data)
	}
	if err := s.Validate(v); err != nil {
		t.Errorf("%s %s (%d) breaks the contract: %v\n%s", method, path, wantStatus, err, data)
	}
	return []byte(data)
}

func TestAPIContract(t *testing.T) {
	onSQLite(t, func(t *testing.T, h *harness) {
		k := loadContract(t)
		b := h.start(testdata(t, "templates/echo.yaml"))
		waitForEntity(t, b.URL, "template", "default", "echo")
		k.check(t, b.URL, "GET", "/v2/templates/default/template/echo/parameter-schema", "/v2/templates/{namespace}/{kind}/{name}/parameter-schema", nil, 200)
		k.check(t, b.URL, "GET", "/v2/templates/default/template/nope/parameter-schema", "/v2/templates/{namespace}/{kind}/{name}/parameter-schema", nil, 404)
		k.check(t, b.URL, "GET", "/v2/actions", "/v2/actions", nil, 200)
		k.check(t, b.URL, "POST", "/v2/tasks", "/v2/tasks", map[string]any{"templateRef": "echo", "values": map[string]any{}}, 400)
		data := k.check(t, b.URL, "POST", "/v2/tasks", "/v2/tasks", map[string]any{"templateRef": "echo", "values": map[string]any{"name": "c"}}, 201)
		var created map[string]string
		_ = json.Unmarshal(data, &created)
		id := created["id"]
		waitForStatus(t, b.URL, id, "completed")
		k.check(t, b.URL, "GET", "/v2/tasks/"+id, "/v2/tasks/{taskId}", nil, 200)
		k.check(t, b.URL, "GET", "/v2/tasks/nope", "/v2/tasks/{taskId}", nil, 404)
		k.check(t, b.URL, "GET", "/v2/tasks?status=completed&limit=5", "/v2/tasks", nil, 200)
		k.check(t, b.URL, "GET", "/v2/tasks?order=up:x", "/v2/tasks", nil, 400)
		k.check(t, b.URL, "GET", "/v2/tasks/"+id+"/events", "/v2/tasks/{taskId}/events", nil, 200)
		k.check(t, b.URL, "POST", "/v2/tasks/"+id+"/cancel", "/v2/tasks/{taskId}/cancel", nil, 409)
		k.check(t, b.URL, "POST", "/v2/tasks/"+id+"/retry", "/v2/tasks/{taskId}/retry", map[string]any{}, 201)
		k.check(t, b.URL, "POST", "/v2/dry-run", "/v2/dry-run", map[string]any{
			"template": map[string]any{"apiVersion": "scaffolder.backstage.io/v1beta3", "kind": "Template", "metadata": map[string]any{"name": "d"},
				"spec": map[string]any{"type": "x", "steps": []any{map[string]any{"action": "test:echo", "input": map[string]any{"value": "v"}}}}},
			"values": map[string]any{}, "directoryContents": []any{map[string]any{"path": "a.txt", "base64Content": "aGk="}},
		}, 200)
		k.check(t, b.URL, "POST", "/v2/dry-run", "/v2/dry-run", map[string]any{
			"template": map[string]any{"apiVersion": "scaffolder.backstage.io/v1beta3", "kind": "Template", "metadata": map[string]any{"name": "d"},
				"spec": map[string]any{"type": "x", "steps": []any{map[string]any{"action": "no:such"}}}},
			"values": map[string]any{},
		}, 404)
	})
}
