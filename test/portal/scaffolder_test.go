package portal

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/portico-dev/portico/plugins/scaffolder"
)

const helloTemplate = `apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata: {name: hello, title: Say hello}
spec:
  owner: team-a
  type: service
  parameters:
    - title: Who
      required: [name]
      properties:
        name: {type: string, title: Name}
  steps:
    - id: log
      name: Log
      action: debug:log
      input:
        message: Hello ${{ parameters.name }} from ${{ user.ref }}
  output:
    text:
      - title: Greeting
        content: Hello ${{ parameters.name }}
`

// TestTasksBelongToTheSignedInUser runs a template as a signed-in user through the API with
// the browser's cookie (and X-Requested-With, as the UI's script sends it): the task records
// who created it, the template sees the user, and "my tasks" lists it for that user only.
func TestTasksBelongToTheSignedInUser(t *testing.T) {
	srv := startPortal(t, fixture+"---\n"+helloTemplate, []string{"Component", "Group", "User", "Location", "Template"}, scaffolder.Plugin())
	alice := newBrowser(t, srv.URL)
	alice.signInAsGuest("/create")
	alice.page("/create", "Say hello")

	req, _ := http.NewRequest("POST", srv.URL+"/api/scaffolder/v2/tasks",
		strings.NewReader(`{"templateRef":"template:default/hello","values":{"name":"Ada"}}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Requested-With", "XMLHttpRequest")
	resp, err := alice.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var created struct{ ID string }
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(body, &created) != nil || created.ID == "" {
		t.Fatalf("create task: %d %s", resp.StatusCode, body)
	}

	// The task completes; its log shows the user the template saw.
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, body, _ := alice.do("GET", "/api/scaffolder/v2/tasks/"+created.ID, nil)
		var task struct {
			Status    string `json:"status"`
			CreatedBy string `json:"createdBy"`
		}
		_ = json.Unmarshal([]byte(body), &task)
		if task.Status == "completed" {
			if task.CreatedBy != "user:default/alice" {
				t.Errorf("createdBy %q", task.CreatedBy)
			}
			break
		}
		if task.Status == "failed" || time.Now().After(deadline) {
			t.Fatalf("task never completed: %s", body)
		}
		time.Sleep(50 * time.Millisecond) // polling with a bound
	}
	_, events, _ := alice.do("GET", "/api/scaffolder/v2/tasks/"+created.ID+"/events", nil)
	if !strings.Contains(events, "Hello Ada from user:default/alice") {
		t.Errorf("the template did not see the signed-in user:\n%s", events)
	}
	_, list, _ := alice.do("GET", "/api/scaffolder/v2/tasks?createdBy=user:default/alice", nil)
	if !strings.Contains(list, created.ID) || !strings.Contains(list, `"totalTasks":1`) {
		t.Errorf("createdBy filter: %s", list)
	}
	if _, other, _ := alice.do("GET", "/api/scaffolder/v2/tasks?createdBy=user:default/bob", nil); strings.Contains(other, created.ID) {
		t.Errorf("bob's tasks include alice's: %s", other)
	}
	alice.page("/create/tasks", created.ID)
}
