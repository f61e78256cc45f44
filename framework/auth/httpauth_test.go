package auth_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/portico-dev/portico/framework/apierr"
	"github.com/portico-dev/portico/framework/auth"
	"github.com/portico-dev/portico/framework/database"
)

func guardConfig(disable bool) auth.Config {
	return auth.Config{DangerouslyDisableDefaultAuthPolicy: disable, ExternalAccess: []auth.ExternalAccess{
		{Type: "static", Token: "static-token-123", Subject: "ci-bot"},
		{Type: "static", Token: "search-only-token", Subject: "indexer", AccessRestrictions: map[string]auth.AccessRestrictions{"search": {}}},
	}}
}

func TestGuard(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *database.DB) {
		w := newWorld(t, db, guardConfig(false))
		catalog := w.plugin("catalog")
		userTok := w.user.token(t, userTokenOpts{now: w.clock.Now()})
		userCreds, err := catalog.Authenticate(t.Context(), userTok)
		if err != nil {
			t.Fatal(err)
		}
		limited, _, err := catalog.GetLimitedUserToken(t.Context(), userCreds)
		if err != nil {
			t.Fatal(err)
		}

		tests := []struct {
			name       string
			method     string
			allow      string
			header     map[string]string
			cookies    map[string]string
			wantStatus int    // 0: passes the guard
			wantType   string // credentials type when passed
			wantName   string // error name when refused
		}{
			{"no credentials", "GET", "", nil, nil, 401, "", "AuthenticationError"},
			{"static bearer", "GET", "", map[string]string{"Authorization": "Bearer static-token-123"}, nil, 0, "service", ""},
			{"bearer scheme is case-insensitive", "GET", "", map[string]string{"Authorization": "bearer   static-token-123"}, nil, 0, "service", ""},
			{"user bearer", "POST", "", map[string]string{"Authorization": "Bearer " + userTok}, nil, 0, "user", ""},
			{"invalid bearer", "GET", "", map[string]string{"Authorization": "Bearer nope-nope-nope"}, nil, 401, "", "AuthenticationError"},
			{"restricted token elsewhere", "GET", "", map[string]string{"Authorization": "Bearer search-only-token"}, nil, 403, "", "NotAllowedError"},
			{"open route, anonymous", "GET", "unauthenticated", nil, nil, 0, "none", ""},
			{"open route, invalid token is anonymous", "GET", "unauthenticated", map[string]string{"Authorization": "Bearer nope-nope-nope"}, nil, 0, "none", ""},
			{"open route keeps valid credentials", "GET", "unauthenticated", map[string]string{"Authorization": "Bearer static-token-123"}, nil, 0, "service", ""},
			{"cookie on GET", "GET", "", nil, map[string]string{auth.CookieName: userTok}, 0, "user", ""},
			{"cookie on HEAD", "HEAD", "", nil, map[string]string{auth.CookieName: userTok}, 0, "user", ""},
			{"cookie on POST without X-Requested-With", "POST", "", nil, map[string]string{auth.CookieName: userTok}, 401, "", "AuthenticationError"},
			{"cookie on POST with X-Requested-With", "POST", "", map[string]string{"X-Requested-With": "XMLHttpRequest"}, map[string]string{auth.CookieName: userTok}, 0, "user", ""},
			{"cookie on DELETE without X-Requested-With", "DELETE", "", nil, map[string]string{auth.CookieName: userTok}, 401, "", "AuthenticationError"},
			{"limited cookie on a user-cookie route", "GET", "user-cookie", nil, map[string]string{auth.LimitedCookieName: limited}, 0, "user", ""},
			{"limited cookie on a default route", "GET", "", nil, map[string]string{auth.LimitedCookieName: limited}, 401, "", "AuthenticationError"},
			{"limited token as bearer on a default route", "GET", "", map[string]string{"Authorization": "Bearer " + limited}, nil, 401, "", "AuthenticationError"},
			{"limited token as bearer on a user-cookie route", "GET", "user-cookie", map[string]string{"Authorization": "Bearer " + limited}, nil, 0, "user", ""},
			{"user-cookie route still needs credentials", "GET", "user-cookie", nil, nil, 401, "", "AuthenticationError"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := httptest.NewRequest(tt.method, "/api/catalog/entities", nil)
				for k, v := range tt.header {
					r.Header.Set(k, v)
				}
				for k, v := range tt.cookies {
					r.AddCookie(&http.Cookie{Name: k, Value: v})
				}
				rec := httptest.NewRecorder()
				got, ok := catalog.Guard(rec, r, tt.allow)
				if tt.wantStatus == 0 {
					if !ok {
						t.Fatalf("refused with %d %s", rec.Code, rec.Body)
					}
					c, present := auth.FromContext(got.Context())
					if !present || c.Type() != tt.wantType {
						t.Fatalf("credentials %+v (present %v), want %s", c, present, tt.wantType)
					}
					return
				}
				if ok || rec.Code != tt.wantStatus {
					t.Fatalf("passed=%v status=%d, want refused with %d", ok, rec.Code, tt.wantStatus)
				}
				var body apierr.Body
				if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error.Name != tt.wantName || body.Response.StatusCode != tt.wantStatus {
					t.Fatalf("body %s (%v), want %s", rec.Body, err, tt.wantName)
				}
			})
		}
	})
}

