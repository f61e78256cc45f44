// Package identity issues and verifies the portal's user identity tokens: ES256 JWTs with
// Backstage's header (typ vnd.backstage.user, kid) and claims (iss, sub, ent, aud "backstage",
// iat, exp). Each replica signs with a private key it made itself and keeps in memory; the
// public half goes into the shared key store before first use, so every replica's JWKS lists
// every key that may have signed a live token. Keys rotate every RotationPeriod and stay
// published until the last token they may have signed has expired.
package identity

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/google/uuid"

	"github.com/portico-dev/portico/plugins/auth/store"
)

// Token types (the JWT "typ" header) Backstage uses for user tokens.
const (
	TypeUser = "vnd.backstage.user"
	Audience = "backstage"
)

// MaxTokenLength is the longest token issued; Backstage refuses longer ones (too many groups).
const MaxTokenLength = 32768

// ErrInvalidToken is wrapped by every verification failure.
var ErrInvalidToken = errors.New("invalid identity token")

// KeyStore is where public keys are published (the auth plugin's store).
type KeyStore interface {
	AddKey(ctx context.Context, k store.Key) error
	ListKeys(ctx context.Context) ([]store.Key, error)
	DeleteKeys(ctx context.Context, kids ...string) error
}

// Options configure an Issuer.
type Options struct {
	Store KeyStore
	// Issuer is the iss claim: the external base URL of the auth plugin.
	Issuer string
	// TokenLifetime is how long a token is valid (default 1h).
	TokenLifetime time.Duration
	// RotationPeriod is how long one key signs before a new one replaces it (default
	// TokenLifetime).
	RotationPeriod time.Duration
	// Now is the clock (default time.Now).
	Now    func() time.Time
	Logger *slog.Logger
}

// Issuer signs user identity tokens.
type Issuer struct {
	opts Options

	mu      sync.Mutex
	current *signingKey
	// next is published ahead of use, so verifiers that cache the JWKS already know it when
	// it starts signing (a cache refetches on an unknown kid only so often).
	next *signingKey
}

type signingKey struct {
	kid     string
	priv    *ecdsa.PrivateKey
	created time.Time // when it started signing (for next: when it was published)
	expires time.Time // when it stops being published
}

// New returns an issuer; it makes its first key lazily.
func New(opts Options) *Issuer {
	if opts.TokenLifetime <= 0 {
		opts.TokenLifetime = time.Hour
	}
	if opts.RotationPeriod <= 0 {
		opts.RotationPeriod = opts.TokenLifetime
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Issuer{opts: opts}
}

// TokenLifetime is how long issued tokens are valid.
func (i *Issuer) TokenLifetime() time.Duration { return i.opts.TokenLifetime }

// IssuerURL is the iss claim of issued tokens.
func (i *Issuer) IssuerURL() string { return i.opts.Issuer }

// Identity is who a token speaks for.
type Identity struct {
	// UserEntityRef is the sub claim, a full user entity ref ("user:default/jane").
	UserEntityRef string
	// OwnershipEntityRefs is the ent claim.
	OwnershipEntityRefs []string
}

// Claims are the claims of a user token.
type Claims struct {
	jwt.Claims
	Ent []string `json:"ent,omitempty"`
	Typ string   `json:"typ,omitempty"`
}

// Issue signs a token for id and returns it with its expiry.
func (i *Issuer) Issue(ctx context.Context, id Identity) (string, time.Time, error) {
	key, err := i.signingKey(ctx)
	if err != nil {
		return "", time.Time{}, err
	}
	now := i.opts.Now().Truncate(time.Second)
	exp := now.Add(i.opts.TokenLifetime)
	ent := id.OwnershipEntityRefs
	if len(ent) == 0 {
		ent = []string{id.UserEntityRef}
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key.priv},
		(&jose.SignerOptions{}).WithType(TypeUser).WithHeader(jose.HeaderKey("kid"), key.kid))
	if err != nil {
		return "", time.Time{}, fmt.Errorf("issue token: %w", err)
	}
	claims := Claims{
		Claims: jwt.Claims{
			Issuer:   i.opts.Issuer,
			Subject:  id.UserEntityRef,
			Audience: jwt.Audience{Audience},
			IssuedAt: jwt.NewNumericDate(now),
			Expiry:   jwt.NewNumericDate(exp),
		},
		Ent: ent,
		Typ: TypeUser,
	}
	tok, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		return "", time.Time{}, fmt.Errorf("issue token: %w", err)
	}
	if len(tok) > MaxTokenLength {
		return "", time.Time{}, fmt.Errorf("issue token: token for %s is %d characters, longer than %d (too many ownership refs)", id.UserEntityRef, len(tok), MaxTokenLength)
	}
	return tok, exp, nil
}

