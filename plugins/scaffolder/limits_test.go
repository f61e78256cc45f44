package scaffolder_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/plugins/scaffolder"
	"github.com/portico-dev/portico/plugins/scaffolder/nunjucks"
)

// runawayMacro makes 2^60 macro calls; each call calls tick(), so the test sees the work.
const runawayMacro = `{% macro f(n) %}${{ tick() }}{% if n > 0 %}${{ f(n-1) }}${{ f(n-1) }}{% endif %}{% endmacro %}${{ f(60) }}`

// ticker is a template global counting its calls: the renders' progress, seen from outside.
type ticker struct{ n atomic.Int64 }

func (tk *ticker) module() framework.Module {
	return framework.ExtensionModule("scaffolder", "test-ticker", scaffolder.TemplatingExtensionPoint, func(ctx context.Context, d *framework.Deps, tpl *scaffolder.Templating) error {
		tpl.AddGlobal("tick", nunjucks.Func(func(...any) (any, error) {
			tk.n.Add(1)
			return "", nil
		}))
		return nil
	})
}

// waitStill waits (at most 20 s) until the ticker stops moving: no call for 300 ms.
func (tk *ticker) waitStill(t *testing.T, what string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	last, since := tk.n.Load(), time.Now()
	for time.Since(since) < 300*time.Millisecond {
		if time.Now().After(deadline) {
			t.Fatalf("%s: the render is still running (%d calls)", what, tk.n.Load())
		}
		time.Sleep(20 * time.Millisecond)
		if n := tk.n.Load(); n != last {
			last, since = n, time.Now()
		}
	}
}

// waitMoving waits until the ticker passed n calls.
func (tk *ticker) waitMoving(t *testing.T, n int64) {
	t.Helper()
	waitUntil(t, "the render to start", func() bool { return tk.n.Load() > n })
}

// unlimitedTemplates configures budgets so large that only a context can stop a render.
func unlimitedTemplates() map[string]any {
	return map[string]any{
		"taskLease": "3s", "secretsKey": "a-test-key-of-enough-length",
		"limits": map[string]any{"templateOperations": 1e15, "templateTimeout": "1h", "dryRunTimeout": "1h"},
	}
}

func dryRunBody(steps []any, files map[string]string, secrets map[string]string) map[string]any {
	var contents []any
	for p, c := range files {
		contents = append(contents, map[string]any{"path": p, "base64Content": base64.StdEncoding.EncodeToString([]byte(c))})
	}
	return map[string]any{
		"template": map[string]any{
			"apiVersion": "scaffolder.backstage.io/v1beta3", "kind": "Template", "metadata": map[string]any{"name": "t"},
			"spec": map[string]any{"type": "service", "steps": steps},
		},
		"values": map[string]any{}, "secrets": secrets, "directoryContents": contents,
	}
}

// postRaw sends a JSON request with ctx and returns the status and the raw answer.
func postRaw(ctx context.Context, url string, body any) (int, []byte, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return 0, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, "POST", url, bytes.NewReader(b))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := authed.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(resp.Body)
	return resp.StatusCode, data, err
}

// TestDryRunStopsWhenClientGivesUp sends the exponential macro to POST /v2/dry-run and goes
// away: the render must stop with the request, not burn a core for ever.
func TestDryRunStopsWhenClientGivesUp(t *testing.T) {
	onSQLite(t, func(t *testing.T, h *harness) {
		tk := &ticker{}
		h.others = append(h.others, tk.module())
		h.extra = map[string]any{"scaffolder": unlimitedTemplates()}
		b := h.start()
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() {
			_, _, err := postRaw(ctx, b.URL+"/api/scaffolder/v2/dry-run", dryRunBody([]any{
				map[string]any{"id": "burn", "action": "test:echo", "input": map[string]any{"value": runawayMacro}},
			}, nil, nil))
			done <- err
		}()
		tk.waitMoving(t, 10_000)
		cancel() // the client gives up
		<-done
		tk.waitStill(t, "after the client went away")
	})
}