func TestGuardWithDefaultPolicyDisabled(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *database.DB) {
		w := newWorld(t, db, guardConfig(true))
		catalog := w.plugin("catalog")
		for _, h := range []string{"", "Bearer nope-nope-nope", "Bearer static-token-123"} {
			r := httptest.NewRequest("POST", "/api/catalog/locations", nil)
			if h != "" {
				r.Header.Set("Authorization", h)
			}
			got, ok := catalog.Guard(httptest.NewRecorder(), r, "")
			if !ok {
				t.Fatalf("%q refused with the default policy disabled", h)
			}
			c, _ := auth.FromContext(got.Context())
			if want := map[bool]string{true: "service", false: "none"}[h == "Bearer static-token-123"]; c.Type() != want {
				t.Errorf("%q: credentials %s, want %s", h, c.Type(), want)
			}
		}
		// Anonymous callers get an empty token for outgoing calls instead of an error.
		if tok, err := catalog.GetPluginRequestToken(t.Context(), auth.None(), "scaffolder"); err != nil || tok != "" {
			t.Errorf("token for none = %q, %v; want empty", tok, err)
		}
	})
}

func TestWebMiddleware(t *testing.T) {
	forEachDB(t, func(t *testing.T, db *database.DB) {
		w := newWorld(t, db, guardConfig(false))
		catalog := w.plugin("catalog")
		userTok := w.user.token(t, userTokenOpts{now: w.clock.Now()})
		svcTok, err := catalog.GetPluginRequestToken(t.Context(), catalog.GetOwnServiceCredentials(), "catalog")
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name, method, bearer, cookie, origin, fetchSite string
			want                                            string
		}{
			{"nobody", "GET", "", "", "", "", "none"},
			{"user cookie", "GET", "", userTok, "", "", "user"},
			{"user cookie on a same-origin form post", "POST", "", userTok, "http://example.com", "", "user"},
			{"user cookie on a form post with Origin null (no-referrer pages)", "POST", "", userTok, "null", "", "user"},
			{"user cookie on a cross-origin form post", "POST", "", userTok, "https://evil.example", "", "none"},
			{"Sec-Fetch-Site same-origin", "POST", "", userTok, "null", "same-origin", "user"},
			{"Sec-Fetch-Site cross-site", "POST", "", userTok, "null", "cross-site", "none"},
			{"Sec-Fetch-Site same-site (a sibling subdomain)", "POST", "", userTok, "", "same-site", "none"},
			{"expired or bad cookie is anonymous", "GET", "", "garbage-token", "", "", "none"},
			{"static bearer", "GET", "static-token-123", "", "", "", "service"},
			{"restricted token is anonymous on pages", "GET", "search-only-token", "", "", "", "none"},
			{"plugin token is anonymous on pages", "GET", svcTok, "", "", "", "none"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := httptest.NewRequest(tt.method, "http://example.com/catalog", nil)
				if tt.bearer != "" {
					r.Header.Set("Authorization", "Bearer "+tt.bearer)
				}
				if tt.cookie != "" {
					r.AddCookie(&http.Cookie{Name: auth.CookieName, Value: tt.cookie})
				}
				if tt.origin != "" {
					r.Header.Set("Origin", tt.origin)
				}
				if tt.fetchSite != "" {
					r.Header.Set("Sec-Fetch-Site", tt.fetchSite)
				}
				var got string
				w.root.WebMiddleware(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
					c, ok := auth.FromContext(r.Context())
					if ok {
						got = c.Type()
					}
				})).ServeHTTP(httptest.NewRecorder(), r)
				if got != tt.want {
					t.Fatalf("credentials %q, want %q", got, tt.want)
				}
			})
		}
	})
}
