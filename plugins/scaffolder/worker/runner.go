// Package worker runs scaffolder tasks: Runner executes one task spec step by step (if, each,
// templated input checked against the action's schema, outputs, rollback through
// action.Undoer, templated output), and Worker claims tasks from the store, heartbeats their
// leases, records their events and recovers tasks whose worker died.
package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/portico-dev/portico/framework/apierr/errkind"
	"github.com/portico-dev/portico/framework/jsvalue"
	"github.com/portico-dev/portico/plugins/scaffolder/action"
	"github.com/portico-dev/portico/plugins/scaffolder/nunjucks"
	"github.com/portico-dev/portico/plugins/scaffolder/secret"
	"github.com/portico-dev/portico/plugins/scaffolder/template"
)

// ErrCancelled is the cause of a run stopped by POST /v2/tasks/:id/cancel.
var ErrCancelled = errors.New("task cancelled")

// ErrReportLimit is wrapped by the error of a dry run whose reported step inputs grow past
// Run.MaxInputBytes.
var ErrReportLimit = errors.New("dry-run report limit exceeded")

// kindError is a step failure of one of Backstage's error kinds (NotFoundError for an action
// that is not registered, InputError for an invalid input), which a dry run answers with that
// kind's status as Backstage does. Its text is the message alone.
type kindError struct {
	kind *errkind.Kind
	err  error // the message, wrapping the causes given with %w
}

func (e *kindError) Error() string   { return e.err.Error() }
func (e *kindError) Unwrap() []error { return []error{e.kind, e.err} }

func kindErrorf(kind *errkind.Kind, format string, args ...any) error {
	return &kindError{kind: kind, err: fmt.Errorf(format, args...)}
}

// Deps are what a Runner gives actions.
type Deps struct {
	Actions      *action.Registry
	Templater    *nunjucks.Engine
	Catalog      action.CatalogClient
	Reader       action.URLReader
	Integrations action.Integrations
	Logger       *slog.Logger
	// WorkspaceBytes and WorkspaceFiles bound each run's workspace (scaffolder.limits.*;
	// 0 takes action.DefaultWorkspaceBytes and DefaultWorkspaceFiles).
	WorkspaceBytes int64
	WorkspaceFiles int
}

// Runner executes task specs. It is safe for concurrent use.
type Runner struct{ deps Deps }

// NewRunner returns a runner.
func NewRunner(deps Deps) *Runner {
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Templater == nil {
		deps.Templater = nunjucks.New(nunjucks.Options{})
	}
	return &Runner{deps: deps}
}

// Run is one execution of a task spec.
type Run struct {
	TaskID    string
	Spec      template.TaskSpec
	Secrets   map[string]string
	Workspace string // an existing, empty directory
	DryRun    bool
	// Emit records a log event body ({message, stepId?, status?}); bodies are already redacted.
	Emit func(body map[string]any)
	// Interrupted reports whether the run was stopped from outside (shutdown, lost lease):
	// then nothing is rolled back, since the task is recovered later as its template asks.
	Interrupted func() bool
	// Quota bounds the workspace; nil takes the runner's limits.
	Quota *action.Quota
	// MaxInputBytes bounds the JSON size of all the step inputs a dry run reports (0: no
	// limit).
	MaxInputBytes int64
}

// StepResult is a step's final state in a run.
type StepResult struct {
	ID, Name, Action string
	Status           string // completed | failed | skipped | cancelled
	Output           map[string]any
	// Input is the rendered input of the last iteration, as a dry run reports it: values
	// that come from secrets are replaced by "***".
	Input map[string]any
}

// Result is what a run produced.
type Result struct {
	Output map[string]any
	Steps  []StepResult
	// Redactor redacts the run's secrets and every value the steps derived from them (for
	// the error message of a failed run).
	Redactor *secret.Redactor
}

// done is a completed action execution, kept for rollback.
type done struct {
	step   template.Step
	act    action.Action
	actCtx *action.Context
	output map[string]any
}

