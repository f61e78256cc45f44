package scaffolder_test

import (
	"bufio"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPublishFileFromConfig: scaffolder.publishFileRoot from app-config enables publish:file,
// so a local template publishes its files below that root and registers them in the catalog.
func TestPublishFileFromConfig(t *testing.T) {
	onSQLite(t, func(t *testing.T, h *harness) {
		root := filepath.Join(h.dir, "published") // inside a reading root, so the catalog reads it back
		h.extra = map[string]any{
			"scaffolder": map[string]any{"taskLease": "3s", "secretsKey": "a-test-key-of-enough-length", "publishFileRoot": root},
			// catalog:register registers the published file:// URL as a file location.
			"catalog": map[string]any{
				"allowedLocationTypes": []any{"url", "file"},
				"locations": []any{
					map[string]any{"type": "file", "target": testdata(t, "templates/publish-file/template.yaml")},
					map[string]any{"type": "file", "target": testdata(t, "catalog/org.yaml")},
				},
				"rules": []any{map[string]any{"allow": []any{"Template", "Component", "Group", "User", "Location"}}},
			},
		}
		b := h.start()
		waitForEntity(t, b.URL, "template", "default", "publish-file")

		id := createTask(t, b.URL, "template:default/publish-file", map[string]any{"name": "ledger"})
		task := waitForStatus(t, b.URL, id, "completed", "failed")
		evs := events(t, b.URL, id)
		if task.Status != "completed" {
			t.Fatalf("task %s; events: %+v", task.Status, evs)
		}
		written, err := os.ReadFile(filepath.Join(root, "ledger", "catalog-info.yaml"))
		if err != nil || !strings.Contains(string(written), "name: ledger") {
			t.Fatalf("published catalog-info.yaml: %v %q", err, written)
		}
		out, _ := evs[len(evs)-1].Body["output"].(map[string]any)
		links, _ := out["links"].([]any)
		if len(links) != 1 || links[0].(map[string]any)["entityRef"] != "component:default/ledger" {
			t.Errorf("output links = %v", links)
		}
		waitForEntity(t, b.URL, "component", "default", "ledger")
	})
}

// TestTaskEventStreamIsLive: the task event stream delivers each event while the task runs,
// through the server's whole HTTP stack (compression included), not when the task ends: the
// task waits at a gate the test opens only after the stream showed the step before it.
func TestTaskEventStreamIsLive(t *testing.T) {
	onSQLite(t, func(t *testing.T, h *harness) {
		b := h.start(testdata(t, "templates/wait.yaml"))
		waitForEntity(t, b.URL, "template", "default", "wait")
		id := createTask(t, b.URL, "template:default/wait", map[string]any{"label": "live"})
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, b.URL+"/api/scaffolder/v2/tasks/"+id+"/eventstream", nil)
		req.Header.Set("Accept-Encoding", "gzip, deflate, br") // as a browser's EventSource sends
		resp, err := authed.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		if enc := resp.Header.Get("Content-Encoding"); enc != "" {
			t.Errorf("event stream sent with Content-Encoding %q", enc)
		}
		sc := bufio.NewScanner(resp.Body)
		opened, completed := false, false
		for sc.Scan() {
			line := sc.Text()
			if !opened && strings.Contains(line, "echo before") {
				// Seen while the task still waits: now let it finish.
				if h.waits.Entered() == 0 {
					waitUntil(t, "the task to reach test:wait", func() bool { return h.waits.Entered() > 0 })
				}
				h.waits.Open()
				opened = true
			}
			if line == "event: completion" {
				completed = true
			}
		}
		if !opened || !completed {
			t.Fatalf("stream ended (err %v) with the gate opened: %v, completion seen: %v", sc.Err(), opened, completed)
		}
	})
}

// createTask starts a task of templateRef with values and returns its ID.
func createTask(t *testing.T, base, templateRef string, values map[string]any) string {
	t.Helper()
	var created map[string]string
	if code := do(t, "POST", base+"/api/scaffolder/v2/tasks", map[string]any{"templateRef": templateRef, "values": values}, &created); code != http.StatusCreated {
		t.Fatalf("create: %d %v", code, created)
	}
	return created["id"]
}
