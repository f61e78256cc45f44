package framework

import (
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/portico-dev/portico/framework/apierr"
)

// HTTPRouter is a plugin's HTTP surface, mounted at /api/<pluginId>.
type HTTPRouter interface {
	// Handle registers h for a net/http ServeMux pattern relative to the plugin's mount,
	// e.g. "GET /entities/by-name/{kind}/{namespace}/{name}".
	Handle(pattern string, h http.Handler)
	HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request))
	// AddAuthPolicy declares who may call paths under a prefix without the default
	// user-or-service credentials (e.g. health routes, auth start/handler, JWKS).
	AddAuthPolicy(p AuthPolicy)
}

// AuthPolicy relaxes the default credentials requirement for a path prefix. Path covers
// itself and everything below it ("/health" covers "/health" and "/health/x"; "/" or "*"
// cover the whole plugin).
type AuthPolicy struct {
	Path  string // relative to the plugin mount, e.g. "/health"
	Allow string // "unauthenticated" | "user-cookie"
}

// covers reports whether the policy applies to path (relative to the plugin mount).
func (ap AuthPolicy) covers(path string) bool {
	p := strings.TrimRight(ap.Path, "/*")
	if p == "" {
		return true
	}
	return path == p || strings.HasPrefix(path, p+"/")
}

// Route describes one registered route, for introspection (tests list routes and policies).
type Route struct {
	PluginID string
	Pattern  string
	// Policy is the route's declared auth policy: "" (user or service credentials required),
	// "unauthenticated" or "user-cookie".
	Policy string
}

// pluginRouter is the HTTPRouter of one plugin.
type pluginRouter struct {
	pluginID string
	mux      *http.ServeMux

	mu       sync.Mutex
	patterns []string
	policies []AuthPolicy
	guard    routeGuard
}

func newPluginRouter(pluginID string) *pluginRouter {
	return &pluginRouter{pluginID: pluginID, mux: http.NewServeMux()}
}

func (p *pluginRouter) Handle(pattern string, h http.Handler) {
	p.mu.Lock()
	p.patterns = append(p.patterns, pattern)
	p.mu.Unlock()
	p.mux.Handle(pattern, h)
}

func (p *pluginRouter) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	p.Handle(pattern, http.HandlerFunc(h))
}

func (p *pluginRouter) AddAuthPolicy(ap AuthPolicy) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.policies = append(p.policies, ap)
}

func (p *pluginRouter) setGuard(g routeGuard) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.guard = g
}

// policyFor returns the policy covering path: "unauthenticated" wins over "user-cookie", and
// "" (the default) applies when no declared policy covers it.
func (p *pluginRouter) policyFor(path string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return policyFor(p.policies, path)
}

func policyFor(policies []AuthPolicy, path string) string {
	allow := ""
	for _, ap := range policies {
		if !ap.covers(path) {
			continue
		}
		switch ap.Allow {
		case "unauthenticated":
			return ap.Allow
		case "user-cookie":
			allow = ap.Allow
		}
	}
	return allow
}

// AuthPolicies returns the policies the plugin declared.
func (p *pluginRouter) AuthPolicies() []AuthPolicy {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]AuthPolicy(nil), p.policies...)
}

// ServeHTTP serves a request whose path has had /api/<id> stripped. The credentials barrier
// runs first (so unknown paths do not reveal themselves to anonymous callers); requests no
// pattern matches get Backstage's JSON error body rather than ServeMux's plain text.
func (p *pluginRouter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	guard := p.guard
	p.mu.Unlock()
	if guard == nil {
		// Not attached yet (the backend attaches every plugin's guard before it is ready):
		// refuse rather than serve unguarded.
		apierr.WriteStatus(w, r, http.StatusServiceUnavailable, "ServiceUnavailableError", "Plugin '"+p.pluginID+"' is not yet started")
		return
	}
	r, ok := guard.Guard(w, r, p.policyFor(r.URL.Path))
	if !ok {
		return
	}
	if HasNUL(r) {
		apierr.WriteStatus(w, r, http.StatusBadRequest, "InputError", "Invalid request: the path, a query parameter or a form field contains a NUL character (%00)")
		return
	}
	h, pattern := p.mux.Handler(r)
	if pattern == "" {
		h.ServeHTTP(&jsonErrorWriter{ResponseWriter: w, r: r}, r)
		return
	}
	p.mux.ServeHTTP(w, r)
}

