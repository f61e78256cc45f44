package database

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// NullTime is a nullable timestamp that scans what either driver returns for
// a timestamp column (time.Time from pgx and from SQLite columns declared
// DATETIME/TIMESTAMP, text from SQLite expressions such as RETURNING or
// max()) and binds as UTC. Scanned values are in UTC.
type NullTime struct {
	Time  time.Time
	Valid bool
}

// NewNullTime returns a valid NullTime holding t.
func NewNullTime(t time.Time) NullTime { return NullTime{Time: t.UTC(), Valid: true} }

// Scan implements sql.Scanner.
func (n *NullTime) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*n = NullTime{}
		return nil
	case time.Time:
		*n = NewNullTime(v)
		return nil
	case string:
		return n.parse(v)
	case []byte:
		return n.parse(string(v))
	default:
		return fmt.Errorf("scan %T into database.NullTime: unsupported type", src)
	}
}

func (n *NullTime) parse(s string) error {
	// The text forms SQLite may hand back, most likely first.
	for _, layout := range [...]string{
		"2006-01-02 15:04:05.999999999-07:00",
		"2006-01-02T15:04:05.999999999Z07:00",
		"2006-01-02 15:04:05.999999999 -0700 MST",
		"2006-01-02 15:04:05.999999999",
		"2006-01-02T15:04:05.999999999",
		"2006-01-02",
	} {
		if t, err := time.Parse(layout, s); err == nil {
			*n = NewNullTime(t)
			return nil
		}
	}
	return fmt.Errorf("scan %q into database.NullTime: unknown time format", s)
}

// Value implements driver.Valuer.
func (n NullTime) Value() (driver.Value, error) {
	if !n.Valid {
		return nil, nil
	}
	return n.Time.UTC(), nil
}
