package auth

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/portico-dev/portico/framework/apierr"
	"github.com/portico-dev/portico/framework/httpapi"
)

// Route policies (AuthPolicy.Allow).
const (
	AllowUnauthenticated = "unauthenticated"
	AllowUserCookie      = "user-cookie"
)

// LimitedCookieName is the cookie holding a limited user token, issued by
// GET /.backstage/auth/v1/cookie and accepted on routes with the user-cookie policy.
const LimitedCookieName = "backstage-auth"

// BearerToken returns the token of an "Authorization: Bearer <t>" header ("" when absent).
// The scheme is case-insensitive and may be followed by several spaces, as in Backstage.
func BearerToken(r *http.Request) string {
	h := r.Header.Get("Authorization")
	scheme, rest, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "bearer") {
		return ""
	}
	return strings.TrimSpace(rest)
}

// cookieToken returns the portico-token cookie when the request may use it: safe methods always,
// unsafe ones only with X-Requested-With: XMLHttpRequest (a header a cross-site form cannot
// send, so the cookie cannot be used for CSRF).
func cookieToken(r *http.Request) string {
	c, err := r.Cookie(CookieName)
	if err != nil || c.Value == "" {
		return ""
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead || r.Header.Get("X-Requested-With") == "XMLHttpRequest" {
		return c.Value
	}
	return ""
}

// Guard applies the credentials barrier of a plugin route. allow is the route's declared policy
// ("" for the default: user or service credentials required). It returns the request with
// Credentials in its context, or writes 401/403 and returns false.
func (s *PluginService) Guard(w http.ResponseWriter, r *http.Request, allow string) (*http.Request, bool) {
	open := allow == AllowUnauthenticated || s.root.cfg.DangerouslyDisableDefaultAuthPolicy
	opts := AuthenticateOptions{AllowLimitedAccess: allow == AllowUserCookie}
	token := BearerToken(r)
	if token == "" {
		token = cookieToken(r)
	}
	if token == "" && opts.AllowLimitedAccess {
		if c, err := r.Cookie(LimitedCookieName); err == nil {
			token = c.Value
		}
	}
	creds := None()
	if token != "" {
		c, err := s.AuthenticateWith(r.Context(), token, opts)
		switch {
		case err == nil:
			creds = c
		case open:
			// An open route serves anonymous callers; a bad token makes the caller anonymous.
		case isUnavailable(err):
			// The token could not be checked (its keys or a database are unreachable): a 401
			// would tell the client to sign in again, which cannot help.
			apierr.Write(w, r, s.root.log, err)
			return nil, false
		case errors.Is(err, ErrNotAllowed):
			apierr.WriteStatus(w, r, http.StatusForbidden, "NotAllowedError", errorMessage(err))
			return nil, false
		default:
			apierr.WriteStatus(w, r, http.StatusUnauthorized, "AuthenticationError", errorMessage(err))
			return nil, false
		}
	}
	if creds.IsNone() && !open {
		apierr.WriteStatus(w, r, http.StatusUnauthorized, "AuthenticationError", "Missing credentials")
		return nil, false
	}
	return r.WithContext(WithCredentials(r.Context(), creds)), true
}

// errorMessage turns a verification error into the message of the 401/403 body: the sentinel
// prefix is dropped and the first letter capitalised, as Backstage words its errors.
func errorMessage(err error) string {
	msg := err.Error()
	for _, p := range []string{ErrUnauthenticated.Error() + ": ", ErrNotAllowed.Error() + ": "} {
		msg = strings.Replace(msg, p, "", 1)
	}
	if msg == "" {
		return "Unauthenticated"
	}
	return strings.ToUpper(msg[:1]) + msg[1:]
}

// httpAuth is the HTTPAuth of one plugin.
type httpAuth struct {
	svc *PluginService
}

// NewHTTPAuth returns the httpAuth service of the plugin behind svc.
func NewHTTPAuth(svc *PluginService) HTTPAuth { return httpAuth{svc: svc} }

func (h httpAuth) Credentials(r *http.Request) (Credentials, error) {
	if c, ok := FromContext(r.Context()); ok {
		return c, nil
	}
	return None(), nil
}

// IssueUserCookie sets the limited user token cookie (backstage-auth) for the calling user;
// the caller writes the response body.
func (h httpAuth) IssueUserCookie(w http.ResponseWriter, r *http.Request) error {
	_, err := h.issueCookie(w, r)
	return err
}

func (h httpAuth) issueCookie(w http.ResponseWriter, r *http.Request) (time.Time, error) {
	creds, _ := h.Credentials(r)
	if _, ok := creds.User(); !ok {
		return time.Time{}, apierr.Authentication("the cookie can only be issued to users")
	}
	tok, exp, err := h.svc.GetLimitedUserToken(r.Context(), creds)
	if err != nil {
		return time.Time{}, err
	}
	http.SetCookie(w, &http.Cookie{
		Name:     LimitedCookieName,
		Value:    tok,
		Path:     "/",
		Expires:  exp,
		HttpOnly: true,
		Secure:   strings.HasPrefix(h.svc.root.disc.ExternalBaseURL(h.svc.pluginID), "https:"),
		SameSite: http.SameSiteLaxMode,
	})
	return exp, nil
}

// JWKSHandler serves the plugin's public keys ({"keys":[…]}).
func (s *PluginService) JWKSHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		set, err := s.keys.PublicKeys(r.Context())
		if err != nil {
			apierr.Write(w, r, s.root.log, err)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=60")
		_ = httpapi.WriteJSON(w, http.StatusOK, set)
	})
}

