package database

import (
	"strings"
	"testing"
)

func TestRebind(t *testing.T) {
	tests := []struct {
		name  string
		query string
		want  string
	}{
		{name: "no placeholders", query: "SELECT 1", want: "SELECT 1"},
		{name: "several", query: "SELECT * FROM t WHERE a = ? AND b IN (?, ?)", want: "SELECT * FROM t WHERE a = $1 AND b IN ($2, $3)"},
		{name: "at start and end", query: "?,?", want: "$1,$2"},
		{name: "single quoted", query: "SELECT '?', ? FROM t", want: "SELECT '?', $1 FROM t"},
		{name: "doubled quote inside string", query: "SELECT 'it''s ?', ?", want: "SELECT 'it''s ?', $1"},
		{name: "escape string with backslash quote", query: `SELECT E'a\'?', ?`, want: `SELECT E'a\'?', $1`},
		{name: "backslash in standard string", query: `SELECT 'a\', ?`, want: `SELECT 'a\', $1`},
		{name: "identifier ending in e is not an escape string", query: `SELECT type'?' , ?`, want: `SELECT type'?' , $1`},
		{name: "quoted identifier", query: `SELECT "we?ird" FROM t WHERE x = ?`, want: `SELECT "we?ird" FROM t WHERE x = $1`},
		{name: "line comment", query: "SELECT ? -- why?\n, ?", want: "SELECT $1 -- why?\n, $2"},
		{name: "line comment at end", query: "SELECT ? -- why?", want: "SELECT $1 -- why?"},
		{name: "block comment", query: "SELECT /* ? */ ?", want: "SELECT /* ? */ $1"},
		{name: "nested block comment", query: "SELECT /* a /* ? */ ? */ ?", want: "SELECT /* a /* ? */ ? */ $1"},
		{name: "dollar quoted", query: "SELECT $$ ? $$, ?", want: "SELECT $$ ? $$, $1"},
		{name: "tagged dollar quote", query: "SELECT $fn$ ? $$ ? $fn$, ?", want: "SELECT $fn$ ? $$ ? $fn$, $1"},
		{name: "existing numbered param untouched", query: "SELECT $1, ?", want: "SELECT $1, $1"},
		{name: "doubled question mark is jsonb operator", query: "SELECT data ?? 'k' FROM t WHERE id = ?", want: "SELECT data ? 'k' FROM t WHERE id = $1"},
		{name: "unterminated string", query: "SELECT ?, 'abc ?", want: "SELECT $1, 'abc ?"},
		{name: "more than nine", query: strings.Repeat("?,", 10) + "?", want: "$1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11"},
		{name: "cast after placeholder", query: "SELECT ?::jsonb", want: "SELECT $1::jsonb"},
	}
	pg := Dialect{Name: Postgres}
	lite := Dialect{Name: SQLite}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := pg.Rebind(tt.query); got != tt.want {
				t.Errorf("postgres Rebind(%q)\n got %q\nwant %q", tt.query, got, tt.want)
			}
			if got := lite.Rebind(tt.query); got != tt.query {
				t.Errorf("sqlite Rebind(%q) = %q, want it unchanged", tt.query, got)
			}
		})
	}
}

func TestJSONText(t *testing.T) {
	tests := []struct {
		name       string
		column     string
		path       string
		keys       []string
		wantSQLite string
		wantPG     string
	}{
		{
			name: "dotted path", column: "data", path: "metadata.name",
			wantSQLite: `json_extract(data, '$."metadata"."name"')`,
			wantPG:     `((data)::jsonb #>> '{"metadata","name"}')`,
		},
		{
			name: "whole document", column: "t.data", path: "",
			wantSQLite: `json_extract(t.data, '$')`,
			wantPG:     `((t.data)::jsonb #>> '{}')`,
		},
		{
			name: "keys with dots slashes and quotes", column: "data",
			keys:       []string{"annotations", "backstage.io/it's"},
			wantSQLite: `json_extract(data, '$."annotations"."backstage.io/it''s"')`,
			wantPG:     `((data)::jsonb #>> '{"annotations","backstage.io/it''s"}')`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, d := range []struct {
				dialect Dialect
				want    string
			}{{Dialect{Name: SQLite}, tt.wantSQLite}, {Dialect{Name: Postgres}, tt.wantPG}} {
				var got string
				if tt.keys != nil {
					got = d.dialect.JSONTextKeys(tt.column, tt.keys...)
				} else {
					got = d.dialect.JSONText(tt.column, tt.path)
				}
				if got != d.want {
					t.Errorf("%s: got %s, want %s", d.dialect.Name, got, d.want)
				}
			}
		})
	}
	t.Run("pg escapes double quotes in keys", func(t *testing.T) {
		got := Dialect{Name: Postgres}.JSONTextKeys("d", `a"b`)
		if want := `((d)::jsonb #>> '{"a\"b"}')`; got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	})
	t.Run("sqlite panics on double quote in key", func(t *testing.T) {
		defer func() {
			if recover() == nil {
				t.Error("no panic")
			}
		}()
		Dialect{Name: SQLite}.JSONTextKeys("d", `a"b`)
	})
}

func TestForUpdateSkipLocked(t *testing.T) {
	if got := (Dialect{Name: Postgres}).ForUpdateSkipLocked(); got != "FOR UPDATE SKIP LOCKED" {
		t.Errorf("postgres: got %q", got)
	}
	if got := (Dialect{Name: SQLite}).ForUpdateSkipLocked(); got != "" {
		t.Errorf("sqlite: got %q, want empty", got)
	}
}
