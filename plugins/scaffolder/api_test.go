package scaffolder_test

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestTasksAPI(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, h *harness) {
		b := h.start(testdata(t, "templates/echo.yaml"))
		api := b.URL + "/api/scaffolder"
		waitForEntity(t, b.URL, "template", "default", "echo")

		t.Run("parameter schema", func(t *testing.T) {
			var ps map[string]any
			if code := do(t, "GET", api+"/v2/templates/default/template/echo/parameter-schema", nil, &ps); code != http.StatusOK {
				t.Fatalf("status %d", code)
			}
			steps, _ := ps["steps"].([]any)
			if ps["title"] != "Echo" || len(steps) != 2 || steps[0].(map[string]any)["title"] != "Basics" {
				t.Errorf("parameter schema = %v", ps)
			}
			var e map[string]any
			if code := do(t, "GET", api+"/v2/templates/default/template/missing/parameter-schema", nil, &e); code != http.StatusNotFound || e["error"].(map[string]any)["name"] != "NotFoundError" {
				t.Errorf("missing template: %d %v", code, e)
			}
		})

		t.Run("actions", func(t *testing.T) {
			var list []map[string]any
			do(t, "GET", api+"/v2/actions", nil, &list)
			found := false
			for _, a := range list {
				if a["id"] == "test:echo" {
					found = a["schema"].(map[string]any)["input"] != nil
				}
			}
			if !found {
				t.Errorf("test:echo with an input schema not in %v", list)
			}
		})

		t.Run("templating extensions", func(t *testing.T) {
			var ext map[string]map[string]any
			do(t, "GET", api+"/v2/templating-extensions", nil, &ext)
			if _, ok := ext["filters"]["parseRepoUrl"]; !ok {
				t.Errorf("templating extensions = %v", ext)
			}
		})

		t.Run("invalid values", func(t *testing.T) {
			var e map[string]any
			code := do(t, "POST", api+"/v2/tasks", map[string]any{"templateRef": "template:default/echo", "values": map[string]any{"name": "Not Valid!"}}, &e)
			if code != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %v", code, e)
			}
			errs, _ := e["errors"].([]any)
			if len(errs) == 0 || e["error"].(map[string]any)["name"] != "InputError" || e["response"].(map[string]any)["statusCode"] != float64(400) {
				t.Errorf("error body = %v", e)
			}
			if code := do(t, "POST", api+"/v2/tasks", map[string]any{"templateRef": "template:default/echo", "values": map[string]any{}}, &e); code != http.StatusBadRequest {
				t.Errorf("missing required: status %d", code)
			}
			if code := do(t, "POST", api+"/v2/tasks", map[string]any{"templateRef": "nope", "values": map[string]any{}}, &e); code != http.StatusNotFound {
				t.Errorf("unknown template: status %d", code)
			}
		})

		var id string
		t.Run("create run complete", func(t *testing.T) {
			var created map[string]string
			code := do(t, "POST", api+"/v2/tasks", map[string]any{
				"templateRef": "echo", // short refs default to template:default/
				"values":      map[string]any{"name": "svc", "count": 3},
				"secrets":     map[string]string{"API_TOKEN": "tok-very-secret"},
			}, &created)
			if code != http.StatusCreated || created["id"] == "" {
				t.Fatalf("create: %d %v", code, created)
			}
			id = created["id"]
			task := waitForStatus(t, b.URL, id, "completed", "failed")
			if task.Status != "completed" {
				t.Fatalf("task %s: %v", task.Status, events(t, b.URL, id))
			}
			if strings.Contains(string(task.Spec), "tok-very-secret") {
				t.Error("task spec leaks the secret")
			}
			evs := events(t, b.URL, id)
			last := evs[len(evs)-1]
			if last.Type != "completion" {
				t.Fatalf("last event %v", last)
			}
			out, _ := last.Body["output"].(map[string]any)
			if out["greeting"] != "hello svc x3" {
				t.Errorf("output = %v", out)
			}
			raw, _ := json.Marshal(evs)
			if strings.Contains(string(raw), "tok-very-secret") || !strings.Contains(string(raw), "token=***") {
				t.Errorf("events do not redact the secret: %s", raw)
			}
			if !strings.Contains(h.rec.String(), "echo:token=tok-very-secret") {
				t.Errorf("the action did not get the secret: %s", h.rec)
			}
		})

		t.Run("event stream", func(t *testing.T) {
			resp, err := authed.Get(api + "/v2/tasks/" + id + "/eventstream")
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = resp.Body.Close() }()
			if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" || resp.Header.Get("Cache-Control") != "no-cache" {
				t.Errorf("headers %v", resp.Header)
			}
			// The stream ends by itself after the completion event.
			sc := bufio.NewScanner(resp.Body)
			var lines []string
			for sc.Scan() {
				lines = append(lines, sc.Text())
			}
			if len(lines) < 6 || !strings.HasPrefix(lines[0], "event: log") || !strings.HasPrefix(lines[1], "data: {") || lines[2] != "" {
				t.Fatalf("stream = %q", lines)
			}
			if lines[len(lines)-3] != "event: completion" {
				t.Errorf("stream does not end with the completion: %q", lines[len(lines)-3:])
			}
			for _, l := range lines {
				if strings.HasPrefix(l, "id:") || strings.HasPrefix(l, ":") {
					t.Errorf("unexpected SSE line %q", l)
				}
			}
			var first eventJSON
			if err := json.Unmarshal([]byte(strings.TrimPrefix(lines[1], "data: ")), &first); err != nil || first.TaskID != id || first.ID == 0 {
				t.Errorf("first event %q: %v", lines[1], err)
			}
			// after= skips what the client has.
			resp2, err := authed.Get(api + "/v2/tasks/" + id + "/eventstream?after=" + jsonNumber(first.ID))
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = resp2.Body.Close() }()
			sc2 := bufio.NewScanner(resp2.Body)
			var n int
			for sc2.Scan() {
				if strings.HasPrefix(sc2.Text(), "data: ") {
					n++
				}
			}
			if n != len(events(t, b.URL, id))-1 {
				t.Errorf("after=%d sent %d events", first.ID, n)
			}
		})

		t.Run("events long poll includes completion", func(t *testing.T) {
			all := events(t, b.URL, id)
			var after []eventJSON
			do(t, "GET", api+"/v2/tasks/"+id+"/events?after="+jsonNumber(all[len(all)-1].ID), nil, &after)
			if len(after) != 1 || after[0].Type != "completion" {
				t.Errorf("events after the last = %v", after)
			}
		})

		t.Run("list", func(t *testing.T) {
			var list struct {
				Tasks      []taskJSON `json:"tasks"`
				TotalTasks int        `json:"totalTasks"`
			}
			do(t, "GET", api+"/v2/tasks?status=completed&limit=1&offset=0", nil, &list)
			if list.TotalTasks != 1 || len(list.Tasks) != 1 || list.Tasks[0].ID != id {
				t.Errorf("list = %+v", list)
			}
			do(t, "GET", api+"/v2/tasks?status=failed", nil, &list)
			if list.TotalTasks != 0 {
				t.Errorf("failed list = %+v", list)
			}
			var e map[string]any
			if code := do(t, "GET", api+"/v2/tasks?order=desc:spec", nil, &e); code != http.StatusBadRequest {
				t.Errorf("bad order: %d", code)
			}
		})

		t.Run("cancel finished conflicts, retry reruns", func(t *testing.T) {
			var e map[string]any
			if code := do(t, "POST", api+"/v2/tasks/"+id+"/cancel", nil, &e); code != http.StatusConflict {
				t.Errorf("cancel finished: %d %v", code, e)
			}
			var r map[string]string
			if code := do(t, "POST", api+"/v2/tasks/"+id+"/retry", map[string]any{"secrets": map[string]string{"API_TOKEN": "second-token"}}, &r); code != http.StatusCreated || r["id"] != id {
				t.Fatalf("retry: %d %v", code, r)
			}
			waitForStatus(t, b.URL, id, "completed")
			evs := events(t, b.URL, id)
			if evs[0].Type != "recovered" {
				t.Errorf("events after retry start with %v", evs[0])
			}
			if code := do(t, "GET", api+"/v2/tasks/00000000-0000-0000-0000-000000000000", nil, &e); code != http.StatusNotFound {
				t.Errorf("unknown task: %d", code)
			}
		})

		t.Run("dry run of the example go-service", func(t *testing.T) { dryRunExample(t, api) })

		t.Run("dry run", func(t *testing.T) {
			tpl := map[string]any{
				"apiVersion": "scaffolder.backstage.io/v1beta3", "kind": "Template", "metadata": map[string]any{"name": "t"},
				"spec": map[string]any{"type": "service",
					"parameters": map[string]any{"required": []any{"name"}, "properties": map[string]any{"name": map[string]any{"type": "string"}}},
					"steps":      []any{map[string]any{"id": "e", "action": "test:echo", "input": map[string]any{"value": "${{ parameters.name }}"}}},
					"output":     map[string]any{"v": "${{ steps.e.output.value }}"},
				}}
			var res struct {
				Log               []map[string]any `json:"log"`
				DirectoryContents []any            `json:"directoryContents"`
				Output            map[string]any   `json:"output"`
				Steps             []map[string]any `json:"steps"`
			}
			code := do(t, "POST", api+"/v2/dry-run", map[string]any{"template": tpl, "values": map[string]any{"name": "dry"}, "secrets": map[string]any{}}, &res)
			if code != http.StatusOK || res.Output["v"] != "dry" || len(res.Steps) != 1 || len(res.Log) == 0 || res.DirectoryContents == nil {
				t.Errorf("dry run: %d %+v", code, res)
			}
			var e map[string]any
			if code := do(t, "POST", api+"/v2/dry-run", map[string]any{"template": tpl, "values": map[string]any{}}, &e); code != http.StatusBadRequest {
				t.Errorf("dry run with invalid values: %d", code)
			}
		})
	})
}