// Run executes r's steps in order. A failing step stops the run; unless the spec turns rollback
// off (or it is a dry run), the actions completed so far are undone in reverse order. The
// returned error is the step's error (wrapping ErrCancelled when cancelled).
func (rn *Runner) Run(ctx context.Context, r Run) (Result, error) {
	if r.Quota == nil {
		r.Quota = action.NewQuota(rn.deps.WorkspaceBytes, rn.deps.WorkspaceFiles)
	}
	red := &taintedRedactor{red: secret.NewRedactor(r.Secrets)}
	emit := func(body map[string]any) {
		if r.Emit != nil {
			r.Emit(red.get().Value(body).(map[string]any))
		}
	}
	stepsCtx := map[string]any{}
	user := map[string]any{"ref": r.Spec.User.Ref}
	if r.Spec.User.Entity != nil {
		user["entity"] = r.Spec.User.Entity
	}
	params := r.Spec.Parameters
	if params == nil {
		params = jsvalue.NewObject(0)
	}
	base := map[string]any{
		"parameters": params,
		"steps":      stepsCtx,
		"user":       user,
		"context":    map[string]any{"task": map[string]any{"id": r.TaskID}},
	}
	secrets := map[string]any{}
	for k, v := range r.Secrets {
		secrets[k] = v
	}
	emit(map[string]any{"message": fmt.Sprintf("Starting up task with %d steps", len(r.Spec.Steps))})
	var res Result
	finish := func(err error) (Result, error) {
		res.Redactor = red.get()
		return res, err
	}
	var completed []done
	var inputBytes int64
	var runErr error
	failedAt := -1
	for i, step := range r.Spec.Steps {
		sr := StepResult{ID: step.ID, Name: step.Name, Action: step.Action}
		if err := context.Cause(ctx); err != nil {
			runErr = cancelErr(ctx)
			failedAt = i
			emit(map[string]any{"message": fmt.Sprintf("Step %s has been cancelled.", step.Name), "stepId": step.ID, "status": "cancelled"})
			sr.Status = "cancelled"
			res.Steps = append(res.Steps, sr)
			break
		}
		output, execs, ran, input, err := rn.runStep(ctx, r, step, base, secrets, emit, red)
		dryRunSkipped := ran == ranDryRunSkipped
		completed = append(completed, execs...)
		if input != nil && r.DryRun {
			raw, _ := jsvalue.Plain(step.Input).(map[string]any)
			sr.Input, _ = red.get().Value(redactSecretInput(step, raw, input)).(map[string]any)
			if r.MaxInputBytes > 0 && err == nil {
				b, _ := json.Marshal(sr.Input)
				if inputBytes += int64(len(b)); inputBytes > r.MaxInputBytes {
					err = fmt.Errorf("%w: step inputs exceed %d bytes", ErrReportLimit, r.MaxInputBytes)
				}
			}
		}
		if err != nil && ctx.Err() != nil && !errors.Is(err, ErrCancelled) {
			// A render or action stopped by the run's context.
			err = cancelErr(ctx)
		}
		if err != nil {
			runErr = err
			failedAt = i
			status := "failed"
			if errors.Is(err, ErrCancelled) {
				status = "cancelled"
			}
			msg := red.get().String(err.Error())
			emit(map[string]any{"message": msg, "stepId": step.ID, "status": status})
			sr.Status = status
			res.Steps = append(res.Steps, sr)
			break
		}
		if ran == ranNot {
			emit(map[string]any{"message": fmt.Sprintf("Skipping step %s because its if condition was false", step.ID), "stepId": step.ID, "status": "skipped"})
			sr.Status = "skipped"
			res.Steps = append(res.Steps, sr)
			continue
		}
		if dryRunSkipped {
			// Later steps see the example output; the step logged its skip and does not
			// finish (Backstage writes no "Finished step" line for it).
			stepsCtx[step.ID] = map[string]any{"output": output}
			sr.Status, sr.Output = "skipped", output.Map()
			res.Steps = append(res.Steps, sr)
			continue
		}
		// The output object lists its names in the order the action first set them, as
		// Backstage's does: `steps.<id>.output | dump` shows that order.
		stepsCtx[step.ID] = map[string]any{"output": output}
		sr.Status, sr.Output = "completed", output.Map()
		res.Steps = append(res.Steps, sr)
		emit(map[string]any{"message": fmt.Sprintf("Finished step %s", step.Name), "stepId": step.ID, "status": "completed"})
	}
	if runErr != nil {
		for _, step := range r.Spec.Steps[failedAt+1:] {
			emit(map[string]any{"message": fmt.Sprintf("Skipping step %s because a previous step failed", step.ID), "stepId": step.ID, "status": "skipped"})
			res.Steps = append(res.Steps, StepResult{ID: step.ID, Name: step.Name, Action: step.Action, Status: "skipped"})
		}
		if !r.DryRun && r.Spec.RollbackEnabled() && (r.Interrupted == nil || !r.Interrupted()) {
			rn.rollback(ctx, completed, emit)
		}
		return finish(runErr)
	}
	// Secrets are not visible to the output.
	raw, err := filterOutputItems(ctx, rn.deps.Templater, orEmpty(r.Spec.Output), base)
	if err != nil {
		return finish(err)
	}
	out, err := rn.deps.Templater.RenderValue(ctx, raw, base)
	if err != nil {
		return finish(fmt.Errorf("render output: %w", err))
	}
	outMap, _ := out.(map[string]any)
	res.Output = red.get().Value(orEmpty(outMap)).(map[string]any)
	return finish(nil)
}

