package database_test

import (
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/database/databasetest"
)

// mustExec runs one statement written with '?' placeholders.
func mustExec(t *testing.T, db *database.DB, query string, args ...any) sql.Result {
	t.Helper()
	res, err := db.ExecContext(t.Context(), db.Dialect.Rebind(query), args...)
	if err != nil {
		t.Fatalf("exec %q: %v", query, err)
	}
	return res
}

func TestUpsertAndReturning(t *testing.T) {
	databasetest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		mustExec(t, db, `CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT NOT NULL, n INTEGER NOT NULL DEFAULT 0)`)
		const upsert = `INSERT INTO kv (k, v, n) VALUES (?, ?, 1)
			ON CONFLICT (k) DO UPDATE SET v = excluded.v, n = kv.n + 1
			RETURNING k, v, n`
		tests := []struct {
			name  string
			k, v  string
			wantN int
		}{
			{name: "insert", k: "a", v: "one", wantN: 1},
			{name: "update existing", k: "a", v: "two", wantN: 2},
			{name: "insert other", k: "b", v: "x", wantN: 1},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var k, v string
				var n int
				if err := db.QueryRowContext(t.Context(), db.Dialect.Rebind(upsert), tt.k, tt.v).Scan(&k, &v, &n); err != nil {
					t.Fatalf("upsert: %v", err)
				}
				if k != tt.k || v != tt.v || n != tt.wantN {
					t.Errorf("RETURNING = (%s, %s, %d), want (%s, %s, %d)", k, v, n, tt.k, tt.v, tt.wantN)
				}
			})
		}
		t.Run("update returning", func(t *testing.T) {
			rows, err := db.QueryContext(t.Context(), db.Dialect.Rebind(`UPDATE kv SET n = n + 10 WHERE n >= ? RETURNING k`), 1)
			if err != nil {
				t.Fatalf("update: %v", err)
			}
			defer func() { _ = rows.Close() }()
			count := 0
			for rows.Next() {
				count++
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if count != 2 {
				t.Errorf("RETURNING gave %d rows, want 2", count)
			}
		})
		t.Run("do nothing returns no row", func(t *testing.T) {
			err := db.QueryRowContext(t.Context(), db.Dialect.Rebind(
				`INSERT INTO kv (k, v) VALUES (?, ?) ON CONFLICT (k) DO NOTHING RETURNING k`), "a", "z").Scan(new(string))
			if !errors.Is(err, sql.ErrNoRows) {
				t.Errorf("got %v, want sql.ErrNoRows", err)
			}
		})
	})
}

func TestIsUniqueViolation(t *testing.T) {
	databasetest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		mustExec(t, db, `CREATE TABLE u (id INTEGER PRIMARY KEY, email TEXT UNIQUE, ref INTEGER NOT NULL)`)
		mustExec(t, db, `INSERT INTO u (id, email, ref) VALUES (1, 'a@x', 1)`)
		tests := []struct {
			name  string
			query string
			want  bool
		}{
			{name: "unique column", query: `INSERT INTO u (id, email, ref) VALUES (2, 'a@x', 1)`, want: true},
			{name: "primary key", query: `INSERT INTO u (id, email, ref) VALUES (1, 'b@x', 1)`, want: true},
			{name: "not null is not unique", query: `INSERT INTO u (id, email, ref) VALUES (3, 'c@x', NULL)`, want: false},
			{name: "syntax error", query: `INSERT INTO nope VALUES (1)`, want: false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := db.ExecContext(t.Context(), tt.query)
				if err == nil {
					t.Fatal("want an error")
				}
				if got := database.IsUniqueViolation(err); got != tt.want {
					t.Errorf("IsUniqueViolation(%v) = %v, want %v", err, got, tt.want)
				}
			})
		}
		if database.IsUniqueViolation(nil) {
			t.Error("IsUniqueViolation(nil) = true")
		}
	})
}

