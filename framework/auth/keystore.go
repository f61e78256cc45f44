package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/google/uuid"

	"github.com/portico-dev/portico/framework/database"
)

//go:embed migrations
var migrationsFS embed.FS

// migrationNamespace keeps the key table's versions apart from the plugin's own.
const migrationNamespace = "auth-keys"

// Default key timings: a key signs for KeyDuration, and stays published for as long as a token
// it signed can live (TokenLifetime) plus a minute of clock skew.
const (
	DefaultKeyDuration   = time.Hour
	DefaultTokenLifetime = time.Hour
	clockSkew            = time.Minute
)

// KeyStoreOptions tune a KeyStore; zero values take the defaults.
type KeyStoreOptions struct {
	// KeyDuration is how long one key signs new tokens before a new key replaces it.
	KeyDuration time.Duration
	// TokenLifetime is the longest lifetime of a token signed by the store's keys.
	TokenLifetime time.Duration
	// Now is the clock (time.Now by default).
	Now func() time.Time
}

// KeyStore holds a plugin's ES256 signing keys. As in Backstage, a private key never leaves the
// process that made it: it lives in memory only, and only its public half is stored, in the
// table portico_plugin_public_keys of the plugin's database, so whoever reads the database (or
// its file) cannot sign tokens. A key is created on first use, signs for KeyDuration, and is
// published (listed by PublicKeys) until every token it may have signed has expired; then it
// is deleted. Replicas each create their own keys and all publish the union, so a token signed
// by any replica verifies against the JWKS served by any other; a restarted process makes a new
// key, and the tokens its previous incarnation signed keep verifying through the public keys
// left in the table.
type KeyStore struct {
	db       *database.DB
	pluginID string
	opts     KeyStoreOptions

	mu      sync.Mutex
	current *signingKey
	next    *signingKey // published ahead of use

	pruneMu  sync.Mutex
	prunedAt time.Time // last deletion of expired keys
}

// pruneEvery spaces the deletions of expired keys: the JWKS route is open to anyone, and each
// request must not cost a write (listing filters expired keys anyway).
const pruneEvery = time.Minute

type signingKey struct {
	jwk       jose.JSONWebKey // private: held in memory only
	signUntil time.Time
	expiresAt time.Time
}

// NewKeyStore migrates the key table in db and returns the plugin's key store.
func NewKeyStore(ctx context.Context, db *database.DB, opts KeyStoreOptions) (*KeyStore, error) {
	if opts.KeyDuration <= 0 {
		opts.KeyDuration = DefaultKeyDuration
	}
	if opts.TokenLifetime <= 0 {
		opts.TokenLifetime = DefaultTokenLifetime
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	sub, err := fs.Sub(migrationsFS, "migrations")
	if err != nil {
		return nil, err
	}
	if err := db.MigrateNamespace(ctx, migrationNamespace, sub); err != nil {
		return nil, fmt.Errorf("auth key store: %w", err)
	}
	return &KeyStore{db: db, pluginID: db.PluginID, opts: opts}, nil
}

// TokenLifetime is the longest lifetime a token signed by this store may have.
func (k *KeyStore) TokenLifetime() time.Duration { return k.opts.TokenLifetime }

// SigningKey returns the key to sign with now and the latest expiry a token signed with it may
// carry. It creates and stores a new key when there is none or the current one stopped signing.
// Keys are stored before they are used, and the next key is created a little before the current
// one stops signing (see publishLead), so verifiers that fetched the key set recently find it
// there when the first token signed by it arrives.
func (k *KeyStore) SigningKey(ctx context.Context) (jose.JSONWebKey, time.Time, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	now := k.opts.Now()
	if k.current != nil && now.Before(k.current.signUntil) {
		if k.next == nil && !now.Before(k.current.signUntil.Add(-k.publishLead())) {
			next, err := k.create(ctx, k.current.signUntil)
			if err != nil {
				return jose.JSONWebKey{}, time.Time{}, err
			}
			k.next = next
		}
		return k.current.jwk, k.current.expiresAt, nil
	}
	if k.next != nil && now.Before(k.next.signUntil) {
		k.current, k.next = k.next, nil
		return k.current.jwk, k.current.expiresAt, nil
	}
	sk, err := k.create(ctx, now)
	if err != nil {
		return jose.JSONWebKey{}, time.Time{}, err
	}
	k.current, k.next = sk, nil
	return sk.jwk, sk.expiresAt, nil
}

// publishLead is how long before use the next key is published: a minute, or a tenth of the
// key duration when that is shorter.
func (k *KeyStore) publishLead() time.Duration {
	return min(time.Minute, k.opts.KeyDuration/10)
}

// create generates a key that signs from start for KeyDuration and stores its public half.
func (k *KeyStore) create(ctx context.Context, start time.Time) (*signingKey, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate signing key: %w", err)
	}
	kid := uuid.NewString()
	jwk := jose.JSONWebKey{Key: priv, KeyID: kid, Algorithm: string(jose.ES256), Use: "sig"}
	pub, err := json.Marshal(jwk.Public())
	if err != nil {
		return nil, fmt.Errorf("encode public key: %w", err)
	}
	sk := &signingKey{
		jwk:       jwk,
		signUntil: start.Add(k.opts.KeyDuration),
		expiresAt: start.Add(k.opts.KeyDuration + k.opts.TokenLifetime + clockSkew),
	}
	_, err = k.db.ExecContext(ctx, k.db.Dialect.Rebind(
		`INSERT INTO portico_plugin_public_keys (plugin_id, kid, public_jwk, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`),
		k.pluginID, kid, string(pub), database.NewNullTime(k.opts.Now()), database.NewNullTime(sk.expiresAt))
	if err != nil {
		return nil, fmt.Errorf("publish signing key: %w", err)
	}
	return sk, nil
}

