package framework

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/portico-dev/portico/framework/apierr"
	"github.com/portico-dev/portico/framework/httpapi"
	"github.com/portico-dev/portico/framework/scheduler"
)

// mountSchedulerRoutes serves Backstage's per-plugin scheduler API:
// GET /.backstage/scheduler/v1/tasks and POST /.backstage/scheduler/v1/tasks/{id}/trigger.
func mountSchedulerRoutes(r HTTPRouter, s *scheduler.Scheduler, log *slog.Logger) {
	api := httpapi.New(log, 0)
	r.HandleFunc("GET /.backstage/scheduler/v1/tasks", api.Handle(func(req *httpapi.Request) (any, error) {
		tasks, err := s.Tasks(req.Context())
		if err != nil {
			return nil, err
		}
		return map[string]any{"tasks": tasks}, nil
	}))
	r.HandleFunc("POST /.backstage/scheduler/v1/tasks/{id}/trigger", api.Handle(func(req *httpapi.Request) (any, error) {
		id := req.PathValue("id")
		err := s.Trigger(req.Context(), id)
		switch {
		case errors.Is(err, scheduler.ErrNotFound):
			return nil, apierr.NotFound("task %q does not exist", id)
		case errors.Is(err, scheduler.ErrConflict):
			return nil, apierr.Conflict("task %q is currently running", id)
		case err != nil:
			return nil, err
		}
		return httpapi.Empty(http.StatusOK), nil
	}))
}
