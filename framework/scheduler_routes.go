package framework

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/portico-dev/portico/framework/apierr"
	"github.com/portico-dev/portico/framework/scheduler"
)

// mountSchedulerRoutes serves Backstage's per-plugin scheduler API:
// GET /.backstage/scheduler/v1/tasks and POST /.backstage/scheduler/v1/tasks/{id}/trigger.
func mountSchedulerRoutes(r HTTPRouter, s *scheduler.Scheduler, log *slog.Logger) {
	r.HandleFunc("GET /.backstage/scheduler/v1/tasks", func(w http.ResponseWriter, req *http.Request) {
		tasks, err := s.Tasks(req.Context())
		if err != nil {
			apierr.Write(w, req, log, err)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_ = json.NewEncoder(w).Encode(map[string]any{"tasks": tasks})
	})
	r.HandleFunc("POST /.backstage/scheduler/v1/tasks/{id}/trigger", func(w http.ResponseWriter, req *http.Request) {
		id := req.PathValue("id")
		err := s.Trigger(req.Context(), id)
		switch {
		case errors.Is(err, scheduler.ErrNotFound):
			apierr.Write(w, req, log, apierr.NotFound("task %q does not exist", id))
		case errors.Is(err, scheduler.ErrConflict):
			apierr.Write(w, req, log, apierr.Conflict("task %q is currently running", id))
		case err != nil:
			apierr.Write(w, req, log, err)
		default:
			w.WriteHeader(http.StatusOK)
		}
	})
}
