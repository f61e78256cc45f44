package api

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/portico-dev/portico/framework/apierr"
)

// stateLifetime bounds how long a sign-in may take between /start and the callback.
const stateLifetime = 10 * time.Minute

// flowState is what /start remembers for the callback, in a signed cookie scoped to the
// provider's handler path. The state parameter sent to the provider carries only the nonce (and,
// as Backstage's, env, origin, flow and redirectUrl, hex-encoded); the cookie is the trusted copy.
type flowState struct {
	Nonce        string `json:"n"`
	OIDCNonce    string `json:"on,omitempty"`
	CodeVerifier string `json:"v,omitempty"`
	Env          string `json:"e"`
	Origin       string `json:"o"`
	Flow         string `json:"f,omitempty"`
	Redirect     string `json:"r,omitempty"`
	Scope        string `json:"s,omitempty"`
	Expires      int64  `json:"x"`
}

func (h *handler) nonceCookieName(id string) string { return id + "-nonce" }

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// encodeStateParam is Backstage's state encoding: hex of a URL query string.
func encodeStateParam(st flowState) string {
	q := url.Values{}
	q.Set("nonce", st.Nonce)
	q.Set("env", st.Env)
	if st.Origin != "" {
		q.Set("origin", st.Origin)
	}
	if st.Flow != "" {
		q.Set("flow", st.Flow)
	}
	if st.Redirect != "" {
		q.Set("redirectUrl", st.Redirect)
	}
	return hex.EncodeToString([]byte(q.Encode()))
}

func decodeStateParam(s string) (url.Values, error) {
	raw, err := hex.DecodeString(s)
	if err != nil {
		return nil, err
	}
	return url.ParseQuery(string(raw))
}

func (h *handler) sign(payload []byte) string {
	mac := hmac.New(sha256.New, h.opts.StateKey)
	mac.Write(payload)
	return base64.RawURLEncoding.EncodeToString(payload) + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func (h *handler) verify(value string) ([]byte, bool) {
	p, m, ok := strings.Cut(value, ".")
	if !ok {
		return nil, false
	}
	payload, err1 := base64.RawURLEncoding.DecodeString(p)
	sum, err2 := base64.RawURLEncoding.DecodeString(m)
	if err1 != nil || err2 != nil {
		return nil, false
	}
	mac := hmac.New(sha256.New, h.opts.StateKey)
	mac.Write(payload)
	return payload, hmac.Equal(sum, mac.Sum(nil))
}

func (h *handler) setStateCookie(w http.ResponseWriter, id string, st flowState) {
	st.Expires = h.opts.Now().Add(stateLifetime).Unix()
	b, _ := json.Marshal(st) // plain struct of strings: cannot fail
	h.setCookie(w, h.nonceCookieName(id), h.sign(b), h.providerPath(id)+"/handler", stateLifetime)
}

// takeState checks the callback's state against the signed cookie and clears the cookie, so
// one /start allows one callback.
func (h *handler) takeState(w http.ResponseWriter, r *http.Request, id string) (flowState, error) {
	h.setCookie(w, h.nonceCookieName(id), "", h.providerPath(id)+"/handler", -1)
	var st flowState
	c, err := r.Cookie(h.nonceCookieName(id))
	if err != nil || c.Value == "" {
		return st, apierr.Authentication("Auth response is missing cookie nonce")
	}
	payload, ok := h.verify(c.Value)
	if !ok || json.Unmarshal(payload, &st) != nil {
		return flowState{}, apierr.Authentication("Auth response has an invalid nonce cookie")
	}
	if h.opts.Now().Unix() > st.Expires {
		return flowState{}, apierr.Authentication("Sign-in took too long, please try again")
	}
	q, err := decodeStateParam(r.FormValue("state"))
	if err != nil || q.Get("nonce") == "" || q.Get("env") == "" {
		return flowState{}, apierr.Authentication("OAuth state is invalid")
	}
	if q.Get("nonce") != st.Nonce {
		return flowState{}, apierr.Authentication("Invalid nonce")
	}
	// The cookie is signed with a key kept in the database (or auth.session.secret): check its
	// targets again as Backstage does at the callback, so even a forged cookie can send the
	// session to no origin and no page outside the portal.
	if _, err := h.checkOrigin(st.Origin); err != nil {
		return flowState{}, err
	}
	if st.Redirect != "" {
		if _, err := h.checkRedirect(st.Redirect); err != nil {
			return flowState{}, err
		}
	}
	return st, nil
}

// checkOrigin returns the origin popups post to: the app's, unless the request names another
// one, which is refused.
func (h *handler) checkOrigin(origin string) (string, error) {
	if origin == "" {
		return h.opts.AppOrigin, nil
	}
	if slices.Contains(h.opts.AllowedOrigins, origin) || origin == h.opts.AppOrigin {
		return origin, nil
	}
	return "", apierr.NotAllowed("Origin '%s' is not allowed", origin)
}

// checkRedirect accepts only a path on the portal itself (or an absolute URL on the app's
// origin) and returns it as a path, so a sign-in can never send the browser elsewhere.
func (h *handler) checkRedirect(target string) (string, error) {
	if target == "" {
		return "/", nil
	}
	bad := apierr.Input("redirect target %q is not a path on this portal", target)
	if strings.ContainsAny(target, "\\\r\n\t") || strings.ContainsRune(target, 0) {
		return "", bad
	}
	u, err := url.Parse(target)
	if err != nil {
		return "", bad
	}
	if u.Scheme != "" || u.Host != "" || u.User != nil {
		if o := u.Scheme + "://" + u.Host; (o != h.opts.AppOrigin && !slices.Contains(h.opts.AllowedOrigins, o)) || u.User != nil {
			return "", bad
		}
		u.Scheme, u.Host = "", ""
	}
	if !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") || u.Opaque != "" {
		return "", bad
	}
	out := u.EscapedPath()
	if u.RawQuery != "" {
		out += "?" + u.RawQuery
	}
	if u.Fragment != "" {
		out += "#" + u.EscapedFragment()
	}
	if strings.HasPrefix(out, "//") || strings.HasPrefix(out, "/\\") {
		return "", bad
	}
	return out, nil
}

// checkEnv refuses an env other than auth.environment (provider blocks are read for that one).
func (h *handler) checkEnv(env string) error {
	if env == "" {
		return apierr.Input("No env provided in request query to start handler")
	}
	if env != h.opts.Environment {
		return apierr.Input("No configuration available for the '%s' environment of this provider", env)
	}
	return nil
}
