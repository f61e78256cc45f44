// Package usersettings is the user-settings plugin: per-user JSON values in buckets, with
// Backstage's user-settings backend API at /api/user-settings (GET, PUT and DELETE
// /buckets/{bucket}/keys/{key}). The UI keeps starred entities (bucket "starredEntities",
// key "entityRefs", as Backstage's catalog does) and recently visited pages there; other
// plugins use the public client package.
package usersettings

import (
	"context"
	"encoding/json"
	"io/fs"
	"log/slog"
	"net/http"

	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/framework/apierr"
	"github.com/portico-dev/portico/framework/auth"
	"github.com/portico-dev/portico/framework/httpbody"
	"github.com/portico-dev/portico/plugins/usersettings/migrations"
)

// ID is the plugin's ID.
const ID = "user-settings"

// maxValueBytes bounds one stored value.
const maxValueBytes = 64 << 10

// Plugin returns the user-settings plugin.
func Plugin() framework.Plugin {
	sub, err := fs.Sub(migrations.FS, ".")
	if err != nil {
		panic(err) // embedded at compile time
	}
	return framework.Plugin{
		ID:         ID,
		Migrations: sub,
		Register: func(r *framework.PluginRegistrar) {
			r.RegisterInit(func(ctx context.Context, d *framework.Deps) error {
				db, err := framework.Use(ctx, d, framework.DatabaseService)
				if err != nil {
					return err
				}
				router, err := framework.Use(ctx, d, framework.HTTPRouterService)
				if err != nil {
					return err
				}
				log, err := framework.Use(ctx, d, framework.LoggerService)
				if err != nil {
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
	h := &handlers{s: s, log: log}
	router.HandleFunc("GET /buckets/{bucket}/keys/{key}", h.get)
	router.HandleFunc("PUT /buckets/{bucket}/keys/{key}", h.put)
	router.HandleFunc("DELETE /buckets/{bucket}/keys/{key}", h.delete)
}

type handlers struct {
	s   *Store
	log *slog.Logger
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

func (h *handlers) get(w http.ResponseWriter, r *http.Request) {
	u, err := user(r)
	if err != nil {
		apierr.Write(w, r, h.log, err)
		return
	}
	s, err := h.s.Get(r.Context(), u, r.PathValue("bucket"), r.PathValue("key"))
	if err != nil {
		apierr.Write(w, r, h.log, err)
		return
	}
	if s == nil {
		apierr.Write(w, r, h.log, apierr.NotFound("Unable to find '%s' in bucket '%s'", r.PathValue("key"), r.PathValue("bucket")))
		return
	}
	writeJSON(w, http.StatusOK, s)
}

func (h *handlers) put(w http.ResponseWriter, r *http.Request) {
	u, err := user(r)
	if err != nil {
		apierr.Write(w, r, h.log, err)
		return
	}
	var body struct {
		Value json.RawMessage `json:"value"`
	}
	if err := httpbody.DecodeJSON(w, r, maxValueBytes, &body); err != nil {
		apierr.Write(w, r, h.log, err)
		return
	}
	if len(body.Value) == 0 {
		apierr.Write(w, r, h.log, apierr.Input(`Missing required field "value"`))
		return
	}
	bucket, key := r.PathValue("bucket"), r.PathValue("key")
	if err := h.s.Set(r.Context(), u, bucket, key, body.Value); err != nil {
		apierr.Write(w, r, h.log, err)
		return
	}
	writeJSON(w, http.StatusOK, Setting{Bucket: bucket, Key: key, Value: body.Value})
}

func (h *handlers) delete(w http.ResponseWriter, r *http.Request) {
	u, err := user(r)
	if err != nil {
		apierr.Write(w, r, h.log, err)
		return
	}
	if _, err := h.s.Delete(r.Context(), u, r.PathValue("bucket"), r.PathValue("key")); err != nil {
		apierr.Write(w, r, h.log, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
