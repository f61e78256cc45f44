// Package service is the scaffolder's application layer: what the REST API and the web pages
// both call. It fetches templates from the catalog, validates values, creates, lists, cancels
// and retries tasks, streams their events and runs dry runs. It never writes SQL itself (the
// store does) and never runs steps itself (the worker does).
package service

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/portico-dev/portico/framework/apierr/errkind"
	"github.com/portico-dev/portico/framework/auth"
	"github.com/portico-dev/portico/framework/jsvalue"
	"github.com/portico-dev/portico/plugins/catalog/client"
	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/plugins/scaffolder/action"
	"github.com/portico-dev/portico/plugins/scaffolder/secret"
	"github.com/portico-dev/portico/plugins/scaffolder/store"
	"github.com/portico-dev/portico/plugins/scaffolder/template"
	"github.com/portico-dev/portico/plugins/scaffolder/worker"
)

// Errors the surfaces map to statuses: each is of an errkind kind, which apierr answers with
// Backstage's name and status and the text after "<sentinel>: " as the message.
var (
	// ErrNotFound: no such template or task (404).
	ErrNotFound = errkind.New(errkind.NotFound, "not found")
	// ErrInput: the request is malformed or invalid (400).
	ErrInput = errkind.New(errkind.Input, "invalid input")
	// ErrConflict: the task is in the wrong state (409).
	ErrConflict = errkind.New(errkind.Conflict, "conflict")
)

// Catalog is the part of the catalog client the service uses; *client.Client satisfies it.
type Catalog interface {
	GetEntityByRef(ctx context.Context, ref string) (*model.Entity, error)
	QueryEntities(ctx context.Context, filters []string, fields []string) ([]*model.Entity, error)
}

var _ Catalog = (*client.Client)(nil)

// Notifier wakes the local worker after a task is created, and stops a task it runs at once.
type Notifier interface {
	Notify()
	CancelLocal(taskID string)
}

// Options configure a Service.
type Options struct {
	Store   *store.Store
	Box     *secret.Box
	Catalog Catalog
	// Templates reads template entities (CatalogHTTP in production).
	Templates TemplateSource
	Actions   *action.Registry
	Runner    *worker.Runner
	// RunnerReader is the reader dry runs fall back to for URLs outside the uploaded files.
	RunnerReader action.URLReader
	Worker       Notifier // may be nil (no local worker)
	Logger       *slog.Logger
	// DryRunDir holds dry runs' temporary directories.
	DryRunDir string
	// DryRunBytes bounds a dry run: the files its workspace may hold, and the size of its
	// answer (scaffolder.limits.dryRunBytes, default 16 MiB).
	DryRunBytes int64
	// DryRunTimeout bounds a dry run's time (scaffolder.limits.dryRunTimeout, default 2 min).
	DryRunTimeout time.Duration
	// Templater is the templating engine (its filters are listed at templating-extensions).
	Templater interface{ FilterNames() []string }
	// Permissions authorizes task operations; nil allows everything.
	Permissions Authorizer
	// Poll is how often event waits look at the store (default 500 ms).
	Poll time.Duration
}

// Service implements the scaffolder's operations.
type Service struct{ o Options }

// New returns a service.
func New(o Options) *Service {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Poll <= 0 {
		o.Poll = 500 * time.Millisecond
	}
	if o.DryRunBytes <= 0 {
		o.DryRunBytes = DefaultDryRunBytes
	}
	if o.DryRunTimeout <= 0 {
		o.DryRunTimeout = DefaultDryRunTimeout
	}
	return &Service{o: o}
}

// Caller is who makes a request, from the request's credentials.
type Caller struct {
	Ref   string // user entity ref, "" for services
	Token string // the user's token, passed to actions as secrets.backstageToken
}

// CallerFrom reads the caller from ctx (set by the framework's auth middleware).
func CallerFrom(ctx context.Context) Caller {
	creds, ok := auth.FromContext(ctx)
	if !ok {
		return Caller{}
	}
	if u, ok := creds.User(); ok {
		return Caller{Ref: u.UserEntityRef, Token: u.Token}
	}
	return Caller{}
}

