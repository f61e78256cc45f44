package worker_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/framework/jsvalue"
	"github.com/portico-dev/portico/plugins/scaffolder/action"
	"github.com/portico-dev/portico/plugins/scaffolder/template"
	"github.com/portico-dev/portico/plugins/scaffolder/worker"
)

// testAction is an action built from a function, optionally undoable.
type testAction struct {
	id     string
	input  string
	handle func(ctx context.Context, c *action.Context) error
	undo   func(c *action.Context, out map[string]any) error
	dryRun bool
}

func (a *testAction) ID() string          { return a.id }
func (a *testAction) Description() string { return "test action " + a.id }
func (a *testAction) Schema() action.Schema {
	in := a.input
	if in == "" {
		in = `{"type":"object"}`
	}
	return action.Schema{Input: json.RawMessage(in)}
}
func (a *testAction) Handle(ctx context.Context, c *action.Context) error { return a.handle(ctx, c) }
func (a *testAction) SupportsDryRun() bool                                { return a.dryRun }

type undoableAction struct{ *testAction }

func (a undoableAction) Undo(_ context.Context, c *action.Context, out map[string]any) error {
	return a.undo(c, out)
}

// recorder notes what the test actions did.
type recorder = frameworktest.Recorder

func testRegistry(t *testing.T, rec *recorder) *action.Registry {
	t.Helper()
	echo := &testAction{id: "test:echo", dryRun: true,
		input: `{"type":"object","properties":{"value":{}, "count":{"type":"number"}}}`,
		handle: func(_ context.Context, c *action.Context) error {
			c.Logger.Info("echo", "value", c.Input["value"])
			c.Output("value", c.Input["value"])
			rec.Add(fmt.Sprint("echo:", c.Input["value"]))
			return nil
		}}
	create := undoableAction{&testAction{id: "test:create",
		handle: func(_ context.Context, c *action.Context) error {
			rec.Add("create:" + c.StepID)
			c.Output("created", c.StepID)
			return nil
		},
		undo: func(c *action.Context, out map[string]any) error {
			rec.Add(fmt.Sprint("undo:", out["created"]))
			return nil
		}}}
	fail := &testAction{id: "test:fail", handle: func(_ context.Context, c *action.Context) error {
		return errors.New("boom with " + c.Secrets["TOKEN"])
	}}
	block := &testAction{id: "test:block", handle: func(ctx context.Context, c *action.Context) error {
		rec.Add("block")
		<-ctx.Done()
		return ctx.Err()
	}}
	reg, err := action.NewRegistry(echo, create, fail, block)
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func parseSpec(t *testing.T, doc string, values map[string]any) template.TaskSpec {
	t.Helper()
	tpl, err := template.ParseDocument([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	params, _ := jsvalue.Ordered(values).(*jsvalue.Object)
	return tpl.TaskSpec(params, template.User{Ref: "user:default/ann"}, "")
}

const header = `apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata: {name: t}
spec:
  type: service
`

func TestRunner(t *testing.T) {
	tests := []struct {
		name      string
		steps     string
		values    map[string]any
		secrets   map[string]string
		wantErr   string
		wantRec   string
		wantOut   string
		wantLog   []string // substrings that must appear in the log, in order
		notInLogs string
	}{
		{
			name: "typed input, step outputs, output links",
			steps: `  steps:
    - id: first
      action: test:echo
      input: {value: '${{ parameters.count }}'}
    - id: second-step
      name: Second
      action: test:echo
      input: {value: 'n=${{ steps.first.output.value }} user=${{ user.ref }}'}
  output:
    links:
      - {title: Repo, url: 'https://x/${{ steps["second-step"].output.value }}'}
      - {title: Hidden, url: 'https://hidden', if: '${{ parameters.count > 5 }}'}
    text: [{title: T, content: 'count ${{ parameters.count }}'}]
`,
			values:  map[string]any{"count": 3},
			wantRec: "echo:3,echo:n=3 user=user:default/ann",
			wantOut: `{"links":[{"title":"Repo","url":"https://x/n=3 user=user:default/ann"}],"text":[{"content":"count 3","title":"T"}]}`,
			wantLog: []string{"Beginning step test:echo", "echo value=3", "Finished step test:echo", "Beginning step Second", "Finished step Second"},
		},
		{
			name: "if skips, each iterates and accumulates outputs",
			steps: `  steps:
    - id: skipped
      action: test:echo
      if: '${{ parameters.enabled }}'
      input: {value: never}
    - id: loop
      action: test:echo
      each: '${{ parameters.items }}'
      input: {value: '${{ each.key }}-${{ each.value }}'}
  output:
    all: '${{ steps.loop.output.value }}'
`,
			values:  map[string]any{"enabled": false, "items": []any{"a", "b"}},
			wantRec: "echo:0-a,echo:1-b",
			wantOut: `{"all":["0-a","1-b"]}`,
			wantLog: []string{"Skipping step skipped because its if condition was false", "echo value=0-a"},
		},
		{
			name: "failure rolls back completed steps in reverse and redacts secrets",
			steps: `  steps:
    - {id: a, action: test:create}
    - {id: b, action: test:create}
    - {id: c, action: test:fail}
    - {id: d, action: test:create}
`,
			secrets:   map[string]string{"TOKEN": "s3cret-value"},
			wantErr:   "boom with s3cret-value",
			wantRec:   "create:a,create:b,undo:b,undo:a",
			wantLog:   []string{"boom with ***", "Skipping step d because a previous step failed", "Rolling back step b", "Rolling back step a"},
			notInLogs: "s3cret-value",
		},
		{
			name: "rollback false keeps completed steps",
			steps: `  rollback: false
  steps:
    - {id: a, action: test:create}
    - {id: c, action: test:fail}
`,
			wantErr: "boom",
			wantRec: "create:a",
		},
		{
			name: "invalid input and unknown action fail the step",
			steps: `  steps:
    - {id: a, action: test:echo, input: {count: not-a-number}}
`,
			wantErr: "Invalid input passed to action test:echo",
		},
		{
			name:    "unknown action",
			steps:   "  steps:\n    - {id: a, action: nope:nope}\n",
			wantErr: "Template action with ID 'nope:nope' is not registered.",
		},
		{
			name: "secrets reach input but are redacted from logs",
			steps: `  steps:
    - {id: a, action: test:echo, input: {value: 'token ${{ secrets.TOKEN }}'}}
`,
			secrets:   map[string]string{"TOKEN": "abc-123-xyz"},
			wantRec:   "echo:token abc-123-xyz",
			wantLog:   []string{"echo value=token ***"},
			notInLogs: "abc-123-xyz",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			rn := worker.NewRunner(worker.Deps{Actions: testRegistry(t, rec)})
			var logs []string
			res, err := rn.Run(t.Context(), worker.Run{
				TaskID: "t1", Spec: parseSpec(t, header+tc.steps, tc.values), Secrets: tc.secrets, Workspace: t.TempDir(),
				Emit: func(b map[string]any) { logs = append(logs, fmt.Sprint(b["message"])) },
			})
			if tc.wantErr == "" && err != nil {
				t.Fatalf("Run: %v\nlog: %q", err, logs)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("Run error = %v, want %q", err, tc.wantErr)
			}
			if tc.wantRec != "" && rec.String() != tc.wantRec {
				t.Errorf("actions did %q, want %q", rec.String(), tc.wantRec)
			}
			if tc.wantOut != "" {
				got, _ := json.Marshal(res.Output)
				if string(got) != tc.wantOut {
					t.Errorf("output = %s, want %s", got, tc.wantOut)
				}
			}
			all := strings.Join(logs, "\n")
			pos := 0
			for _, want := range tc.wantLog {
				i := strings.Index(all[pos:], want)
				if i < 0 {
					t.Errorf("log lacks %q (in order); log:\n%s", want, all)
					break
				}
				pos += i + len(want)
			}
			if tc.notInLogs != "" && strings.Contains(all, tc.notInLogs) {
				t.Errorf("log leaks %q:\n%s", tc.notInLogs, all)
			}
		})
	}
}

func TestRunnerCancel(t *testing.T) {
	rec := &recorder{}
	rn := worker.NewRunner(worker.Deps{Actions: testRegistry(t, rec)})
	ctx, cancel := context.WithCancelCause(t.Context())
	done := make(chan error, 1)
	var mu sync.Mutex
	var logs []string
	go func() {
		_, err := rn.Run(ctx, worker.Run{TaskID: "t", Workspace: t.TempDir(),
			Spec: parseSpec(t, header+"  steps:\n    - {id: a, action: test:create}\n    - {id: b, action: test:block}\n", nil),
			Emit: func(b map[string]any) {
				mu.Lock()
				logs = append(logs, fmt.Sprint(b["status"]))
				mu.Unlock()
				if b["stepId"] == "b" && b["status"] == "processing" {
					cancel(worker.ErrCancelled)
				}
			}})
		done <- err
	}()
	err := <-done
	if !errors.Is(err, worker.ErrCancelled) {
		t.Fatalf("Run = %v, want ErrCancelled", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(strings.Join(logs, ","), "cancelled") {
		t.Errorf("no cancelled status in %v", logs)
	}
}

func TestRunnerDryRunSkipsUnsupported(t *testing.T) {
	rec := &recorder{}
	rn := worker.NewRunner(worker.Deps{Actions: testRegistry(t, rec)})
	res, err := rn.Run(t.Context(), worker.Run{TaskID: "d", Workspace: t.TempDir(), DryRun: true,
		Spec: parseSpec(t, header+"  steps:\n    - {id: a, action: test:create}\n    - {id: b, action: test:echo, input: {value: x}}\n", nil)})
	if err != nil {
		t.Fatal(err)
	}
	if rec.String() != "echo:x" {
		t.Errorf("dry run executed %q, want only the dry-run capable echo", rec.String())
	}
	if len(res.Steps) != 2 || res.Steps[1].Input["value"] != "x" {
		t.Errorf("steps = %+v", res.Steps)
	}
}