func cancelErr(ctx context.Context) error {
	cause := context.Cause(ctx)
	if errors.Is(cause, ErrCancelled) {
		return cause
	}
	return fmt.Errorf("%w: %w", ErrCancelled, cause)
}

// How a step ran: not at all (its if was false for every iteration), for real, or skipped by
// a dry run because its action cannot run without side effects.
type ranKind int

const (
	ranNot ranKind = iota
	ranYes
	ranDryRunSkipped
)

// runStep runs one step (each iteration).
func (rn *Runner) runStep(ctx context.Context, r Run, step template.Step, base, secrets map[string]any, emit func(map[string]any), red *taintedRedactor) (*jsvalue.Object, []done, ranKind, map[string]any, error) {
	emit(map[string]any{"message": fmt.Sprintf("Beginning step %s", step.Name), "stepId": step.ID, "status": "processing"})
	act, ok := rn.deps.Actions.Get(step.Action)
	if !ok {
		return nil, nil, ranNot, nil, kindErrorf(errkind.NotFound, "Template action with ID '%s' is not registered.", step.Action)
	}
	if r.DryRun {
		// As Backstage: a step whose if is false is skipped; the others log their input
		// rendered with every secret as "***", and an action that cannot dry-run is skipped
		// whole, its output an example made from its output schema.
		if step.Each == nil && step.If != nil {
			ok, err := rn.deps.Templater.EvalCondition(ctx, step.If, base)
			if err != nil {
				return nil, nil, ranNot, nil, fmt.Errorf("evaluate if of step %s: %w", step.ID, err)
			}
			if !ok {
				return nil, nil, ranNot, nil, nil
			}
		}
		masked := make(map[string]any, len(secrets))
		for k := range secrets {
			masked[k] = "***"
		}
		debug, err := rn.deps.Templater.RenderOrdered(ctx, step.Input, withKeys(base, map[string]any{"secrets": masked}))
		if err == nil {
			// JSON.stringify(input, undefined, 2), in the template's key order.
			b := jsvalue.Stringify(debug, "  ")
			emit(map[string]any{"message": fmt.Sprintf("Running %s in dry-run mode with inputs (secrets redacted): %s", step.Action, b), "stepId": step.ID})
		} else if ctx.Err() != nil {
			return nil, nil, ranNot, nil, cancelErr(ctx)
		}
		if dr, ok := act.(action.DryRunner); !ok || !dr.SupportsDryRun() {
			emit(map[string]any{"message": fmt.Sprintf("Skipping because %s does not support dry-run", step.Action), "stepId": step.ID, "status": "skipped"})
			out := jsvalue.NewObject(0)
			if ex, ok := act.(action.DryRunExample); ok {
				if o, ok := ex.DryRunOutput(); ok {
					return jsvalue.Ordered(o).(*jsvalue.Object), nil, ranDryRunSkipped, nil, nil
				}
			}
			if ex, ok := exampleOutput(act.Schema().Output).(*jsvalue.Object); ok {
				out = ex
			}
			return out, nil, ranDryRunSkipped, nil, nil
		}
	}
	type iteration struct{ each map[string]any }
	iters := []iteration{{}}
	if step.Each != nil {
		ectx := withKeys(base, map[string]any{"secrets": secrets})
		// Ordered: an object is walked in its key order, as Backstage's Object.entries.
		v, err := rn.deps.Templater.RenderOrdered(ctx, step.Each, ectx)
		if err != nil {
			return nil, nil, ranNot, nil, kindErrorf(errkind.Input, "Invalid value on action %s.each parameter: %w", step.Action, err)
		}
		iters = nil
		switch t := v.(type) {
		case []any:
			for i, item := range t {
				iters = append(iters, iteration{each: map[string]any{"key": fmt.Sprint(i), "value": item}})
			}
		case *jsvalue.Object:
			for _, k := range t.Keys() {
				val, _ := t.Get(k)
				iters = append(iters, iteration{each: map[string]any{"key": k, "value": val}})
			}
		default:
			return nil, nil, ranNot, nil, kindErrorf(errkind.Input, "Invalid value on action %s.each parameter, \"%v\" cannot be iterated", step.Action, v)
		}
	}
	output := jsvalue.NewObject(0)
	var execs []done
	ran := ranNot
	var lastInput map[string]any
	for _, it := range iters {
		vctx := base
		if it.each != nil {
			vctx = withKeys(base, map[string]any{"each": it.each})
		}
		if step.If != nil {
			ok, err := rn.deps.Templater.EvalCondition(ctx, step.If, vctx)
			if err != nil {
				return output, execs, ran, lastInput, fmt.Errorf("evaluate if of step %s: %w", step.ID, err)
			}
			if !ok {
				continue
			}
		}
		ran = ranYes
		ordered, err := rn.deps.Templater.RenderOrdered(ctx, step.Input, withKeys(vctx, map[string]any{"secrets": secrets}))
		if err != nil {
			return output, execs, ran, lastInput, fmt.Errorf("render input of step %s: %w", step.ID, err)
		}
		orderedInput, _ := ordered.(*jsvalue.Object)
		input, _ := jsvalue.Plain(ordered).(map[string]any)
		if input == nil {
			input = map[string]any{}
		}
		if len(secrets) > 0 && step.Input != nil {
			// Values a filter made of a secret (`${{ secrets.token | upper }}`) are not the
			// secret: find them by rendering the input again without secrets, as Backstage
			// does, and redact them from the log and events too.
			plain, err := rn.deps.Templater.RenderValue(ctx, step.Input, withKeys(vctx, map[string]any{"secrets": map[string]any{}}))
			if err != nil {
				red.add(stringLeaves(input, nil)...)
			} else {
				red.add(secretDerived(input, plain, nil)...)
			}
		}
		lastInput = input
		if err := template.ValidateInput(act.Schema().Input, input); err != nil {
			return output, execs, ran, lastInput, kindErrorf(errkind.Input, "Invalid input passed to action %s, %v", step.Action, err)
		}
		if r.Workspace != "" {
			if err := r.Quota.Measure(r.Workspace); err != nil {
				return output, execs, ran, lastInput, fmt.Errorf("step %s: %w", step.ID, err)
			}
		}
		iterOut := map[string]any{}
		each := it.each != nil
		actCtx := &action.Context{
			TaskID: r.TaskID,
			StepID: step.ID,
			Input:  input,
			// The same values in the template's key order.
			OrderedInput: orderedInput,
			Workspace:    r.Workspace,
			Logger:       slog.New(&logHandler{stepID: step.ID, emit: emit}),
			Output: func(name string, value any) {
				iterOut[name] = value
				if each {
					prev, _ := output.Get(name)
					list, _ := prev.([]any)
					output.Set(name, append(list, value))
				} else {
					output.Set(name, value)
				}
			},
			Secrets:      stringMap(secrets),
			User:         action.User{Ref: r.Spec.User.Ref, Entity: r.Spec.User.Entity},
			Template:     action.TemplateInfo{EntityRef: r.Spec.TemplateInfo.EntityRef, BaseURL: r.Spec.TemplateInfo.BaseURL},
			DryRun:       r.DryRun,
			Templater:    rn.deps.Templater,
			Quota:        r.Quota,
			Catalog:      rn.deps.Catalog,
			Reader:       rn.deps.Reader,
			Integrations: rn.deps.Integrations,
		}
		if err := act.Handle(ctx, actCtx); err != nil {
			if ctx.Err() != nil {
				return output, execs, ran, lastInput, cancelErr(ctx)
			}
			return output, execs, ran, lastInput, err
		}
		execs = append(execs, done{step: step, act: act, actCtx: actCtx, output: iterOut})
		if r.Workspace != "" {
			// Catches what an action wrote without charging the quota.
			if err := r.Quota.Measure(r.Workspace); err != nil {
				return output, execs, ran, lastInput, fmt.Errorf("step %s: %w", step.ID, err)
			}
		}
	}
	return output, execs, ran, lastInput, nil
}