// CookieHandlers serve GET (issue) and DELETE (clear) of /.backstage/auth/v1/cookie.
func (s *PluginService) CookieHandlers() (issue, clear http.Handler) {
	h := httpAuth{svc: s}
	issue = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		exp, err := h.issueCookie(w, r)
		if err != nil {
			apierr.Write(w, r, s.root.log, err)
			return
		}
		_ = httpapi.WriteJSON(w, http.StatusOK, map[string]string{"expiresAt": exp.UTC().Format(time.RFC3339)})
	})
	clear = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: LimitedCookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
		w.WriteHeader(http.StatusNoContent)
	})
	return issue, clear
}

// WebMiddleware puts the caller's identity into the context of web UI requests (pages outside
// /api): from an Authorization bearer token, else from the portico-token cookie. Pages post
// plain HTML forms, so unlike the API the cookie counts for unsafe methods too; cross-site
// forms are kept out by the cookie's SameSite=Lax and by refusing it when the request's Origin
// names another host. It never refuses or redirects: a missing or invalid token gives
// anonymous credentials, and the page decides what to do.
func (r *Root) WebMiddleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		creds := None()
		token := BearerToken(req)
		if token == "" && sameOrigin(req) {
			if c, err := req.Cookie(CookieName); err == nil {
				token = c.Value
			}
		}
		if token != "" {
			if c, err := r.AuthenticateWeb(req.Context(), token); err == nil {
				creds = c
			} else {
				r.log.DebugContext(req.Context(), "ignoring invalid page credentials", "err", err)
			}
		}
		next.ServeHTTP(w, req.WithContext(WithCredentials(req.Context(), creds)))
	})
}

// sameOrigin reports whether an unsafe page request comes from the portal's own pages: by
// Sec-Fetch-Site when the browser sends it, else by an Origin header naming the request's host.
// Origin "null" is accepted: browsers send it for same-origin form posts from pages served with
// Referrer-Policy: no-referrer (ours), and a cross-site post carries no SameSite=Lax cookie.
func sameOrigin(r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" {
		return site == "same-origin" || site == "none"
	}
	origin := r.Header.Get("Origin")
	if origin == "" || origin == "null" {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && u.Host == r.Host
}