// LoadedTemplate is a template with where it came from.
type LoadedTemplate struct {
	*template.Template
	BaseURL string
}

// Template fetches and parses a template entity from the catalog. ref may be short
// ("name", "ns/name"); the kind defaults to template.
func (s *Service) Template(ctx context.Context, ref string) (*LoadedTemplate, error) {
	r, err := model.ParseEntityRef(ref, model.RefContext{DefaultKind: "template", DefaultNamespace: "default"})
	if err != nil {
		return nil, fmt.Errorf("%w: templateRef: %w", ErrInput, err)
	}
	if !strings.EqualFold(r.Kind, "template") {
		return nil, fmt.Errorf("%w: templateRef %q is not a template", ErrInput, ref)
	}
	full := "template:" + r.Namespace + "/" + r.Name
	raw, err := s.o.Templates.RawEntity(ctx, "template", r.Namespace, r.Name)
	if err != nil {
		return nil, fmt.Errorf("fetch template %s: %w", full, err)
	}
	if raw == nil {
		return nil, fmt.Errorf("%w: Template %s not found", ErrNotFound, full)
	}
	t, err := template.ParseDocument(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInput, err)
	}
	s.recoverOrder(ctx, t)
	return &LoadedTemplate{Template: t, BaseURL: baseURLOf(t.Entity)}, nil
}

// ParameterSchema is GET /v2/templates/:ns/:kind/:name/parameter-schema.
func (s *Service) ParameterSchema(ctx context.Context, namespace, kind, name string) (OrderedObject, error) {
	t, err := s.Template(ctx, kind+":"+namespace+"/"+name)
	if err != nil {
		return nil, err
	}
	return ParameterSchemaOf(t.Template), nil
}

// ParameterSchemaOf builds the parameter-schema response of a template as Backstage writes it:
// its keys in Backstage's order, and those Backstage leaves undefined (a missing description,
// ui:options or formDecorators) left out rather than null or empty.
func ParameterSchemaOf(t *template.Template) OrderedObject {
	steps := []any{}
	for _, p := range t.Pages {
		title, _ := p["title"].(string)
		if title == "" {
			title = "Please enter the following information"
		}
		step := OrderedObject{{"title", title}}
		if d, ok := p["description"]; ok {
			step = append(step, Field{"description", d})
		}
		steps = append(steps, append(step, Field{"schema", p}))
	}
	out := OrderedObject{{"title", t.DisplayTitle()}}
	if t.Presentation != nil {
		out = append(out, Field{"presentation", t.Presentation})
	}
	if t.Description != "" {
		out = append(out, Field{"description", t.Description})
	}
	if t.UIOptions != nil {
		out = append(out, Field{"ui:options", t.UIOptions})
	}
	out = append(out, Field{"steps", steps})
	if t.FormDecorators != nil {
		out = append(out, Field{"formDecorators", t.FormDecorators})
	}
	return out
}

// Field is one key of an OrderedObject.
type Field struct {
	Key   string
	Value any
}

// OrderedObject is a JSON object written with its keys in order.
type OrderedObject []Field

// MarshalJSON writes the object's keys in order.
func (o OrderedObject) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(f.Key)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(f.Value)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// ActionInfo is one entry of GET /v2/actions.
type ActionInfo struct {
	ID          string           `json:"id"`
	Description string           `json:"description"`
	Examples    []action.Example `json:"examples"`
	Schema      map[string]any   `json:"schema"`
}