// signingKey returns the current key. When the current one has signed for its rotation period,
// the pre-published next key takes over (unless it would stop being published too soon) and a
// new next key is published.
func (i *Issuer) signingKey(ctx context.Context) (*signingKey, error) {
	i.mu.Lock()
	defer i.mu.Unlock()
	now := i.opts.Now()
	if i.current != nil && now.Before(i.current.created.Add(i.opts.RotationPeriod)) {
		return i.current, nil
	}
	life := i.opts.RotationPeriod + i.opts.TokenLifetime + time.Minute
	if n := i.next; n != nil && !n.expires.Before(now.Add(life)) {
		n.created = now
		i.current, i.next = n, nil
	} else {
		// Published before first use, so a token never names a kid verifiers cannot find.
		k, err := i.publish(ctx, now, now.Add(life))
		if err != nil {
			return nil, err
		}
		i.current, i.next = k, nil
	}
	// The next key is due in one rotation period, but issuing may pause: it stays usable if it
	// takes over within two, else a fresh key replaces it then.
	if n, err := i.publish(ctx, now, now.Add(2*i.opts.RotationPeriod+life)); err != nil {
		i.opts.Logger.WarnContext(ctx, "publish next signing key", "err", err)
	} else {
		i.next = n
	}
	return i.current, nil
}

// publish makes a key pair and stores its public half.
func (i *Issuer) publish(ctx context.Context, now, expires time.Time) (*signingKey, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	k := &signingKey{kid: uuid.NewString(), priv: priv, created: now, expires: expires}
	jwk, err := json.Marshal(jose.JSONWebKey{Key: &priv.PublicKey, KeyID: k.kid, Algorithm: string(jose.ES256), Use: "sig"})
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	if err := i.opts.Store.AddKey(ctx, store.Key{KID: k.kid, JWK: jwk, CreatedAt: now, ExpiresAt: expires}); err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	i.opts.Logger.InfoContext(ctx, "new identity token signing key", "kid", k.kid)
	return k, nil
}

// JWKS returns the public keys of every token that may still be live, pruning the rest.
func (i *Issuer) JWKS(ctx context.Context) (jose.JSONWebKeySet, error) {
	keys, err := i.opts.Store.ListKeys(ctx)
	if err != nil {
		return jose.JSONWebKeySet{}, err
	}
	now := i.opts.Now()
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{}}
	var expired []string
	for _, k := range keys {
		if !now.Before(k.ExpiresAt) {
			expired = append(expired, k.KID)
			continue
		}
		var jwk jose.JSONWebKey
		if err := json.Unmarshal(k.JWK, &jwk); err != nil {
			i.opts.Logger.WarnContext(ctx, "unreadable signing key skipped", "kid", k.KID, "err", err)
			continue
		}
		set.Keys = append(set.Keys, jwk)
	}
	if len(expired) > 0 {
		if err := i.opts.Store.DeleteKeys(ctx, expired...); err != nil {
			i.opts.Logger.WarnContext(ctx, "prune signing keys", "err", err)
		}
	}
	return set, nil
}

// Verify checks a user token issued by this plugin (any replica) and returns its claims.
func (i *Issuer) Verify(ctx context.Context, token string) (*Claims, error) {
	tok, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	if len(tok.Headers) != 1 {
		return nil, fmt.Errorf("%w: want one signature", ErrInvalidToken)
	}
	h := tok.Headers[0]
	if typ, _ := h.ExtraHeaders[jose.HeaderType].(string); typ != TypeUser {
		return nil, fmt.Errorf("%w: typ %q is not %s", ErrInvalidToken, typ, TypeUser)
	}
	set, err := i.JWKS(ctx)
	if err != nil {
		return nil, err
	}
	keys := set.Key(h.KeyID)
	if h.KeyID == "" || len(keys) == 0 {
		return nil, fmt.Errorf("%w: unknown key %q", ErrInvalidToken, h.KeyID)
	}
	var c Claims
	if err := tok.Claims(keys[0].Key, &c); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	if c.Expiry == nil || c.IssuedAt == nil || c.Subject == "" {
		return nil, fmt.Errorf("%w: missing exp, iat or sub", ErrInvalidToken)
	}
	err = c.ValidateWithLeeway(jwt.Expected{Issuer: i.opts.Issuer, AnyAudience: jwt.Audience{Audience}, Time: i.opts.Now()}, 0)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	return &c, nil
}