// taintedRedactor is a run's redactor, which learns the values derived from secrets as steps
// render their inputs. Safe for concurrent use (actions may log from goroutines).
type taintedRedactor struct {
	mu  sync.Mutex
	red *secret.Redactor
}

func (t *taintedRedactor) get() *secret.Redactor {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.red
}

func (t *taintedRedactor) add(values ...string) {
	if len(values) == 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.red = t.red.With(values...)
}

// secretDerived returns, for each string of with (an input rendered with secrets) that
// differs from without (the same input rendered without them), the part that differs once
// their common prefix and suffix are set aside: "x-S3CR3T" against "x-" gives "S3CR3T", so
// the template's own text around a secret stays readable.
func secretDerived(with, without any, out []string) []string {
	switch w := with.(type) {
	case string:
		wo, _ := without.(string)
		if w == wo {
			return out
		}
		p := 0
		for p < len(w) && p < len(wo) && w[p] == wo[p] {
			p++
		}
		q := 0
		for q < len(w)-p && q < len(wo)-p && w[len(w)-1-q] == wo[len(wo)-1-q] {
			q++
		}
		out = append(out, w[p:len(w)-q])
	case map[string]any:
		wo, _ := without.(map[string]any)
		for k, v := range w {
			out = secretDerived(v, wo[k], out)
		}
	case []any:
		wo, _ := without.([]any)
		for i, v := range w {
			var other any
			if i < len(wo) {
				other = wo[i]
			}
			out = secretDerived(v, other, out)
		}
	}
	return out
}