func TestJSONTextQueries(t *testing.T) {
	databasetest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		mustExec(t, db, `CREATE TABLE docs (id INTEGER PRIMARY KEY, data TEXT NOT NULL)`)
		docs := []string{
			`{"kind":"Component","metadata":{"name":"a","annotations":{"backstage.io/source":"url:x"}},"spec":{"lifecycle":"production"}}`,
			`{"kind":"Component","metadata":{"name":"b"},"spec":{"lifecycle":"experimental"}}`,
			`{"kind":"API","metadata":{"name":"c","annotations":{"backstage.io/source":"url:y"}}}`,
		}
		for i, d := range docs {
			mustExec(t, db, `INSERT INTO docs (id, data) VALUES (?, ?)`, i+1, d)
		}
		d := db.Dialect
		tests := []struct {
			name  string
			expr  string
			value string
			want  []int
		}{
			{name: "top level", expr: d.JSONText("data", "kind"), value: "Component", want: []int{1, 2}},
			{name: "nested", expr: d.JSONText("data", "spec.lifecycle"), value: "experimental", want: []int{2}},
			{name: "key with dot and slash", expr: d.JSONTextKeys("data", "metadata", "annotations", "backstage.io/source"), value: "url:y", want: []int{3}},
			{name: "missing path matches nothing", expr: d.JSONText("data", "spec.owner"), value: "x", want: nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got := databasetest.Column[int](t, db, "SELECT id FROM docs WHERE "+tt.expr+" = ? ORDER BY id", tt.value)
				if len(got) != len(tt.want) || (len(got) > 0 && !equalInts(got, tt.want)) {
					t.Errorf("%s = %q matched %v, want %v", tt.expr, tt.value, got, tt.want)
				}
			})
		}
		t.Run("null for missing path", func(t *testing.T) {
			var v sql.NullString
			if err := db.QueryRowContext(t.Context(), "SELECT "+d.JSONText("data", "spec.owner")+" FROM docs WHERE id = 1").Scan(&v); err != nil {
				t.Fatal(err)
			}
			if v.Valid {
				t.Errorf("got %q, want NULL", v.String)
			}
		})
	})
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestNullTimeRoundTripAndOrder(t *testing.T) {
	databasetest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		ts := "TIMESTAMP"
		if db.Dialect.IsPostgres() {
			ts = "TIMESTAMPTZ"
		}
		mustExec(t, db, `CREATE TABLE ev (id INTEGER PRIMARY KEY, at `+ts+` NULL)`)
		base := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
		times := []time.Time{
			base.Add(1500 * time.Millisecond), // fractional seconds
			base,
			base.Add(time.Second).In(time.FixedZone("X", 3*3600)), // another zone
			base.Add(1250 * time.Millisecond),
		}
		for i, at := range times {
			mustExec(t, db, `INSERT INTO ev (id, at) VALUES (?, ?)`, i+1, database.NewNullTime(at))
		}
		mustExec(t, db, `INSERT INTO ev (id, at) VALUES (?, ?)`, 99, database.NullTime{})

		t.Run("round trip", func(t *testing.T) {
			for i, want := range times {
				var got database.NullTime
				if err := db.QueryRowContext(t.Context(), db.Dialect.Rebind(`SELECT at FROM ev WHERE id = ?`), i+1).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if !got.Valid || !got.Time.Equal(want) || got.Time.Location() != time.UTC {
					t.Errorf("id %d: got %v (valid %v), want %v in UTC", i+1, got.Time, got.Valid, want)
				}
			}
			var null database.NullTime
			if err := db.QueryRowContext(t.Context(), `SELECT at FROM ev WHERE id = 99`).Scan(&null); err != nil {
				t.Fatal(err)
			}
			if null.Valid {
				t.Errorf("NULL scanned as %v", null.Time)
			}
		})
		t.Run("order and comparison", func(t *testing.T) {
			got := databasetest.Column[int](t, db, `SELECT id FROM ev WHERE at <= ? ORDER BY at`, base.Add(1250*time.Millisecond))
			if want := []int{2, 3, 4}; !equalInts(got, want) {
				t.Errorf("ids with at <= base+1.25s in order = %v, want %v", got, want)
			}
		})
		t.Run("max of expressions", func(t *testing.T) {
			var got database.NullTime
			if err := db.QueryRowContext(t.Context(), `SELECT max(at) FROM ev`).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if want := base.Add(1500 * time.Millisecond); !got.Time.Equal(want) {
				t.Errorf("max(at) = %v, want %v", got.Time, want)
			}
		})
	})
}
