package scaffolder_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestTaskEventsRedactDerivedSecrets runs a real task whose inputs make new strings of a
// secret with filters; the action logs them and a step fails with one in its message: the
// event stream must hold none of them (Backstage redacts what the secrets influenced).
func TestTaskEventsRedactDerivedSecrets(t *testing.T) {
	onSQLite(t, func(t *testing.T, h *harness) {
		b := h.start(testdata(t, "templates/secret-filters.yaml"))
		waitForEntity(t, b.URL, "template", "default", "secret-filters")
		var created map[string]string
		if code := do(t, "POST", b.URL+"/api/scaffolder/v2/tasks", map[string]any{
			"templateRef": "template:default/secret-filters", "values": map[string]any{},
			"secrets": map[string]any{"token": "s3cr3t"},
		}, &created); code != 201 {
			t.Fatalf("create: %d", code)
		}
		waitForStatus(t, b.URL, created["id"], "failed")
		evs := events(t, b.URL, created["id"])
		all, _ := json.Marshal(evs)
		for _, leak := range []string{"s3cr3t", "S3CR3T", "sEcrEt", "t3rc3s"} {
			if strings.Contains(string(all), leak) {
				t.Errorf("the event stream holds %q: %s", leak, all)
			}
		}
		if !strings.Contains(string(all), "echo ***") {
			t.Errorf("the echo log lines are gone: %s", all)
		}
	})
}
