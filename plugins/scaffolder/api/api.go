// Package api serves the scaffolder's REST API at /api/scaffolder with Backstage's paths,
// request and response shapes: parameter schemas, actions, tasks (create, list, get, cancel,
// retry), task events as SSE and long poll, and dry runs.
package api

import (
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
	"github.com/portico-dev/portico/framework/httpbody"
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
	log  *slog.Logger
	opts Options
}

// maxBody bounds request bodies (Backstage's dry-run limit is 10 MB).
const maxBody = 10 << 20

// Register mounts the routes on router.
func Register(router framework.HTTPRouter, svc *service.Service, log *slog.Logger, opts Options) {
	if opts.LongPollWait <= 0 {
		opts.LongPollWait = 30 * time.Second
	}
	h := &handler{svc: svc, log: log, opts: opts}
	router.HandleFunc("GET /v2/templates/{namespace}/{kind}/{name}/parameter-schema", h.parameterSchema)
	router.HandleFunc("GET /v2/actions", h.actions)
	router.HandleFunc("POST /v2/tasks", h.createTask)
	router.HandleFunc("GET /v2/tasks", h.listTasks)
	router.HandleFunc("GET /v2/tasks/{taskId}", h.getTask)
	router.HandleFunc("POST /v2/tasks/{taskId}/cancel", h.cancelTask)
	router.HandleFunc("POST /v2/tasks/{taskId}/retry", h.retryTask)
	router.HandleFunc("GET /v2/tasks/{taskId}/eventstream", h.eventStream)
	router.HandleFunc("GET /v2/tasks/{taskId}/events", h.events)
	router.HandleFunc("POST /v2/dry-run", h.dryRun)
	router.HandleFunc("POST /v2/autocomplete/{provider}/{resource}", h.autocomplete)
	router.HandleFunc("GET /v2/templating-extensions", func(w http.ResponseWriter, _ *http.Request) {
		h.writeJSON(w, http.StatusOK, svc.TemplatingExtensions())
	})
}

func (h *handler) writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		h.log.Debug("write response", "err", err)
	}
}

// fail maps service errors to Backstage's error body. Validation failures also carry the
// validator's list under "errors", as Backstage answers them.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ve *template.ValidationErrors
	if errors.As(err, &ve) {
		body := map[string]any{
			"error":    map[string]any{"name": "InputError", "message": ve.Error()},
			"request":  map[string]any{"method": r.Method, "url": apierr.OriginalURL(r)},
			"response": map[string]any{"statusCode": http.StatusBadRequest},
			"errors":   ve.Errors,
		}
		h.writeJSON(w, http.StatusBadRequest, body)
		return
	}
	switch {
	case errors.Is(err, service.ErrNotFound):
		err = apierr.NotFound("%s", trimSentinel(err, service.ErrNotFound))
	case errors.Is(err, service.ErrInput), errors.Is(err, template.ErrInvalid):
		err = apierr.Input("%s", trimSentinel(err, service.ErrInput))
	case errors.Is(err, service.ErrNotAllowed):
		err = apierr.NotAllowed("%s", trimSentinel(err, service.ErrNotAllowed))
	case errors.Is(err, service.ErrConflict):
		err = apierr.Conflict("%s", trimSentinel(err, service.ErrConflict))
	}
	apierr.Write(w, r, h.log, err)
}

// trimSentinel drops the leading "<sentinel>: " from a wrapped error's message.
func trimSentinel(err, sentinel error) string {
	msg := err.Error()
	prefix := sentinel.Error() + ": "
	if len(msg) > len(prefix) && msg[:len(prefix)] == prefix {
		return msg[len(prefix):]
	}
	return msg
}

// decode decodes a request's JSON body with the framework's rules (size limit, no NUL
// character, well-formed JSON; an empty body leaves v unchanged).
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	return httpbody.DecodeJSON(w, r, maxBody, v)
}

