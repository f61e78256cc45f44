// Package usersettings is the user-settings plugin: per-user JSON values in buckets, with
// Backstage's user-settings backend API at /api/user-settings (GET, PUT and DELETE
// /buckets/{bucket}/keys/{key}). The UI keeps starred entities (bucket "starredEntities",
// key "entityRefs", as Backstage's catalog does) and recently visited pages there; other
// plugins use the public client package.
package usersettings

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/framework/apierr"
	"github.com/portico-dev/portico/framework/auth"
	"github.com/portico-dev/portico/framework/httpapi"
	"github.com/portico-dev/portico/plugins/usersettings/migrations"
)

// ID is the plugin's ID.
const ID = "user-settings"

// maxValueBytes bounds one stored value.
const maxValueBytes = 64 << 10

// Plugin returns the user-settings plugin.
func Plugin() framework.Plugin {
	return framework.Plugin{
		ID:         ID,
		Migrations: migrations.FS,
		Register: func(r *framework.PluginRegistrar) {
			r.RegisterInit(func(ctx context.Context, d *framework.Deps) error {
				r := framework.Resolve(ctx, d)
				db := framework.Need(r, framework.DatabaseService)
				router := framework.Need(r, framework.HTTPRouterService)
				log := framework.Need(r, framework.LoggerService)
				if err := r.Err(); err != nil {
					return err
				}
				Register(router, NewStore(db, nil), log)
				return nil
			})
		},
	}
}

// Register mounts the API on router.
func Register(router framework.HTTPRouter, s *Store, log *slog.Logger) {
	h := &handlers{s: s}
	api := httpapi.New(log, maxValueBytes)
	router.HandleFunc("GET /buckets/{bucket}/keys/{key}", api.Handle(h.get))
	router.HandleFunc("PUT /buckets/{bucket}/keys/{key}", api.Handle(h.put))
	router.HandleFunc("DELETE /buckets/{bucket}/keys/{key}", api.Handle(h.delete))
}

type handlers struct {
	s *Store
}

// user returns the signed-in user's entity ref: settings belong to users, so service and
// anonymous callers are refused, as Backstage does.
func user(r *http.Request) (string, error) {
	creds, _ := auth.FromContext(r.Context())
	u, ok := creds.User()
	if !ok {
		return "", apierr.Authentication("user settings need a signed-in user")
	}
	return u.UserEntityRef, nil
}

func (h *handlers) get(r *httpapi.Request) (any, error) {
	u, err := user(r.Request)
	if err != nil {
		return nil, err
	}
	s, err := h.s.Get(r.Context(), u, r.PathValue("bucket"), r.PathValue("key"))
	if err != nil {
		return nil, err
	}
	if s == nil {
		return nil, apierr.NotFound("Unable to find '%s' in bucket '%s'", r.PathValue("key"), r.PathValue("bucket"))
	}
	return s, nil
}

func (h *handlers) put(r *httpapi.Request) (any, error) {
	u, err := user(r.Request)
	if err != nil {
		return nil, err
	}
	var body struct {
		Value json.RawMessage `json:"value"`
	}
	if err := r.DecodeJSON(&body); err != nil {
		return nil, err
	}
	if len(body.Value) == 0 {
		return nil, apierr.Input(`Missing required field "value"`)
	}
	bucket, key := r.PathValue("bucket"), r.PathValue("key")
	if err := h.s.Set(r.Context(), u, bucket, key, body.Value); err != nil {
		return nil, err
	}
	return Setting{Bucket: bucket, Key: key, Value: body.Value}, nil
}

func (h *handlers) delete(r *httpapi.Request) (any, error) {
	u, err := user(r.Request)
	if err != nil {
		return nil, err
	}
	if _, err := h.s.Delete(r.Context(), u, r.PathValue("bucket"), r.PathValue("key")); err != nil {
		return nil, err
	}
	return httpapi.NoContent(), nil
}
