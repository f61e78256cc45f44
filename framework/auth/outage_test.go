package auth_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/portico-dev/portico/framework/apierr"
	"github.com/portico-dev/portico/framework/auth"
	"github.com/portico-dev/portico/framework/database"
)

// TestGuardDuringDatabaseOutage: when the database holding the keys that verify a token is
// closed, a request with a valid token must answer 503 (try again later), never 401 (which
// tells the client to sign in again). Key sets fetched before the outage keep verifying from
// the cache without touching the database.
func TestGuardDuringDatabaseOutage(t *testing.T) {
	tests := []struct {
		name string
		// token issues a valid token for the catalog while the database is up.
		token func(t *testing.T, w *world) string
		// userKeysFromDB: the user key set is served from the database, as the auth plugin does.
		userKeysFromDB bool
		// warm verifies the token once before the outage, caching its key set.
		warm       bool
		allow      string // the route's policy
		wantStatus int    // 0: passes the guard
	}{
		{name: "service token, issuer's key table closed", wantStatus: 503, token: func(t *testing.T, w *world) string {
			return w.serviceToken(t, "scaffolder", "catalog")
		}},
		{name: "limited user token, issuer's key table closed", allow: auth.AllowUserCookie, wantStatus: 503, token: func(t *testing.T, w *world) string {
			tok, _, err := w.plugin("scaffolder").GetLimitedUserToken(t.Context(), auth.Credentials{Principal: auth.UserPrincipal{UserEntityRef: "user:default/jane"}})
			if err != nil {
				t.Fatal(err)
			}
			return tok
		}},
		{name: "user token, auth plugin's database closed", userKeysFromDB: true, wantStatus: 503, token: func(t *testing.T, w *world) string {
			return w.user.token(t, userTokenOpts{now: w.clock.Now()})
		}},
		{name: "service token, key set cached before the outage", warm: true, token: func(t *testing.T, w *world) string {
			return w.serviceToken(t, "scaffolder", "catalog")
		}},
		{name: "user token, key set cached before the outage", userKeysFromDB: true, warm: true, token: func(t *testing.T, w *world) string {
			return w.user.token(t, userTokenOpts{now: w.clock.Now()})
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			forEachDB(t, func(t *testing.T, db *database.DB) {
				w := newWorld(t, db, guardConfig(false))
				catalog := w.plugin("catalog")
				if tc.userKeysFromDB {
					// The auth plugin reads its public keys from its database and reports a
					// failure through apierr, as every handler does.
					w.userJWKS = http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
						var n int
						if err := db.QueryRowContext(r.Context(), "SELECT 1").Scan(&n); err != nil {
							apierr.Write(rw, r, nil, fmt.Errorf("list signing keys: %w", err))
							return
						}
						_ = json.NewEncoder(rw).Encode(w.user.jwks())
					})
				}
				tok := tc.token(t, w)
				guard := func() *httptest.ResponseRecorder {
					r := httptest.NewRequest(http.MethodGet, "/api/catalog/entities", nil)
					r.Header.Set("Authorization", "Bearer "+tok)
					rec := httptest.NewRecorder()
					if _, ok := catalog.Guard(rec, r, tc.allow); ok {
						rec.Code = 0
					}
					return rec
				}
				if tc.warm {
					if rec := guard(); rec.Code != 0 {
						t.Fatalf("before the outage: %d %s", rec.Code, rec.Body)
					}
				}
				if err := db.DB.Close(); err != nil {
					t.Fatal(err)
				}
				rec := guard()
				if rec.Code != tc.wantStatus {
					t.Fatalf("Guard during the outage = %d %s, want %d", rec.Code, rec.Body, tc.wantStatus)
				}
				if tc.wantStatus == 503 {
					var body apierr.Body
					if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error.Name != "ServiceUnavailableError" {
						t.Errorf("body = %s, want a ServiceUnavailableError", rec.Body)
					}
				}
			})
		})
	}
}
