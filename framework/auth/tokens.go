package auth

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// maxTokenLength refuses absurd tokens before parsing (Backstage caps user tokens at 32 KiB).
const maxTokenLength = 64 << 10

// UserAudience is the aud claim of user tokens.
const UserAudience = "backstage"

// userClaims are the claims of user and limited user tokens.
type userClaims struct {
	jwt.Claims
	Ent []string `json:"ent,omitempty"`
	UIP string   `json:"uip,omitempty"`
}

// pluginClaims are the claims of plugin (service) tokens.
type pluginClaims struct {
	jwt.Claims
	// OBO carries the user (or limited user) token the call is made on behalf of.
	OBO string `json:"obo,omitempty"`
}

var pluginSubjectPattern = regexp.MustCompile(`^[a-z0-9_-]+$`)

// parsed is a JWT whose header has been read but whose signature is not yet checked.
type parsed struct {
	tok *jwt.JSONWebToken
	typ string
	kid string
	alg string
}

// parseJWT parses a compact JWT accepting only the given algorithms; anything else (alg none,
// HS256 where ES256 is expected) fails here, before a key is looked at.
func parseJWT(token string, algs ...jose.SignatureAlgorithm) (parsed, error) {
	if len(token) > maxTokenLength {
		return parsed{}, fmt.Errorf("%w: token too long", ErrUnauthenticated)
	}
	tok, err := jwt.ParseSigned(token, algs)
	if err != nil {
		return parsed{}, fmt.Errorf("%w: malformed token: %w", ErrUnauthenticated, err)
	}
	if len(tok.Headers) != 1 {
		return parsed{}, fmt.Errorf("%w: want one signature", ErrUnauthenticated)
	}
	h := tok.Headers[0]
	typ, _ := h.ExtraHeaders[jose.HeaderType].(string)
	return parsed{tok: tok, typ: typ, kid: h.KeyID, alg: h.Algorithm}, nil
}

// peekHeader reads a JWT's protected header without verifying anything, to route the token
// to the right verifier. ok is false when token does not look like a JWT.
func peekHeader(token string) (typ, alg string, ok bool) {
	if strings.Count(token, ".") != 2 || len(token) > maxTokenLength {
		return "", "", false
	}
	tok, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{
		jose.ES256, jose.ES384, jose.ES512, jose.RS256, jose.RS384, jose.RS512,
		jose.PS256, jose.PS384, jose.PS512, jose.EdDSA, jose.HS256, jose.HS384, jose.HS512,
	})
	if err != nil || len(tok.Signatures) != 1 {
		return "", "", false
	}
	h := tok.Signatures[0].Protected
	typ, _ = h.ExtraHeaders[jose.HeaderType].(string)
	return typ, h.Algorithm, true
}

// sign serialises claims as a compact JWT signed by key (a private JSONWebKey carrying kid).
func sign(key jose.JSONWebKey, typ string, claims any) (string, error) {
	opts := (&jose.SignerOptions{}).WithType(jose.ContentType(typ))
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(key.Algorithm), Key: key}, opts)
	if err != nil {
		return "", fmt.Errorf("signer: %w", err)
	}
	s, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return s, nil
}
