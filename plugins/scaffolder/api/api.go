// Package api serves the scaffolder's REST API at /api/scaffolder with Backstage's paths,
// request and response shapes: parameter schemas, actions, tasks (create, list, get, cancel,
// retry), task events as SSE and long poll, and dry runs.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/framework/apierr"
	"github.com/portico-dev/portico/framework/httpapi"
	"github.com/portico-dev/portico/plugins/scaffolder/service"
	"github.com/portico-dev/portico/plugins/scaffolder/store"
	"github.com/portico-dev/portico/plugins/scaffolder/template"
)

// Options tune the API.
type Options struct {
	// LongPollWait is how long GET /v2/tasks/:id/events waits for an event (default 30 s).
	LongPollWait time.Duration
}

type handler struct {
	svc  *service.Service
	api  *httpapi.API
	opts Options
}

// maxBody bounds request bodies (Backstage's dry-run limit is 10 MB).
const maxBody = 10 << 20

// Register mounts the routes on router.
func Register(router framework.HTTPRouter, svc *service.Service, log *slog.Logger, opts Options) {
	if opts.LongPollWait <= 0 {
		opts.LongPollWait = 30 * time.Second
	}
	h := &handler{svc: svc, api: httpapi.New(log, maxBody), opts: opts}
	handle := func(fn httpapi.Func) http.HandlerFunc { return h.api.Handle(withValidationErrors(fn)) }
	router.HandleFunc("GET /v2/templates/{namespace}/{kind}/{name}/parameter-schema", handle(h.parameterSchema))
	router.HandleFunc("GET /v2/actions", handle(h.actions))
	router.HandleFunc("POST /v2/tasks", handle(h.createTask))
	router.HandleFunc("GET /v2/tasks", handle(h.listTasks))
	router.HandleFunc("GET /v2/tasks/{taskId}", handle(h.getTask))
	router.HandleFunc("POST /v2/tasks/{taskId}/cancel", handle(h.cancelTask))
	router.HandleFunc("POST /v2/tasks/{taskId}/retry", handle(h.retryTask))
	router.HandleFunc("GET /v2/tasks/{taskId}/eventstream", h.eventStream) // server-sent events: not a Func
	router.HandleFunc("GET /v2/tasks/{taskId}/events", handle(h.events))
	router.HandleFunc("POST /v2/dry-run", handle(h.dryRun))
	router.HandleFunc("POST /v2/autocomplete/{provider}/{resource}", handle(h.autocomplete))
	router.HandleFunc("GET /v2/templating-extensions", handle(func(*httpapi.Request) (any, error) {
		return svc.TemplatingExtensions(), nil
	}))
}

// withValidationErrors answers a template validation failure as Backstage does: a 400
// InputError that also carries the validator's list under "errors". Every other error is
// of an errkind kind (the service's sentinels) or internal, and apierr maps it.
func withValidationErrors(fn httpapi.Func) httpapi.Func {
	return func(r *httpapi.Request) (any, error) {
		v, err := fn(r)
		var ve *template.ValidationErrors
		if errors.As(err, &ve) {
			return nil, &apierr.Error{Name: "InputError", Status: http.StatusBadRequest, Message: ve.Error(), Errors: ve.Errors, Cause: err}
		}
		return v, err
	}
}

func (h *handler) parameterSchema(r *httpapi.Request) (any, error) {
	out, err := h.svc.ParameterSchema(r.Context(), r.PathValue("namespace"), r.PathValue("kind"), r.PathValue("name"))
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (h *handler) actions(r *httpapi.Request) (any, error) {
	list := h.svc.Actions()
	if list == nil {
		list = []service.ActionInfo{}
	}
	return list, nil
}

// callWithBody decodes the request's JSON body and calls fn with it.
func callWithBody[Req, Res any](r *httpapi.Request, fn func(context.Context, Req) (Res, error)) (Res, error) {
	var req Req
	if err := r.DecodeJSON(&req); err != nil {
		var zero Res
		return zero, err
	}
	return fn(r.Context(), req)
}

func (h *handler) createTask(r *httpapi.Request) (any, error) {
	id, err := callWithBody(r, h.svc.CreateTask)
	if err != nil {
		return nil, err
	}
	return httpapi.Created(map[string]string{"id": id}), nil
}

func (h *handler) listTasks(r *httpapi.Request) (any, error) {
	q := r.URL.Query()
	opts := store.ListOptions{CreatedBy: q["createdBy"], Order: q["order"]}
	for _, s := range q["status"] {
		if !store.ValidStatus(s) {
			return nil, fmt.Errorf("%w: invalid status %q", service.ErrInput, s)
		}
		opts.Status = append(opts.Status, store.Status(s))
	}
	var err error
	if opts.Limit, err = intParam(q.Get("limit")); err != nil {
		return nil, fmt.Errorf("%w: limit: %w", service.ErrInput, err)
	}
	if opts.Offset, err = intParam(q.Get("offset")); err != nil {
		return nil, fmt.Errorf("%w: offset: %w", service.ErrInput, err)
	}
	tasks, total, err := h.svc.Tasks(r.Context(), opts)
	if err != nil {
		return nil, err
	}
	return map[string]any{"tasks": tasks, "totalTasks": total}, nil
}

func intParam(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("want a non-negative integer, got %q", s)
	}
	return n, nil
}

