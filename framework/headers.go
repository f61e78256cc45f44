package framework

import (
	"maps"
	"net/http"
	"slices"
	"strings"
)

// defaultCSP is helmet's policy with Backstage's adjustments (connect-src opened to http/https
// for plugins that call other services, upgrade-insecure-requests left out so plain-http
// development works). Unlike Backstage we do not allow 'unsafe-eval': our UI needs no eval.
func defaultCSP() map[string][]string {
	return map[string][]string{
		"default-src":     {"'self'"},
		"base-uri":        {"'self'"},
		"font-src":        {"'self'", "https:", "data:"},
		"form-action":     {"'self'"},
		"frame-ancestors": {"'self'"},
		"img-src":         {"'self'", "data:", "https:"},
		"object-src":      {"'none'"},
		"script-src":      {"'self'"},
		"script-src-attr": {"'none'"},
		"style-src":       {"'self'", "https:", "'unsafe-inline'"},
		"connect-src":     {"'self'", "http:", "https:"},
	}
}

// buildCSP merges backend.csp overrides (a nil value deletes a directive) into the defaults.
func buildCSP(overrides map[string][]string) string {
	d := defaultCSP()
	for k, v := range overrides {
		if v == nil {
			delete(d, k)
			continue
		}
		d[k] = v
	}
	keys := slices.Sorted(maps.Keys(d))
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		if len(d[k]) == 0 {
			parts = append(parts, k)
			continue
		}
		parts = append(parts, k+" "+strings.Join(d[k], " "))
	}
	return strings.Join(parts, "; ")
}

// securityHeaders sets the headers helmet sets for Backstage.
func (h *rootHandler) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", h.csp)
		// same-origin-allow-popups rather than helmet's same-origin: the sign-in popup must keep
		// its opener through the identity provider's pages to post the session back.
		hd.Set("Cross-Origin-Opener-Policy", "same-origin-allow-popups")
		hd.Set("Cross-Origin-Resource-Policy", "same-origin")
		hd.Set("Origin-Agent-Cluster", "?1")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-DNS-Prefetch-Control", "off")
		hd.Set("X-Download-Options", "noopen")
		hd.Set("X-Frame-Options", "SAMEORIGIN")
		hd.Set("X-Permitted-Cross-Domain-Policies", "none")
		hd.Set("X-XSS-Protection", "0")
		if r.TLS != nil {
			hd.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}