// stringLeaves returns every string inside v.
func stringLeaves(v any, out []string) []string {
	switch x := v.(type) {
	case string:
		out = append(out, x)
	case map[string]any:
		for _, val := range x {
			out = stringLeaves(val, out)
		}
	case []any:
		for _, val := range x {
			out = stringLeaves(val, out)
		}
	}
	return out
}

// rollbackTimeout bounds undoing one action.
const rollbackTimeout = 2 * time.Minute

// rollback undoes completed executions in reverse order; failures are logged, not fatal.
func (rn *Runner) rollback(ctx context.Context, completed []done, emit func(map[string]any)) {
	base := context.WithoutCancel(ctx)
	for i := len(completed) - 1; i >= 0; i-- {
		d := completed[i]
		u, ok := d.act.(action.Undoer)
		if !ok {
			continue
		}
		emit(map[string]any{"message": fmt.Sprintf("Rolling back step %s (%s)", d.step.ID, d.step.Action), "stepId": d.step.ID})
		uctx, cancel := context.WithTimeout(base, rollbackTimeout)
		err := u.Undo(uctx, d.actCtx, d.output)
		cancel()
		if err != nil {
			emit(map[string]any{"message": fmt.Sprintf("Rollback of step %s failed: %v", d.step.ID, err), "stepId": d.step.ID})
			rn.deps.Logger.Warn("rollback failed", "task", d.actCtx.TaskID, "step", d.step.ID, "err", err)
			continue
		}
		emit(map[string]any{"message": fmt.Sprintf("Rolled back step %s", d.step.ID), "stepId": d.step.ID})
	}
}

// filterOutputItems drops link and text items whose `if` is falsy, before rendering (an
// expression rendering to "" would otherwise vanish with its key).
func filterOutputItems(ctx context.Context, e *nunjucks.Engine, out map[string]any, vars map[string]any) (map[string]any, error) {
	res := make(map[string]any, len(out))
	for k, v := range out {
		res[k] = v
	}
	for _, key := range []string{"links", "text"} {
		items, ok := out[key].([]any)
		if !ok {
			continue
		}
		kept := []any{}
		for _, it := range items {
			if m, ok := it.(map[string]any); ok {
				if cond, has := m["if"]; has {
					ok, err := e.EvalCondition(ctx, cond, vars)
					if err != nil {
						return nil, fmt.Errorf("evaluate output %s if: %w", key, err)
					}
					if !ok {
						continue
					}
					c := make(map[string]any, len(m))
					for mk, mv := range m {
						if mk != "if" {
							c[mk] = mv
						}
					}
					it = c
				}
			}
			kept = append(kept, it)
		}
		res[key] = kept
	}
	return res, nil
}

