package usersettings

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/framework/auth"
	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/database/databasetest"
	"github.com/portico-dev/portico/plugins/usersettings/migrations"
)

// muxRouter is the HTTPRouter part the handlers need, over a plain ServeMux.
type muxRouter struct{ *http.ServeMux }

func (m muxRouter) AddAuthPolicy(framework.AuthPolicy) {}

func migrated(t *testing.T, db *database.DB) *Store {
	t.Helper()
	if err := db.Migrate(t.Context(), migrations.FS); err != nil {
		t.Fatal(err)
	}
	return NewStore(db, nil)
}

func TestAPI(t *testing.T) {
	databasetest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		mux := muxRouter{http.NewServeMux()}
		Register(mux, migrated(t, db), slog.New(slog.DiscardHandler))
		as := func(creds auth.Credentials) func(method, path, body string) (int, string) {
			return func(method, path, body string) (int, string) {
				req := httptest.NewRequest(method, path, strings.NewReader(body))
				req = req.WithContext(auth.WithCredentials(req.Context(), creds))
				rec := httptest.NewRecorder()
				mux.ServeHTTP(rec, req)
				return rec.Code, strings.TrimSpace(rec.Body.String())
			}
		}
		alice := as(auth.Credentials{Principal: auth.UserPrincipal{UserEntityRef: "user:default/alice"}})
		bob := as(auth.Credentials{Principal: auth.UserPrincipal{UserEntityRef: "user:default/bob"}})
		service := as(auth.Credentials{Principal: auth.ServicePrincipal{Subject: "plugin:catalog"}})
		nobody := as(auth.None())
		const path = "/buckets/starredEntities/keys/entityRefs"

		steps := []struct {
			name       string
			call       func(method, path, body string) (int, string)
			method     string
			body       string
			wantStatus int
			wantBody   string // substring
		}{
			{"missing value is 404", alice, "GET", "", 404, `"NotFoundError"`},
			{"put", alice, "PUT", `{"value":["component:default/a"]}`, 200, `{"bucket":"starredEntities","key":"entityRefs","value":["component:default/a"]}`},
			{"get", alice, "GET", "", 200, `"value":["component:default/a"]`},
			{"other user sees nothing", bob, "GET", "", 404, ""},
			{"replace", alice, "PUT", `{"value":{"nested":true}}`, 200, `"value":{"nested":true}`},
			{"get replaced", alice, "GET", "", 200, `"value":{"nested":true}`},
			{"value required", alice, "PUT", `{}`, 400, `Missing required field \"value\"`},
			{"malformed body", alice, "PUT", `{"value":`, 400, `"InputError"`},
			{"service refused", service, "GET", "", 401, `"AuthenticationError"`},
			{"anonymous refused", nobody, "PUT", `{"value":1}`, 401, `"AuthenticationError"`},
			{"delete", alice, "DELETE", "", 204, ""},
			{"gone", alice, "GET", "", 404, ""},
			{"delete again", alice, "DELETE", "", 204, ""},
		}
		for _, s := range steps {
			status, body := s.call(s.method, path, s.body)
			if status != s.wantStatus || !strings.Contains(body, s.wantBody) {
				t.Errorf("%s: %d %s; want %d containing %s", s.name, status, body, s.wantStatus, s.wantBody)
			}
		}
		big := `{"value":"` + strings.Repeat("x", maxValueBytes) + `"}`
		if status, _ := alice("PUT", path, big); status != 400 {
			t.Errorf("oversized value: %d, want 400", status)
		}
	})
}

func TestStoreKeepsJSON(t *testing.T) {
	databasetest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := migrated(t, db)
		ctx := context.Background()
		if err := s.Set(ctx, "user:default/a", "b", "k", json.RawMessage(`not json`)); err == nil {
			t.Error("invalid JSON stored")
		}
		if err := s.Set(ctx, "user:default/a", "b", "k", json.RawMessage(`[1,"two",{"three":3}]`)); err != nil {
			t.Fatal(err)
		}
		got, err := s.Get(ctx, "user:default/a", "b", "k")
		if err != nil || got == nil || string(got.Value) != `[1,"two",{"three":3}]` {
			t.Fatalf("Get = %v, %v", got, err)
		}
		if ok, err := s.Delete(ctx, "user:default/a", "b", "k"); !ok || err != nil {
			t.Fatalf("Delete = %v, %v", ok, err)
		}
	})
}
