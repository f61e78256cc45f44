package api

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/portico-dev/portico/framework/apierr"
)

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}

func (h *handler) jwks(w http.ResponseWriter, r *http.Request) {
	set, err := h.opts.Issuer.JWKS(r.Context())
	if err != nil {
		apierr.Write(w, r, h.opts.Logger, err)
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	writeJSON(w, set)
}

// openIDConfiguration is Backstage's discovery document without the endpoints of its
// experimental authorization server (/v1/authorize, /v1/token), which Portico does not have.
func (h *handler) openIDConfiguration(w http.ResponseWriter, _ *http.Request) {
	base := h.opts.BaseURL
	writeJSON(w, map[string]any{
		"issuer":                                base,
		"userinfo_endpoint":                     base + "/v1/userinfo",
		"jwks_uri":                              base + "/.well-known/jwks.json",
		"response_types_supported":              []string{"code", "id_token"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"ES256"},
		"scopes_supported":                      []string{"openid"},
		"claims_supported":                      []string{"sub", "ent"},
	})
}

// userinfo returns the claims of the caller's user token, verified against our own keys.
func (h *handler) userinfo(w http.ResponseWriter, r *http.Request) {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !ok || !strings.EqualFold(scheme, "bearer") || strings.TrimSpace(tok) == "" {
		apierr.Write(w, r, h.opts.Logger, apierr.Authentication("Missing Bearer token"))
		return
	}
	c, err := h.opts.Issuer.Verify(r.Context(), strings.TrimSpace(tok))
	if err != nil {
		apierr.Write(w, r, h.opts.Logger, classify(err))
		return
	}
	ent := c.Ent
	if ent == nil {
		ent = []string{c.Subject}
	}
	writeJSON(w, map[string]any{"claims": map[string]any{"sub": c.Subject, "ent": ent}})
}
