package scaffolder_test

import (
	"encoding/json"
	"net/http"
	"testing"
)

// TestTaskKeyOrder runs a real task on each database: the submitted values, a step's each:
// object and an action's outputs keep JavaScript's key order (array-index keys first, then
// the others as written) through the catalog, the stored task spec and the worker into the
// templates, as they do in Backstage.
func TestTaskKeyOrder(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, h *harness) {
		b := h.start(testdata(t, "templates/key-order.yaml"))
		waitForEntity(t, b.URL, "template", "default", "key-order")
		body := json.RawMessage(`{"templateRef":"key-order","values":{"obj":{"zeta":1,"10":"ten","alpha":{"y":2,"b":3},"2":"two"}}}`)
		var created map[string]string
		if code := do(t, "POST", b.URL+"/api/scaffolder/v2/tasks", body, &created); code != http.StatusCreated {
			t.Fatalf("create: %d %v", code, created)
		}
		task := waitForStatus(t, b.URL, created["id"], "completed", "failed")
		evs := events(t, b.URL, created["id"])
		if task.Status != "completed" {
			t.Fatalf("task %s: %v", task.Status, evs)
		}
		out, _ := evs[len(evs)-1].Body["output"].(map[string]any)
		want := map[string]string{
			"params":  `{"obj":{"2":"two","10":"ten","zeta":1,"alpha":{"y":2,"b":3}}}`,
			"keys":    "2,10,zeta,alpha",
			"literal": "2=two,10=ten,zeta=z,alpha=a",
			"outputs": `{"2":true,"10":10,"zeta":"z","alpha":{"b":1,"a":2}}`,
		}
		for k, w := range want {
			if out[k] != w {
				t.Errorf("output %s = %v, want %s", k, out[k], w)
			}
		}
	})
}