// HasNUL reports whether the request's path, query parameters or form fields (a URL-encoded
// body, which it parses) hold a NUL character. No plugin can use one (PostgreSQL refuses NUL in
// text, so a query comparing with it fails as a 500): every plugin's API routes are refused
// here, and every page in the web shell, in one place, with a 400.
func HasNUL(r *http.Request) bool {
	if strings.IndexByte(r.URL.Path, 0) >= 0 {
		return true
	}
	if (strings.Contains(r.URL.RawQuery, "%00") || strings.IndexByte(r.URL.RawQuery, 0) >= 0) && valuesHaveNUL(r.URL.Query()) {
		return true
	}
	if r.Body == nil || r.Method == http.MethodGet || r.Method == http.MethodHead {
		return false
	}
	if ct, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";"); strings.TrimSpace(strings.ToLower(ct)) != "application/x-www-form-urlencoded" {
		return false
	}
	if err := r.ParseForm(); err != nil {
		return false // the handler's own parse reports it
	}
	return valuesHaveNUL(r.PostForm)
}

func valuesHaveNUL(values map[string][]string) bool {
	for k, vs := range values {
		if strings.IndexByte(k, 0) >= 0 {
			return true
		}
		for _, v := range vs {
			if strings.IndexByte(v, 0) >= 0 {
				return true
			}
		}
	}
	return false
}

// jsonErrorWriter turns ServeMux's plain-text 404/405 into Backstage's error body.
type jsonErrorWriter struct {
	http.ResponseWriter
	r       *http.Request
	swallow bool
}

func (j *jsonErrorWriter) WriteHeader(status int) {
	switch status {
	case http.StatusNotFound:
		j.swallow = true
		j.ResponseWriter.Header().Del("Content-Type")
		apierr.WriteStatus(j.ResponseWriter, j.r, status, "NotFoundError", "Not found: "+j.r.Method+" "+apierr.OriginalURL(j.r))
	case http.StatusMethodNotAllowed:
		j.swallow = true
		j.ResponseWriter.Header().Del("Content-Type")
		apierr.WriteStatus(j.ResponseWriter, j.r, status, "MethodNotAllowedError", "Method "+j.r.Method+" not allowed")
	default:
		j.ResponseWriter.WriteHeader(status)
	}
}

func (j *jsonErrorWriter) Write(b []byte) (int, error) {
	if j.swallow {
		return len(b), nil
	}
	return j.ResponseWriter.Write(b)
}

// routers is the set of plugin routers, keyed by plugin ID.
type routers struct {
	mu sync.RWMutex
	m  map[string]*pluginRouter
}

func (rs *routers) get(pluginID string) *pluginRouter {
	rs.mu.RLock()
	defer rs.mu.RUnlock()
	return rs.m[pluginID]
}

func (rs *routers) getOrCreate(pluginID string) *pluginRouter {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.m == nil {
		rs.m = map[string]*pluginRouter{}
	}
	r, ok := rs.m[pluginID]
	if !ok {
		r = newPluginRouter(pluginID)
		rs.m[pluginID] = r
	}
	return r
}

func (rs *routers) routes() []Route {
	rs.mu.RLock()
	defer rs.mu.RUnlock()
	var out []Route
	for id, r := range rs.m {
		r.mu.Lock()
		for _, p := range r.patterns {
			out = append(out, Route{PluginID: id, Pattern: p, Policy: policyFor(r.policies, patternPath(p))})
		}
		r.mu.Unlock()
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].PluginID != out[j].PluginID {
			return out[i].PluginID < out[j].PluginID
		}
		return out[i].Pattern < out[j].Pattern
	})
	return out
}

// patternPath returns the path of a ServeMux pattern ("GET /a/{b}" → "/a/{b}").
func patternPath(pattern string) string {
	if i := strings.Index(pattern, "/"); i >= 0 {
		pattern = pattern[i:]
	}
	return pattern
}

// splitAPIPath splits "/api/<id>/rest" into id and "/rest".
func splitAPIPath(path string) (id, rest string, ok bool) {
	trimmed, found := strings.CutPrefix(path, "/api/")
	if !found {
		return "", "", false
	}
	id, rest, _ = strings.Cut(trimmed, "/")
	return id, "/" + rest, id != ""
}
