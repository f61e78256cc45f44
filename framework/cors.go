package framework

import (
	"net/http"
	"path"
	"strconv"
	"strings"
)

// CORSOptions mirrors backend.cors (the keys of the cors npm package).
type CORSOptions struct {
	Origins        []string // exact origins or glob patterns (https://*.example.com); "*" = any
	Methods        []string
	AllowedHeaders []string // empty = reflect the preflight's Access-Control-Request-Headers
	ExposedHeaders []string
	Credentials    bool
	MaxAge         int // seconds; 0 = header omitted
}

type corsPolicy struct{ opts CORSOptions }

func newCORSPolicy(o CORSOptions) *corsPolicy {
	if len(o.Methods) == 0 {
		o.Methods = []string{"GET", "HEAD", "PUT", "PATCH", "POST", "DELETE"}
	}
	return &corsPolicy{opts: o}
}

func (c *corsPolicy) allowed(origin string) bool {
	for _, o := range c.opts.Origins {
		if o == "*" || o == origin {
			return true
		}
		if strings.Contains(o, "*") {
			if ok, _ := path.Match(o, origin); ok {
				return true
			}
		}
	}
	return false
}

func (c *corsPolicy) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" || len(c.opts.Origins) == 0 {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Add("Vary", "Origin")
		if !c.allowed(origin) {
			next.ServeHTTP(w, r) // the browser enforces the absence of CORS headers
			return
		}
		h.Set("Access-Control-Allow-Origin", origin)
		if c.opts.Credentials {
			h.Set("Access-Control-Allow-Credentials", "true")
		}
		if len(c.opts.ExposedHeaders) > 0 {
			h.Set("Access-Control-Expose-Headers", strings.Join(c.opts.ExposedHeaders, ","))
		}
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Methods", strings.Join(c.opts.Methods, ","))
			if len(c.opts.AllowedHeaders) > 0 {
				h.Set("Access-Control-Allow-Headers", strings.Join(c.opts.AllowedHeaders, ","))
			} else if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
				h.Add("Vary", "Access-Control-Request-Headers")
				h.Set("Access-Control-Allow-Headers", req)
			}
			if c.opts.MaxAge > 0 {
				h.Set("Access-Control-Max-Age", strconv.Itoa(c.opts.MaxAge))
			}
			h.Set("Content-Length", "0")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}