func (h *handler) parameterSchema(w http.ResponseWriter, r *http.Request) {
	out, err := h.svc.ParameterSchema(r.Context(), r.PathValue("namespace"), r.PathValue("kind"), r.PathValue("name"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, http.StatusOK, out)
}

func (h *handler) actions(w http.ResponseWriter, r *http.Request) {
	list := h.svc.Actions()
	if list == nil {
		list = []service.ActionInfo{}
	}
	h.writeJSON(w, http.StatusOK, list)
}

func (h *handler) createTask(w http.ResponseWriter, r *http.Request) {
	var req service.CreateRequest
	if err := decode(w, r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	id, err := h.svc.CreateTask(r.Context(), req)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, http.StatusCreated, map[string]string{"id": id})
}

func (h *handler) listTasks(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	opts := store.ListOptions{CreatedBy: q["createdBy"], Order: q["order"]}
	for _, s := range q["status"] {
		if !store.ValidStatus(s) {
			h.fail(w, r, fmt.Errorf("%w: invalid status %q", service.ErrInput, s))
			return
		}
		opts.Status = append(opts.Status, store.Status(s))
	}
	var err error
	if opts.Limit, err = intParam(q.Get("limit")); err != nil {
		h.fail(w, r, fmt.Errorf("%w: limit: %w", service.ErrInput, err))
		return
	}
	if opts.Offset, err = intParam(q.Get("offset")); err != nil {
		h.fail(w, r, fmt.Errorf("%w: offset: %w", service.ErrInput, err))
		return
	}
	tasks, total, err := h.svc.Tasks(r.Context(), opts)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, http.StatusOK, map[string]any{"tasks": tasks, "totalTasks": total})
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

func (h *handler) getTask(w http.ResponseWriter, r *http.Request) {
	t, err := h.svc.Task(r.Context(), r.PathValue("taskId"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, http.StatusOK, t)
}

func (h *handler) cancelTask(w http.ResponseWriter, r *http.Request) {
	if err := h.svc.Cancel(r.Context(), r.PathValue("taskId")); err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, http.StatusOK, map[string]string{"status": "cancelled"})
}

func (h *handler) retryTask(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Secrets map[string]string `json:"secrets"`
	}
	if err := decode(w, r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	id := r.PathValue("taskId")
	if err := h.svc.Retry(r.Context(), id, req.Secrets); err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, http.StatusCreated, map[string]string{"id": id})
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
func (h *handler) events(w http.ResponseWriter, r *http.Request) {
	after, err := afterParam(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	evs, err := h.svc.WaitEvents(r.Context(), r.PathValue("taskId"), after, h.opts.LongPollWait)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.writeJSON(w, http.StatusOK, evs)
}

// eventStream sends the task's events as Server-Sent Events: every stored event after
// `after`, then new ones as they are recorded; the response ends after a completion event
// (unless it says the task is recoverable). No SSE id lines, no heartbeats, as in Backstage.
func (h *handler) eventStream(w http.ResponseWriter, r *http.Request) {
	after, err := afterParam(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	id := r.PathValue("taskId")
	evs, err := h.svc.Events(r.Context(), id, after, false)
	if err != nil {
		h.fail(w, r, err)
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

func (h *handler) dryRun(w http.ResponseWriter, r *http.Request) {
	var req service.DryRunRequest
	if err := decode(w, r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	res, err := h.svc.DryRun(r.Context(), req)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	b, err := res.JSON()
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write(append(b, '\n')); err != nil {
		h.log.Debug("write response", "err", err)
	}
}

// autocomplete answers Backstage's autocomplete route; Portico has no providers yet.
func (h *handler) autocomplete(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Token string `json:"token"`
	}
	if err := decode(w, r, &req); err != nil {
		h.fail(w, r, err)
		return
	}
	if req.Token == "" {
		h.fail(w, r, fmt.Errorf("%w: token is required", service.ErrInput))
		return
	}
	h.fail(w, r, fmt.Errorf("%w: Unsupported provider: %s", service.ErrInput, r.PathValue("provider")))
}