func (h *handler) getTask(r *httpapi.Request) (any, error) {
	t, err := h.svc.Task(r.Context(), r.PathValue("taskId"))
	if err != nil {
		return nil, err
	}
	return t, nil
}

func (h *handler) cancelTask(r *httpapi.Request) (any, error) {
	if err := h.svc.Cancel(r.Context(), r.PathValue("taskId")); err != nil {
		return nil, err
	}
	return map[string]string{"status": "cancelled"}, nil
}

func (h *handler) retryTask(r *httpapi.Request) (any, error) {
	var req struct {
		Secrets map[string]string `json:"secrets"`
	}
	if err := r.DecodeJSON(&req); err != nil {
		return nil, err
	}
	id := r.PathValue("taskId")
	if err := h.svc.Retry(r.Context(), id, req.Secrets); err != nil {
		return nil, err
	}
	return httpapi.Created(map[string]string{"id": id}), nil
}

func afterParam(r *http.Request) (int64, error) {
	s := r.URL.Query().Get("after")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: after: want an event id, got %q", service.ErrInput, s)
	}
	return n, nil
}

// events is the long poll: events after `after`, waiting up to 30 s; always includes the
// completion event of a finished run.
func (h *handler) events(r *httpapi.Request) (any, error) {
	after, err := afterParam(r.Request)
	if err != nil {
		return nil, err
	}
	evs, err := h.svc.WaitEvents(r.Context(), r.PathValue("taskId"), after, h.opts.LongPollWait)
	if err != nil {
		return nil, err
	}
	return evs, nil
}

// eventStream sends the task's events as Server-Sent Events: every stored event after
// `after`, then new ones as they are recorded; the response ends after a completion event
// (unless it says the task is recoverable). No SSE id lines, no heartbeats, as in Backstage.
func (h *handler) eventStream(w http.ResponseWriter, r *http.Request) {
	after, err := afterParam(r)
	if err != nil {
		h.api.Error(w, r, err)
		return
	}
	id := r.PathValue("taskId")
	evs, err := h.svc.Events(r.Context(), id, after, false)
	if err != nil {
		h.api.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Connection", "keep-alive")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	if flusher != nil {
		flusher.Flush()
	}
	ctx := r.Context()
	for {
		for _, ev := range evs {
			if err := writeSSE(w, ev); err != nil {
				return
			}
			after = ev.ID
			if ev.Type == store.EventCompletion && !recoverable(ev.Body) {
				if flusher != nil {
					flusher.Flush()
				}
				return
			}
		}
		if flusher != nil && len(evs) > 0 {
			flusher.Flush()
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(h.svc.PollInterval()):
		}
		evs, err = h.svc.Events(ctx, id, after, false)
		if err != nil {
			return
		}
	}
}

// WriteSSE writes one event in Backstage's SSE format.
func writeSSE(w io.Writer, ev store.Event) error {
	data, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "event: %s\ndata: %s\n\n", ev.Type, data)
	return err
}

func recoverable(body json.RawMessage) bool {
	var b struct {
		IsTaskRecoverable bool `json:"isTaskRecoverable"`
	}
	return json.Unmarshal(body, &b) == nil && b.IsTaskRecoverable
}

func (h *handler) dryRun(r *httpapi.Request) (any, error) {
	res, err := callWithBody(r, h.svc.DryRun)
	if err != nil {
		return nil, err
	}
	b, err := res.JSON()
	if err != nil {
		return nil, err
	}
	return json.RawMessage(b), nil
}

// autocomplete answers Backstage's autocomplete route; Portico has no providers yet.
func (h *handler) autocomplete(r *httpapi.Request) (any, error) {
	var req struct {
		Token string `json:"token"`
	}
	if err := r.DecodeJSON(&req); err != nil {
		return nil, err
	}
	if req.Token == "" {
		return nil, fmt.Errorf("%w: token is required", service.ErrInput)
	}
	return nil, fmt.Errorf("%w: Unsupported provider: %s", service.ErrInput, r.PathValue("provider"))
}