// PublicKeys lists the public keys of every unexpired key, and deletes expired ones (at most
// once per pruneEvery).
func (k *KeyStore) PublicKeys(ctx context.Context) (jose.JSONWebKeySet, error) {
	t := k.opts.Now()
	now := database.NewNullTime(t)
	k.pruneMu.Lock()
	prune := k.prunedAt.IsZero() || t.Sub(k.prunedAt) >= pruneEvery
	if prune {
		k.prunedAt = t
	}
	k.pruneMu.Unlock()
	if prune {
		if _, err := k.db.ExecContext(ctx, k.db.Dialect.Rebind(
			`DELETE FROM portico_plugin_public_keys WHERE plugin_id = ? AND expires_at <= ?`), k.pluginID, now); err != nil {
			return jose.JSONWebKeySet{}, fmt.Errorf("prune signing keys: %w", err)
		}
	}
	rows, err := k.db.QueryContext(ctx, k.db.Dialect.Rebind(
		`SELECT kid, public_jwk FROM portico_plugin_public_keys WHERE plugin_id = ? AND expires_at > ? ORDER BY created_at, kid`), k.pluginID, now)
	if err != nil {
		return jose.JSONWebKeySet{}, fmt.Errorf("list signing keys: %w", err)
	}
	defer rows.Close()
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{}}
	for rows.Next() {
		var kid, pub string
		if err := rows.Scan(&kid, &pub); err != nil {
			return jose.JSONWebKeySet{}, fmt.Errorf("list signing keys: %w", err)
		}
		var jwk jose.JSONWebKey
		if err := json.Unmarshal([]byte(pub), &jwk); err != nil {
			return jose.JSONWebKeySet{}, fmt.Errorf("signing key %s: %w", kid, err)
		}
		set.Keys = append(set.Keys, jwk)
	}
	if err := rows.Err(); err != nil {
		return jose.JSONWebKeySet{}, fmt.Errorf("list signing keys: %w", err)
	}
	return set, nil
}

// DeleteKey removes a key (operators revoking a key; tests of rotated-out keys).
func (k *KeyStore) DeleteKey(ctx context.Context, kid string) error {
	_, err := k.db.ExecContext(ctx, k.db.Dialect.Rebind(
		`DELETE FROM portico_plugin_public_keys WHERE plugin_id = ? AND kid = ?`), k.pluginID, kid)
	if err != nil {
		return fmt.Errorf("delete signing key %s: %w", kid, err)
	}
	k.mu.Lock()
	if k.current != nil && k.current.jwk.KeyID == kid {
		k.current = nil
	}
	if k.next != nil && k.next.jwk.KeyID == kid {
		k.next = nil
	}
	k.mu.Unlock()
	return nil
}
