package api

import (
	"strings"

	"github.com/portico-dev/portico/framework/apierr"
	"github.com/portico-dev/portico/framework/httpapi"
)

func (h *handler) jwks(r *httpapi.Request) (any, error) {
	set, err := h.opts.Issuer.JWKS(r.Context())
	if err != nil {
		return nil, err
	}
	return httpapi.OK(set).WithHeader("Cache-Control", "no-cache"), nil
}

// openIDConfiguration is Backstage's discovery document without the endpoints of its
// experimental authorization server (/v1/authorize, /v1/token), which Portico does not have.
func (h *handler) openIDConfiguration(*httpapi.Request) (any, error) {
	base := h.opts.BaseURL
	return map[string]any{
		"issuer":                                base,
		"userinfo_endpoint":                     base + "/v1/userinfo",
		"jwks_uri":                              base + "/.well-known/jwks.json",
		"response_types_supported":              []string{"code", "id_token"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"ES256"},
		"scopes_supported":                      []string{"openid"},
		"claims_supported":                      []string{"sub", "ent"},
	}, nil
}

// userinfo returns the claims of the caller's user token, verified against our own keys.
func (h *handler) userinfo(r *httpapi.Request) (any, error) {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !ok || !strings.EqualFold(scheme, "bearer") || strings.TrimSpace(tok) == "" {
		return nil, apierr.Authentication("Missing Bearer token")
	}
	c, err := h.opts.Issuer.Verify(r.Context(), strings.TrimSpace(tok))
	if err != nil {
		return nil, classify(err)
	}
	ent := c.Ent
	if ent == nil {
		ent = []string{c.Subject}
	}
	return map[string]any{"claims": map[string]any{"sub": c.Subject, "ent": ent}}, nil
}