// Actions lists the registered actions, sorted by id.
func (s *Service) Actions() []ActionInfo {
	var out []ActionInfo
	for _, a := range s.o.Actions.List() {
		info := ActionInfo{ID: a.ID(), Description: a.Description(), Examples: []action.Example{}, Schema: map[string]any{}}
		if ex, ok := a.(action.Exampler); ok && ex.Examples() != nil {
			info.Examples = ex.Examples()
		}
		sch := a.Schema()
		if len(sch.Input) > 0 {
			info.Schema["input"] = json.RawMessage(sch.Input)
		}
		if len(sch.Output) > 0 {
			info.Schema["output"] = json.RawMessage(sch.Output)
		}
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// CreateRequest is the body of POST /v2/tasks.
type CreateRequest struct {
	TemplateRef string            `json:"templateRef"`
	Values      *jsvalue.Object   `json:"values"` // in the order submitted: templates may dump or walk them
	Secrets     map[string]string `json:"secrets"`
}

// CreateTask validates the values against the template and stores an open task.
func (s *Service) CreateTask(ctx context.Context, req CreateRequest) (string, error) {
	if err := s.authorize(ctx, PermissionTaskCreate); err != nil {
		return "", err
	}
	if req.TemplateRef == "" {
		return "", fmt.Errorf("%w: templateRef is required", ErrInput)
	}
	t, err := s.Template(ctx, req.TemplateRef)
	if err != nil {
		return "", err
	}
	if req.Values == nil {
		req.Values = jsvalue.NewObject(0)
	}
	if err := t.ValidateValues(jsvalue.Plain(req.Values).(map[string]any)); err != nil {
		return "", err
	}
	if err := t.ValidateSecrets(req.Secrets); err != nil {
		return "", err
	}
	caller := CallerFrom(ctx)
	spec := t.TaskSpec(req.Values, s.userOf(ctx, caller), t.BaseURL)
	return s.create(ctx, spec, req.Secrets, caller)
}

// userOf is the task's user: the caller's ref and, when the catalog has it, their entity
// (templates read ${{ user.entity.* }}, in tasks and dry runs alike).
func (s *Service) userOf(ctx context.Context, caller Caller) template.User {
	user := template.User{Ref: caller.Ref}
	if caller.Ref != "" {
		if e, err := s.o.Catalog.GetEntityByRef(ctx, caller.Ref); err == nil && e != nil {
			user.Entity, _ = action.JSONObject(e.Value())
		}
	}
	return user
}

func (s *Service) create(ctx context.Context, spec template.TaskSpec, secrets map[string]string, caller Caller) (string, error) {
	blob, err := json.Marshal(spec)
	if err != nil {
		return "", err
	}
	sealed, err := s.o.Box.Seal(withToken(secrets, caller))
	if err != nil {
		return "", fmt.Errorf("seal secrets: %w", err)
	}
	id, err := s.o.Store.Create(ctx, store.NewTask{Spec: blob, CreatedBy: caller.Ref, Secrets: sealed, RecoverStrategy: spec.RecoverStrategy()})
	if err != nil {
		return "", err
	}
	if s.o.Worker != nil {
		s.o.Worker.Notify()
	}
	return id, nil
}

func withToken(secrets map[string]string, caller Caller) map[string]string {
	out := make(map[string]string, len(secrets)+1)
	for k, v := range secrets {
		out[k] = v
	}
	if caller.Token != "" {
		out["backstageToken"] = caller.Token
	}
	return out
}

// Task returns one task.
func (s *Service) Task(ctx context.Context, id string) (store.Task, error) {
	if err := s.authorize(ctx, PermissionTaskRead); err != nil {
		return store.Task{}, err
	}
	t, err := s.o.Store.Get(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return t, fmt.Errorf("%w: Task with id %s does not exist", ErrNotFound, id)
	}
	return t, err
}

// Tasks lists tasks.
func (s *Service) Tasks(ctx context.Context, o store.ListOptions) ([]store.Task, int, error) {
	if err := s.authorize(ctx, PermissionTaskRead); err != nil {
		return nil, 0, err
	}
	tasks, total, err := s.o.Store.List(ctx, o)
	if errors.Is(err, store.ErrBadOrder) {
		return nil, 0, fmt.Errorf("%w: %w", ErrInput, err)
	}
	return tasks, total, err
}

// Events returns the task's events after the given id (the current run's only).
func (s *Service) Events(ctx context.Context, id string, after int64, includeCompletion bool) ([]store.Event, error) {
	if _, err := s.Task(ctx, id); err != nil {
		return nil, err
	}
	return s.o.Store.ListEvents(ctx, id, after, includeCompletion)
}

// WaitEvents returns events after `after`, waiting up to wait for one to appear; the
// completion event is always included (Backstage's /events long poll).
func (s *Service) WaitEvents(ctx context.Context, id string, after int64, wait time.Duration) ([]store.Event, error) {
	deadline := time.Now().Add(wait)
	for {
		evs, err := s.Events(ctx, id, after, true)
		if err != nil || len(evs) > 0 || !time.Now().Before(deadline) {
			return evs, err
		}
		select {
		case <-ctx.Done():
			return []store.Event{}, nil
		case <-time.After(s.o.Poll):
		}
	}
}

// PollInterval is how often streams look for new events.
func (s *Service) PollInterval() time.Duration { return s.o.Poll }

// Cancel asks a task to stop.
func (s *Service) Cancel(ctx context.Context, id string) error {
	if err := s.authorize(ctx, PermissionTaskCancel); err != nil {
		return err
	}
	t, err := s.Task(ctx, id)
	if err != nil {
		return err
	}
	body := map[string]any{"message": "Task has been cancelled.", "status": "cancelled"}
	if t.Status == store.StatusProcessing {
		if step := s.currentStep(ctx, id); step != "" {
			body = map[string]any{"message": fmt.Sprintf("Step %s has been cancelled.", step), "stepId": step, "status": "cancelled"}
		}
	}
	err = s.o.Store.Cancel(ctx, id, body)
	if errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("%w: task %s has already finished", ErrConflict, id)
	}
	if err == nil && s.o.Worker != nil {
		s.o.Worker.CancelLocal(id)
	}
	return err
}

// currentStep returns the step that last reported processing.
func (s *Service) currentStep(ctx context.Context, id string) string {
	evs, err := s.o.Store.ListEvents(ctx, id, 0, false)
	if err != nil {
		return ""
	}
	step := ""
	for _, ev := range evs {
		var b struct {
			StepID string `json:"stepId"`
			Status string `json:"status"`
		}
		if json.Unmarshal(ev.Body, &b) == nil && b.Status == "processing" {
			step = b.StepID
		}
	}
	return step
}

// Retry runs a finished task again from the start.
func (s *Service) Retry(ctx context.Context, id string, secrets map[string]string) error {
	if err := s.authorize(ctx, PermissionTaskCreate); err != nil {
		return err
	}
	if _, err := s.Task(ctx, id); err != nil {
		return err
	}
	sealed, err := s.o.Box.Seal(withToken(secrets, CallerFrom(ctx)))
	if err != nil {
		return err
	}
	err = s.o.Store.Retry(ctx, id, sealed)
	if errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("%w: task %s is still running", ErrConflict, id)
	}
	if err == nil && s.o.Worker != nil {
		s.o.Worker.Notify()
	}
	return err
}

// QueryEntities reads catalog entities (the UI's pickers and template list use it).
func (s *Service) QueryEntities(ctx context.Context, filters, fields []string) ([]*model.Entity, error) {
	return s.o.Catalog.QueryEntities(ctx, filters, fields)
}

// TemplatingExtensions is GET /v2/templating-extensions: the filters and globals templates
// may use (Portico lists names; descriptions and schemas are not kept).
func (s *Service) TemplatingExtensions() map[string]any {
	filters := map[string]any{}
	if s.o.Templater != nil {
		for _, n := range s.o.Templater.FilterNames() {
			filters[n] = map[string]any{}
		}
	}
	return map[string]any{"filters": filters, "globals": map[string]any{"functions": map[string]any{}, "values": map[string]any{}}}
}
