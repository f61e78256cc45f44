package usersettings

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/portico-dev/portico/framework/database"
)

// Setting is one stored value, in Backstage's response shape.
type Setting struct {
	Bucket string          `json:"bucket"`
	Key    string          `json:"key"`
	Value  json.RawMessage `json:"value"`
}

// Store keeps settings per user in the plugin's database.
type Store struct {
	db  *database.DB
	now func() time.Time
}

// NewStore returns a store over db (migrated by the framework).
func NewStore(db *database.DB, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{db: db, now: now}
}

// Get returns the user's setting, or nil when there is none.
func (s *Store) Get(ctx context.Context, user, bucket, key string) (*Setting, error) {
	var v string
	err := s.db.QueryRowContext(ctx, s.db.Dialect.Rebind(`SELECT value FROM user_settings
		WHERE user_entity_ref = ? AND bucket = ? AND key = ?`), user, bucket, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get user setting: %w", err)
	}
	return &Setting{Bucket: bucket, Key: key, Value: json.RawMessage(v)}, nil
}

// Set stores value (valid JSON) for the user, replacing any previous one.
func (s *Store) Set(ctx context.Context, user, bucket, key string, value json.RawMessage) error {
	if !json.Valid(value) {
		return fmt.Errorf("set user setting: value is not JSON")
	}
	_, err := s.db.ExecContext(ctx, s.db.Dialect.Rebind(`INSERT INTO user_settings (user_entity_ref, bucket, key, value, updated_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (user_entity_ref, bucket, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`),
		user, bucket, key, string(value), database.NewNullTime(s.now()))
	if err != nil {
		return fmt.Errorf("set user setting: %w", err)
	}
	return nil
}

// Delete removes the user's setting; it reports whether there was one.
func (s *Store) Delete(ctx context.Context, user, bucket, key string) (bool, error) {
	res, err := s.db.ExecContext(ctx, s.db.Dialect.Rebind(`DELETE FROM user_settings
		WHERE user_entity_ref = ? AND bucket = ? AND key = ?`), user, bucket, key)
	if err != nil {
		return false, fmt.Errorf("delete user setting: %w", err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}
