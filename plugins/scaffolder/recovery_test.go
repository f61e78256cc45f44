package scaffolder_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/portico-dev/portico/plugins/scaffolder/store"
)

// TestRecoveryAfterRestart stops a backend while a task waits in its second step and starts a
// new backend on the same database: a template without a recovery strategy ends failed with a
// message saying why; one with EXPERIMENTAL_strategy startOver runs again from its first step.
func TestRecoveryAfterRestart(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, h *harness) {
		locs := []string{testdata(t, "templates/wait.yaml"), testdata(t, "templates/wait-recoverable.yaml")}
		b1 := h.start(locs...)
		waitForEntity(t, b1.URL, "template", "default", "wait")
		waitForEntity(t, b1.URL, "template", "default", "wait-recoverable")
		var plain, again map[string]string
		if code := do(t, "POST", b1.URL+"/api/scaffolder/v2/tasks", map[string]any{"templateRef": "template:default/wait", "values": map[string]any{"label": "plain"}}, &plain); code != http.StatusCreated {
			t.Fatalf("create: %d", code)
		}
		if code := do(t, "POST", b1.URL+"/api/scaffolder/v2/tasks", map[string]any{"templateRef": "template:default/wait-recoverable", "values": map[string]any{"label": "again"}}, &again); code != http.StatusCreated {
			t.Fatalf("create: %d", code)
		}
		waitUntil(t, "both tasks to wait", func() bool { return h.waits.Entered() == 2 })
		b1.stop() // the "kill": the worker stops mid-step

		b2 := h.start(locs...)
		failed := waitForStatus(t, b2.URL, plain["id"], "failed", "completed")
		if failed.Status != "failed" {
			t.Fatalf("plain task %s, want failed", failed.Status)
		}
		evs := events(t, b2.URL, plain["id"])
		last := evs[len(evs)-1]
		errMsg, _ := last.Body["error"].(map[string]any)["message"].(string)
		if last.Type != "completion" || errMsg != store.StaleMessage {
			t.Errorf("completion = %+v", last)
		}

		waitUntil(t, "the recoverable task to wait again", func() bool { return h.waits.Entered() == 3 })
		h.waits.Open()
		done := waitForStatus(t, b2.URL, again["id"], "completed", "failed")
		if done.Status != "completed" {
			t.Fatalf("recoverable task %s: %+v", done.Status, events(t, b2.URL, again["id"]))
		}
		evs = events(t, b2.URL, again["id"])
		if evs[0].Type != "recovered" || evs[0].Body["recoverStrategy"] != "startOver" {
			t.Errorf("events after recovery start with %+v", evs[0])
		}
		if got := h.rec.String(); strings.Count(got, "echo:before") != 3 || !strings.Contains(got, "wait:again,") && !strings.HasSuffix(got, "wait:again") {
			t.Errorf("actions ran %q: want the recoverable task's first step twice", got)
		}
	})
}

// TestCancelRunningTask cancels a task waiting in a step: the step's context ends, the task
// ends cancelled with a cancelled event, and no later step runs.
func TestCancelRunningTask(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, h *harness) {
		b := h.start(testdata(t, "templates/wait.yaml"))
		waitForEntity(t, b.URL, "template", "default", "wait")
		var created map[string]string
		do(t, "POST", b.URL+"/api/scaffolder/v2/tasks", map[string]any{"templateRef": "template:default/wait", "values": map[string]any{"label": "x"}}, &created)
		waitUntil(t, "the task to wait", func() bool { return h.waits.Entered() == 1 })
		var res map[string]string
		if code := do(t, "POST", b.URL+"/api/scaffolder/v2/tasks/"+created["id"]+"/cancel", nil, &res); code != http.StatusOK || res["status"] != "cancelled" {
			t.Fatalf("cancel: %d %v", code, res)
		}
		task := waitForStatus(t, b.URL, created["id"], "cancelled", "failed", "completed")
		if task.Status != "cancelled" {
			t.Fatalf("status %s", task.Status)
		}
		var types []string
		for _, e := range events(t, b.URL, created["id"]) {
			types = append(types, e.Type)
		}
		all := strings.Join(types, ",")
		if !strings.Contains(all, "cancelled") || !strings.HasSuffix(all, "completion") {
			t.Errorf("event types = %s", all)
		}
	})
}