// TestRunawayTemplateTask runs the exponential macro as a task: cancel must stop the step
// (the task ends cancelled and the render stops), and a backend stopping while another such
// task runs must stop at once, leaving that task to recovery.
func TestRunawayTemplateTask(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, h *harness) {
		tk := &ticker{}
		h.others = append(h.others, tk.module())
		h.extra = map[string]any{"scaffolder": unlimitedTemplates()}
		dir := t.TempDir()
		tpl := filepath.Join(dir, "runaway.yaml")
		spec := "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata: {name: runaway}\nspec:\n" +
			"  owner: group:default/platform\n  type: service\n  steps:\n    - id: burn\n      action: test:echo\n" +
			"      input: {value: '" + runawayMacro + "'}\n"
		if err := os.WriteFile(tpl, []byte(spec), 0o644); err != nil {
			t.Fatal(err)
		}
		h.dir = dir
		b := h.start(tpl)
		waitForEntity(t, b.URL, "template", "default", "runaway")

		var created map[string]string
		do(t, "POST", b.URL+"/api/scaffolder/v2/tasks", map[string]any{"templateRef": "template:default/runaway", "values": map[string]any{}}, &created)
		tk.waitMoving(t, 10_000)
		var res map[string]string
		if code := do(t, "POST", b.URL+"/api/scaffolder/v2/tasks/"+created["id"]+"/cancel", nil, &res); code != http.StatusOK {
			t.Fatalf("cancel: %d %v", code, res)
		}
		if task := waitForStatus(t, b.URL, created["id"], "cancelled", "failed", "completed"); task.Status != "cancelled" {
			t.Fatalf("status %s, want cancelled", task.Status)
		}
		tk.waitStill(t, "after cancel")

		// Shutdown with a runaway task running.
		do(t, "POST", b.URL+"/api/scaffolder/v2/tasks", map[string]any{"templateRef": "template:default/runaway", "values": map[string]any{}}, &created)
		before := tk.n.Load()
		tk.waitMoving(t, before+10_000)
		stopped := make(chan struct{})
		go func() {
			b.stop()
			close(stopped)
		}()
		select {
		case <-stopped:
		case <-time.After(20 * time.Second):
			t.Fatal("the backend did not stop within 20 s while a template was rendering")
		}
		tk.waitStill(t, "after shutdown")
	})
}

// TestDryRunAmplification is the 2.9 KB request of issue 12 that answered 165 MB: eight
// uploaded files, each a 100,000-iteration loop. It must answer a 4xx with Backstage's error
// body, small.
func TestDryRunAmplification(t *testing.T) {
	onSQLite(t, func(t *testing.T, h *harness) {
		b := h.start()
		files := map[string]string{}
		for i := range 8 {
			files[fmt.Sprintf("skeleton/f%d.txt", i)] = `{% for i in range(100000) %}amplified line number ${{ i }} of a file that grows and grows and grows{% endfor %}`
		}
		status, data, err := postRaw(t.Context(), b.URL+"/api/scaffolder/v2/dry-run", dryRunBody([]any{
			map[string]any{"id": "fetch", "action": "fetch:template", "input": map[string]any{"url": "./skeleton"}},
		}, files, nil))
		if err != nil {
			t.Fatal(err)
		}
		if status != http.StatusBadRequest || len(data) > 64<<10 {
			t.Fatalf("got %d with %d bytes, want 400 with a short error body", status, len(data))
		}
		var body struct {
			Error struct{ Name, Message string } `json:"error"`
		}
		if err := json.Unmarshal(data, &body); err != nil || body.Error.Name != "InputError" || !strings.Contains(body.Error.Message, "limit") {
			t.Fatalf("body %s: want an InputError naming the limit", data)
		}
	})
}

