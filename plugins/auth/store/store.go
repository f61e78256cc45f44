// Package store keeps the auth plugin's shared state in its database: the public keys that
// verify user identity tokens (every replica publishes the union) and the secrets replicas must
// share. It is one SQL implementation for SQLite and PostgreSQL.
//
// Contract: AddKey is atomic and fails with ErrConflict when the kid exists; ListKeys returns
// keys oldest first with UTC times; DeleteKeys ignores kids that are gone; Secret returns the
// one value stored under a name, creating it exactly once even when replicas race.
package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/portico-dev/portico/framework/database"
)

// ErrConflict is returned when a key with the same kid already exists.
var ErrConflict = errors.New("conflict")

// Key is the public half of a signing key.
type Key struct {
	KID string
	// JWK is the public key as a JSON Web Key document.
	JWK []byte
	// CreatedAt is when the key started signing; ExpiresAt is when the last token it may have
	// signed expires, after which it is no longer published.
	CreatedAt, ExpiresAt time.Time
}

// Store is the auth plugin's store.
type Store struct {
	db *database.DB
}

// New returns a store on db, whose migrations have been applied.
func New(db *database.DB) *Store { return &Store{db: db} }

// AddKey publishes a public key.
func (s *Store) AddKey(ctx context.Context, k Key) error {
	q := s.db.Dialect.Rebind(`INSERT INTO signing_keys (kid, key, created_at, expires_at) VALUES (?, ?, ?, ?) ON CONFLICT (kid) DO NOTHING`)
	res, err := s.db.ExecContext(ctx, q, k.KID, string(k.JWK), k.CreatedAt.UTC(), k.ExpiresAt.UTC())
	if err != nil {
		return fmt.Errorf("add signing key %s: %w", k.KID, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("add signing key %s: %w", k.KID, ErrConflict)
	}
	return nil
}

// ListKeys returns every published key, oldest first.
func (s *Store) ListKeys(ctx context.Context) ([]Key, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT kid, key, created_at, expires_at FROM signing_keys ORDER BY created_at, kid`)
	if err != nil {
		return nil, fmt.Errorf("list signing keys: %w", err)
	}
	defer rows.Close()
	var out []Key
	for rows.Next() {
		var k Key
		var jwk string
		var created, expires database.NullTime
		if err := rows.Scan(&k.KID, &jwk, &created, &expires); err != nil {
			return nil, fmt.Errorf("list signing keys: %w", err)
		}
		k.JWK, k.CreatedAt, k.ExpiresAt = []byte(jwk), created.Time, expires.Time
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list signing keys: %w", err)
	}
	return out, nil
}

// DeleteKeys removes keys by kid.
func (s *Store) DeleteKeys(ctx context.Context, kids ...string) error {
	q := s.db.Dialect.Rebind(`DELETE FROM signing_keys WHERE kid = ?`)
	for _, kid := range kids {
		if _, err := s.db.ExecContext(ctx, q, kid); err != nil {
			return fmt.Errorf("delete signing key %s: %w", kid, err)
		}
	}
	return nil
}

// Secret returns the secret stored under name; when there is none it stores gen's value. When
// replicas race, all of them get the first value stored.
func (s *Store) Secret(ctx context.Context, name string, gen func() ([]byte, error)) ([]byte, error) {
	if v, err := s.secret(ctx, name); err == nil || !errors.Is(err, sql.ErrNoRows) {
		return v, err
	}
	v, err := gen()
	if err != nil {
		return nil, fmt.Errorf("secret %s: %w", name, err)
	}
	q := s.db.Dialect.Rebind(`INSERT INTO auth_secrets (name, value, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING`)
	if _, err := s.db.ExecContext(ctx, q, name, base64.StdEncoding.EncodeToString(v), time.Now().UTC()); err != nil {
		return nil, fmt.Errorf("secret %s: %w", name, err)
	}
	return s.secret(ctx, name)
}

func (s *Store) secret(ctx context.Context, name string) ([]byte, error) {
	var v string
	err := s.db.QueryRowContext(ctx, s.db.Dialect.Rebind(`SELECT value FROM auth_secrets WHERE name = ?`), name).Scan(&v)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		return nil, fmt.Errorf("secret %s: %w", name, err)
	}
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return nil, fmt.Errorf("secret %s: %w", name, err)
	}
	return b, nil
}