func withKeys(base map[string]any, extra map[string]any) map[string]any {
	out := make(map[string]any, len(base)+len(extra))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func stringMap(m map[string]any) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k], _ = v.(string)
	}
	return out
}

// WithReader returns a runner like rn whose actions read through r (dry runs read uploaded
// template files).
func (rn *Runner) WithReader(r action.URLReader) *Runner {
	d := rn.deps
	d.Reader = r
	return &Runner{deps: d}
}

// exampleOutput makes a value matching a JSON Schema for dry runs of actions that cannot run:
// the first example, else a placeholder of the schema's type (as Backstage does).
// Objects list their properties in the schema's order, as Backstage builds them.
func exampleOutput(raw json.RawMessage) any {
	if len(raw) == 0 {
		return nil
	}
	schema, err := jsvalue.DecodeJSON(raw)
	if err != nil {
		return nil
	}
	s, ok := schema.(*jsvalue.Object)
	if !ok {
		return nil
	}
	return exampleOf(s)
}

func exampleOf(schema *jsvalue.Object) any {
	if ex, ok := field(schema, "examples").([]any); ok && len(ex) > 0 {
		return ex[0]
	}
	switch field(schema, "type") {
	case "object":
		out := jsvalue.NewObject(0)
		if props, ok := field(schema, "properties").(*jsvalue.Object); ok {
			for _, k := range props.Keys() {
				if m, ok := field(props, k).(*jsvalue.Object); ok {
					out.Set(k, exampleOf(m))
				}
			}
		}
		return out
	case "array":
		if items, ok := field(schema, "items").(*jsvalue.Object); ok {
			return []any{exampleOf(items)}
		}
		return []any{}
	case "string":
		return "<example>"
	case "number", "integer":
		return 0
	case "boolean":
		return false
	}
	return "<unknown>"
}

// redactSecretInput replaces the rendered values of input whose template mentions secrets
// (or mentions each when the step's each does) by "***", so a dry run does not hand back a
// secret transformed by a filter (`${{ secrets.token | b64encode }}`), which redacting known
// secret values would miss. raw is the input as written, rendered as the step got it.
func redactSecretInput(step template.Step, raw, rendered map[string]any) map[string]any {
	eachSecret := mentionsIn(step.Each, "secrets")
	var walk func(raw, v any) any
	walk = func(raw, v any) any {
		switch r := raw.(type) {
		case string:
			if mentions(r, "secrets") || (eachSecret && mentions(r, "each")) {
				return "***"
			}
			return v
		case map[string]any:
			m, ok := v.(map[string]any)
			if !ok {
				return v
			}
			out := make(map[string]any, len(m))
			for k, val := range m {
				out[k] = walk(r[k], val)
			}
			return out
		case []any:
			l, ok := v.([]any)
			if !ok || len(l) != len(r) {
				return v
			}
			out := make([]any, len(l))
			for i := range l {
				out[i] = walk(r[i], l[i])
			}
			return out
		}
		return v
	}
	out, _ := walk(raw, rendered).(map[string]any)
	if out == nil {
		out = map[string]any{}
	}
	return out
}

// field is o[k], undefined as nil.
func field(o *jsvalue.Object, k string) any {
	v, _ := o.Get(k)
	return v
}

// mentionsIn reports whether any string in v mentions name.
func mentionsIn(v any, name string) bool {
	switch x := v.(type) {
	case string:
		return mentions(x, name)
	case *jsvalue.Object:
		for _, k := range x.Keys() {
			if mentionsIn(field(x, k), name) {
				return true
			}
		}
	case map[string]any:
		for _, val := range x {
			if mentionsIn(val, name) {
				return true
			}
		}
	case []any:
		for _, val := range x {
			if mentionsIn(val, name) {
				return true
			}
		}
	}
	return false
}

// mentions is a cheap, conservative test: name appears in a template string.
func mentions(s, name string) bool { return strings.Contains(s, "{") && strings.Contains(s, name) }
