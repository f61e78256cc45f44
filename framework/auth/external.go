package auth

import (
	"context"
	"crypto/subtle"
	"fmt"
	"slices"
	"strings"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// ExternalAccess is one backend.auth.externalAccess entry.
type ExternalAccess struct {
	Type string // "static", "jwks" or "legacy"

	// static
	Token string
	// static, legacy: the principal's subject
	Subject string
	// legacy: the HMAC secret (base64-decoded)
	Secret []byte
	// jwks
	URL           string
	Issuers       []string
	Audiences     []string
	Algorithms    []string
	SubjectPrefix string

	// AccessRestrictions, keyed by plugin ID: when non-nil, the token is accepted only by the
	// listed plugins, with the permission restrictions given for each.
	AccessRestrictions map[string]AccessRestrictions
}

// Config is the backend.auth part of app-config (read by the framework).
type Config struct {
	ExternalAccess []ExternalAccess
	// DangerouslyDisableDefaultAuthPolicy lets every request through the router barrier.
	DangerouslyDisableDefaultAuthPolicy bool
}

// externalResult is what a matching external access entry yields.
type externalResult struct {
	subject string
	entry   *ExternalAccess
	expiry  *jwt.NumericDate
}

// verifyExternal tries the external access entries in order.
func (r *Root) verifyExternal(ctx context.Context, token string) (externalResult, error) {
	for i := range r.cfg.ExternalAccess {
		e := &r.cfg.ExternalAccess[i]
		if e.Type == "static" && subtle.ConstantTimeCompare([]byte(e.Token), []byte(token)) == 1 {
			return externalResult{subject: externalSubject(e.Subject), entry: e}, nil
		}
	}
	_, alg, isJWT := peekHeader(token)
	if !isJWT {
		return externalResult{}, fmt.Errorf("%w: illegal token", ErrUnauthenticated)
	}
	var lastErr error
	for i := range r.cfg.ExternalAccess {
		e := &r.cfg.ExternalAccess[i]
		switch {
		case e.Type == "legacy" && alg == string(jose.HS256):
			res, err := r.verifyLegacy(token, e)
			if err == nil {
				return res, nil
			}
			lastErr = err
		case e.Type == "jwks" && alg != "" && !strings.HasPrefix(alg, "HS"):
			res, err := r.verifyJWKS(ctx, token, e)
			if err == nil {
				return res, nil
			}
			lastErr = err
		}
	}
	if lastErr != nil {
		return externalResult{}, lastErr
	}
	return externalResult{}, fmt.Errorf("%w: illegal token", ErrUnauthenticated)
}

func externalSubject(s string) string {
	if strings.HasPrefix(s, "external:") {
		return s
	}
	return "external:" + s
}

func (r *Root) verifyLegacy(token string, e *ExternalAccess) (externalResult, error) {
	p, err := parseJWT(token, jose.HS256)
	if err != nil {
		return externalResult{}, err
	}
	var c jwt.Claims
	if err := p.tok.Claims(e.Secret, &c); err != nil {
		return externalResult{}, fmt.Errorf("%w: legacy token: %w", ErrUnauthenticated, err)
	}
	if c.Subject != "backstage-server" || len(c.Audience) > 0 {
		return externalResult{}, fmt.Errorf("%w: legacy token: want sub backstage-server and no aud", ErrUnauthenticated)
	}
	if c.Expiry == nil {
		return externalResult{}, fmt.Errorf("%w: legacy token: missing exp", ErrUnauthenticated)
	}
	if err := c.ValidateWithLeeway(jwt.Expected{Time: r.now()}, 0); err != nil {
		return externalResult{}, fmt.Errorf("%w: legacy token: %w", ErrUnauthenticated, err)
	}
	return externalResult{subject: externalSubject(e.Subject), entry: e, expiry: c.Expiry}, nil
}

func (r *Root) verifyJWKS(ctx context.Context, token string, e *ExternalAccess) (externalResult, error) {
	algs := []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.ES256, jose.ES384, jose.ES512, jose.PS256, jose.PS384, jose.PS512, jose.EdDSA}
	if len(e.Algorithms) > 0 {
		algs = algs[:0]
		for _, a := range e.Algorithms {
			algs = append(algs, jose.SignatureAlgorithm(a))
		}
	}
	p, err := parseJWT(token, algs...)
	if err != nil {
		return externalResult{}, err
	}
	key, err := r.keySets.key(ctx, e.URL, p.kid)
	if err != nil {
		return externalResult{}, err
	}
	var c jwt.Claims
	if err := p.tok.Claims(key, &c); err != nil {
		return externalResult{}, fmt.Errorf("%w: jwks token: %w", ErrUnauthenticated, err)
	}
	if err := c.ValidateWithLeeway(jwt.Expected{Time: r.now(), AnyAudience: e.Audiences}, 0); err != nil {
		return externalResult{}, fmt.Errorf("%w: jwks token: %w", ErrUnauthenticated, err)
	}
	if len(e.Issuers) > 0 && !slices.Contains(e.Issuers, c.Issuer) {
		return externalResult{}, fmt.Errorf("%w: jwks token: issuer %q not accepted", ErrUnauthenticated, c.Issuer)
	}
	if c.Subject == "" {
		return externalResult{}, fmt.Errorf("%w: jwks token: missing sub", ErrUnauthenticated)
	}
	prefix := "external:"
	if e.SubjectPrefix != "" {
		prefix += e.SubjectPrefix + ":"
	}
	return externalResult{subject: prefix + c.Subject, entry: e, expiry: c.Expiry}, nil
}
