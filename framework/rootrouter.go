package framework

import (
	"net/http"
	"sync/atomic"

	"github.com/portico-dev/portico/framework/apierr"
)

// RootHTTPRouter serves paths outside /api/ (the web UI, static assets). Patterns are
// net/http ServeMux patterns; "/" catches everything not otherwise handled.
type RootHTTPRouter interface {
	Handle(pattern string, h http.Handler)
}

type rootRouter struct {
	mux *http.ServeMux
	// webAuth wraps page requests with the identity cookie's credentials (set once the root
	// auth service exists; pages are served before the backend is ready, hence atomic).
	webAuth atomic.Pointer[func(http.Handler) http.Handler]
}

func newRootRouter() *rootRouter { return &rootRouter{mux: http.NewServeMux()} }

func (r *rootRouter) Handle(pattern string, h http.Handler) { r.mux.Handle(pattern, h) }

func (r *rootRouter) setWebAuth(mw func(http.Handler) http.Handler) { r.webAuth.Store(&mw) }

func (r *rootRouter) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if _, pattern := r.mux.Handler(req); pattern == "" {
		apierr.WriteStatus(w, req, http.StatusNotFound, "NotFoundError", "Not found: "+req.URL.Path)
		return
	}
	if mw := r.webAuth.Load(); mw != nil {
		(*mw)(r.mux).ServeHTTP(w, req)
		return
	}
	r.mux.ServeHTTP(w, req)
}