// TestDryRunLimits checks the other ways a dry run can outgrow its limits or the stack.
func TestDryRunLimits(t *testing.T) {
	onSQLite(t, func(t *testing.T, h *harness) {
		h.extra = map[string]any{"scaffolder": map[string]any{
			"taskLease": "3s", "secretsKey": "a-test-key-of-enough-length",
			"limits": map[string]any{"dryRunBytes": 100_000, "templateOperations": 200_000},
		}}
		b := h.start()
		echo := func(v string) []any {
			return []any{map[string]any{"id": "e", "action": "test:echo", "input": map[string]any{"value": v}}}
		}
		tests := []struct {
			name   string
			steps  []any
			files  map[string]string
			status int
			want   string
		}{
			{name: "exponential macro spends its budget", steps: echo(`{% macro f(n) %}{% if n > 0 %}${{ f(n-1) }}${{ f(n-1) }}{% endif %}{% endmacro %}${{ f(60) }}`), status: http.StatusBadRequest, want: "exceeded 200000 operations"},
			// 12,000 levels: far past the parser's nesting limit, while the answer (the input
			// three times: the dry-run log of the inputs, the echo, steps[].input) fits.
			{name: "deep parentheses", steps: echo("${{ " + strings.Repeat("(", 12_000) + "1" + strings.Repeat(")", 12_000) + " }}"), status: http.StatusOK},
			{name: "deep operator chain", steps: echo("${{ 1" + strings.Repeat(" + 1", 20_000) + " }}"), status: http.StatusBadRequest, want: "nested deeper than"},
			{name: "deep macro recursion", steps: echo(`{% macro f(n) %}${{ f(n+1) }}{% endmacro %}${{ f(0) }}`), status: http.StatusOK},
			{name: "plain files past the workspace limit", steps: []any{map[string]any{"id": "f", "action": "fetch:plain", "input": map[string]any{"url": "./skeleton"}}},
				files: map[string]string{"skeleton/a": strings.Repeat("a", 60_000), "skeleton/b": strings.Repeat("b", 60_000)}, status: http.StatusBadRequest, want: "workspace limit exceeded"},
			{name: "step inputs past the answer limit", steps: []any{
				map[string]any{"id": "a", "action": "test:echo", "input": map[string]any{"value": `{% for i in range(6000) %}0123456789{% endfor %}`}},
				map[string]any{"id": "b", "action": "test:echo", "input": map[string]any{"value": `{% for i in range(6000) %}0123456789{% endfor %}`}},
			}, status: http.StatusBadRequest, want: "100000 bytes"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				status, data, err := postRaw(t.Context(), b.URL+"/api/scaffolder/v2/dry-run", dryRunBody(tc.steps, tc.files, nil))
				if err != nil {
					t.Fatal(err)
				}
				if status != tc.status || !strings.Contains(string(data), tc.want) || len(data) > 200_000 {
					t.Fatalf("got %d %.500s, want %d containing %q", status, data, tc.status, tc.want)
				}
			})
		}
	})
}

// TestDryRunRedactsSecrets passes secrets into step inputs, directly and through filters: the
// dry run's answer must not carry them (steps[].input, log, output).
func TestDryRunRedactsSecrets(t *testing.T) {
	onSQLite(t, func(t *testing.T, h *harness) {
		b := h.start()
		const secretValue = "s3cr3t-t0ken-value"
		status, data, err := postRaw(t.Context(), b.URL+"/api/scaffolder/v2/dry-run", dryRunBody([]any{
			map[string]any{"id": "plain", "action": "test:echo", "input": map[string]any{"value": "${{ secrets.token }}"}},
			map[string]any{"id": "upper", "action": "test:echo", "input": map[string]any{"value": "x-${{ secrets.token | upper }}"}},
			map[string]any{"id": "reversed", "action": "test:echo", "input": map[string]any{"value": `${{ secrets.token | replace("-", "_") }}`}},
			map[string]any{"id": "each", "action": "test:echo", "each": "${{ [secrets.token | upper] }}", "input": map[string]any{"value": "${{ each.value }}"}},
			map[string]any{"id": "public", "action": "test:echo", "input": map[string]any{"value": "visible"}},
		}, nil, map[string]string{"token": secretValue}))
		if err != nil {
			t.Fatal(err)
		}
		if status != http.StatusOK {
			t.Fatalf("status %d: %s", status, data)
		}
		// The secret itself is redacted everywhere (the log included, as Backstage does); what
		// a filter made of it is known to come from secrets only in the step inputs.
		if strings.Contains(string(data), secretValue) {
			t.Errorf("the answer holds the secret: %s", data)
		}
		var res struct {
			Steps []struct {
				ID    string         `json:"id"`
				Input map[string]any `json:"input"`
			} `json:"steps"`
			Output map[string]any `json:"output"`
		}
		if err := json.Unmarshal(data, &res); err != nil {
			t.Fatal(err)
		}
		steps, _ := json.Marshal(res.Steps)
		for _, leak := range []string{secretValue, strings.ReplaceAll(secretValue, "-", "_")} {
			if strings.Contains(strings.ToLower(string(steps)), leak) {
				t.Errorf("steps[].input holds the secret (%s): %s", leak, steps)
			}
		}
		for _, s := range res.Steps {
			want := "***"
			if s.ID == "public" {
				want = "visible"
			}
			if s.Input["value"] != want {
				t.Errorf("step %s input = %v, want value %q", s.ID, s.Input, want)
			}
		}
	})
}
