package scaffolder_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/plugins/app"
	"github.com/portico-dev/portico/web"
)

func page(t *testing.T, client *http.Client, method, u string, form url.Values) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(t.Context(), method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, b := frameworktest.Send(t, client, req)
	return resp, b
}

func mustContain(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

// TestCreatePages walks the create flow without JavaScript: template cards with filters, the
// generated form with server-side validation, the review step, the task page, my tasks and
// the template editor's dry run.
func TestCreatePages(t *testing.T) {
	onSQLite(t, func(t *testing.T, h *harness) {
		h.others = append(h.others, web.RegistryFactory(), app.Plugin())
		b := h.start(testdata(t, "templates/echo.yaml"), testdata(t, "templates/create-service/template.yaml"), testdata(t, "catalog/org.yaml"))
		waitForEntity(t, b.URL, "template", "default", "echo")
		waitForEntity(t, b.URL, "template", "default", "create-service")
		waitForEntity(t, b.URL, "group", "default", "platform")
		noFollow := &http.Client{Transport: authed.Transport, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

		// By name an entity is served at once; filtered lists (the template cards ask for
		// kind=template) see it once its first stitching round has folded its search rows.
		var resp *http.Response
		body := frameworktest.WaitForPage(t, authed, b.URL+"/create", "Echo", "Create a service")
		mustContain(t, "/create", body, "Echo", "Create a service", `href="/create/templates/default/echo"`, `<option value="recommended"`, ">Create<")
		_, body = page(t, authed, "GET", b.URL+"/create?tag=echo", nil)
		if !strings.Contains(body, "Echo") || strings.Contains(body, "Create a service</h2>") {
			t.Errorf("tag filter shows the wrong cards")
		}
		_, body = page(t, authed, "GET", b.URL+"/create?q=money", nil)
		mustContain(t, "search without match", body, "No matching templates")

		// The form: fields in document order, defaults, datalist of groups for OwnerPicker.
		_, body = page(t, authed, "GET", b.URL+"/create/templates/default/create-service", nil)
		mustContain(t, "form", body, `name="v.name"`, `name="v.owner"`, `list="f-v-owner-list"`, `<option value="group:default/platform">`, `name="v.remoteUrl"`, "Repository")
		if strings.Index(body, `name="v.name"`) > strings.Index(body, `name="v.description"`) {
			t.Error("fields are not in the template's order")
		}

		// Invalid values come back with messages next to the fields.
		resp, body = page(t, authed, "POST", b.URL+"/create/templates/default/echo", url.Values{"step": {"review"}, "v.name": {"Bad Name"}, "v.count": {"3"}})
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("invalid form: %d", resp.StatusCode)
		}
		mustContain(t, "invalid form", body, `class="field-error"`, `value="Bad Name"`)
		resp, body = page(t, authed, "POST", b.URL+"/create/templates/default/echo", url.Values{"step": {"review"}, "v.count": {"3"}})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "This field is required.") {
			t.Errorf("missing required: %d", resp.StatusCode)
		}

		// Valid values: the review step, then the task.
		_, body = page(t, authed, "POST", b.URL+"/create/templates/default/echo", url.Values{"step": {"review"}, "v.name": {"svc"}, "v.count": {"4"}, "v.loud@present": {"1"}, "v.loud": {"true"}})
		mustContain(t, "review", body, "Review", "<dd>svc</dd>", "<dd>4</dd>", "<dd>true</dd>", `name="values"`)
		values := between(body, `name="values" value="`, `"`)
		values = strings.NewReplacer("&#34;", `"`, "&quot;", `"`).Replace(values)
		if values != `{"name":"svc","count":4,"loud":true}` { // the form's order, as Backstage's form sends it
			t.Errorf("review values %s are not in the form's order", values)
		}
		resp, _ = page(t, noFollow, "POST", b.URL+"/create/templates/default/echo", url.Values{"step": {"create"}, "values": {values}})
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/create/tasks/") {
			t.Fatalf("create: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		id := strings.TrimPrefix(resp.Header.Get("Location"), "/create/tasks/")
		waitForStatus(t, b.URL, id, "completed")
		_, body = page(t, authed, "GET", b.URL+"/create/tasks/"+id, nil)
		mustContain(t, "task page", body, "Run of Echo", `data-step="say"`, "echo hello svc x4", `href="https://example.com/svc"`, "/create/_/task.js")
		resp, js := page(t, authed, "GET", b.URL+"/create/_/task.js", nil)
		if resp.StatusCode != http.StatusOK || !strings.Contains(js, "EventSource") {
			t.Errorf("task.js: %d", resp.StatusCode)
		}
		_, body = page(t, authed, "GET", b.URL+"/create/tasks?owner=all", nil)
		mustContain(t, "tasks", body, `href="/create/tasks/`+id+`"`, "completed")

		// The editor dry-runs a pasted template with a skeleton file.
		tpl := `apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata: {name: try}
spec:
  type: service
  steps:
    - id: fetch
      action: fetch:template
      input: {url: ./skeleton, values: {name: '${{ parameters.name }}'}}
  output:
    text: [{title: n, content: '${{ parameters.name }}'}]
`
		resp, body = page(t, authed, "POST", b.URL+"/create/edit", url.Values{"template": {tpl}, "values": {"name: widget"}, "files": {"=== skeleton/README.md\n# ${{ values.name }}\n"}})
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("editor: %d\n%s", resp.StatusCode, body)
		}
		mustContain(t, "editor", body, "<code>README.md</code>", "# widget", "content: widget")
	})
}

func between(s, start, end string) string {
	i := strings.Index(s, start)
	if i < 0 {
		return ""
	}
	s = s[i+len(start):]
	j := strings.Index(s, end)
	if j < 0 {
		return ""
	}
	return s[:j]
}

// TestTaskPageDuplicateStepIDs runs a template whose two steps share an id (Backstage runs
// such templates): the task runs, the later output wins under steps.<id>, and the task page
// shows each step's own log under its own name.
func TestTaskPageDuplicateStepIDs(t *testing.T) {
	onSQLite(t, func(t *testing.T, h *harness) {
		h.others = append(h.others, web.RegistryFactory(), app.Plugin())
		b := h.start(testdata(t, "templates/duplicate-ids.yaml"))
		waitForEntity(t, b.URL, "template", "default", "duplicate-ids")
		var created map[string]string
		if code := do(t, "POST", b.URL+"/api/scaffolder/v2/tasks", map[string]any{"templateRef": "template:default/duplicate-ids", "values": map[string]any{}}, &created); code != http.StatusCreated {
			t.Fatalf("create: %d", code)
		}
		waitForStatus(t, b.URL, created["id"], "completed")
		_, body := page(t, authed, "GET", b.URL+"/create/tasks/"+created["id"], nil)
		first, second, ok := strings.Cut(body, "Second")
		if !ok || !strings.Contains(first, "echo first") || strings.Contains(first, "echo second") || !strings.Contains(second, "echo second after first") {
			t.Errorf("each step's log is not under its own step:\n%s", body)
		}
	})
}