// dryRunExample dry-runs the bundled go-service example with its skeleton uploaded.
func dryRunExample(t *testing.T, api string) {
	root := filepath.Join("..", "..", "examples", "templates", "go-service")
	raw, err := os.ReadFile(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var tpl map[string]any
	if err := yaml.Unmarshal(raw, &tpl); err != nil {
		t.Fatal(err)
	}
	var files []map[string]any
	err = filepath.WalkDir(filepath.Join(root, "skeleton"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		files = append(files, map[string]any{"path": filepath.ToSlash(rel), "base64Content": base64.StdEncoding.EncodeToString(b)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		DirectoryContents []struct {
			Path          string `json:"path"`
			Base64Content string `json:"base64Content"`
		} `json:"directoryContents"`
		Log   []map[string]any `json:"log"`
		Error string           `json:"error"`
	}
	code := do(t, "POST", api+"/v2/dry-run", map[string]any{
		"template":          tpl,
		"values":            map[string]any{"name": "ledger", "owner": "group:default/payments-team", "repoUrl": "github.com?owner=kestrel&repo=ledger"},
		"directoryContents": files,
	}, &res)
	if code != http.StatusOK {
		t.Fatalf("dry run: %d %+v", code, res)
	}
	got := map[string]string{}
	for _, f := range res.DirectoryContents {
		b, _ := base64.StdEncoding.DecodeString(f.Base64Content)
		got[f.Path] = string(b)
	}
	if !strings.Contains(got["catalog-info.yaml"], `name: "ledger"`) || got["main.go"] == "" {
		t.Errorf("produced files = %v (error %q, log %v)", got, res.Error, res.Log)
	}
}

func jsonNumber(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestTaskPermissions: with permissions on, a caller allowed only scaffolder.task.read lists
// tasks but may not create, retry or cancel them.
func TestTaskPermissions(t *testing.T) {
	onSQLite(t, func(t *testing.T, h *harness) {
		const readOnly = "scaffolder-read-only-token-0123456789"
		h.access = []any{map[string]any{
			"type": "static", "options": map[string]any{"token": readOnly, "subject": "reader"},
			"accessRestrictions": []any{map[string]any{"plugin": "scaffolder", "permission": "scaffolder.task.read"}},
		}}
		h.extra = map[string]any{"permission": map[string]any{"enabled": true}}
		b := h.start(testdata(t, "templates/echo.yaml"))
		waitForEntity(t, b.URL, "template", "default", "echo")
		api := b.URL + "/api/scaffolder"
		as := func(method, path string, body any) int {
			req, err := http.NewRequestWithContext(t.Context(), method, api+path, strings.NewReader(jsonOf(body)))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+readOnly)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			return resp.StatusCode
		}
		if code := as("GET", "/v2/tasks", nil); code != http.StatusOK {
			t.Errorf("list as reader: %d", code)
		}
		if code := as("POST", "/v2/tasks", map[string]any{"templateRef": "echo", "values": map[string]any{"name": "x"}}); code != http.StatusForbidden {
			t.Errorf("create as reader: %d, want 403", code)
		}
		if code := as("POST", "/v2/dry-run", map[string]any{}); code != http.StatusForbidden {
			t.Errorf("dry run as reader: %d, want 403", code)
		}
		var created map[string]string
		if code := do(t, "POST", api+"/v2/tasks", map[string]any{"templateRef": "echo", "values": map[string]any{"name": "x"}}, &created); code != http.StatusCreated {
			t.Fatalf("create as the unrestricted caller: %d", code)
		}
		if code := as("POST", "/v2/tasks/"+created["id"]+"/cancel", nil); code != http.StatusForbidden {
			t.Errorf("cancel as reader: %d, want 403", code)
		}
	})
}

func jsonOf(v any) string {
	if v == nil {
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}
