package database

import (
	"strconv"
	"strings"
)

// Dialect names.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Dialect is the small set of differences stores need to write one SQL text
// for both servers. Compare Name with [SQLite] or [Postgres].
type Dialect struct {
	Name string
}

// IsPostgres reports whether the dialect is PostgreSQL.
func (d Dialect) IsPostgres() bool { return d.Name == Postgres }

// Rebind rewrites '?' placeholders to $1, $2, ... on PostgreSQL and returns
// the query unchanged on SQLite. Question marks inside string literals
// ('...', E'...', $tag$...$tag$), quoted identifiers and comments are left
// alone. On PostgreSQL "??" yields a literal '?' (the jsonb operator).
func (d Dialect) Rebind(query string) string {
	if d.Name != Postgres || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	for i := 0; i < len(query); {
		c := query[i]
		switch {
		case c == '\'':
			escapes := i > 0 && (query[i-1] == 'E' || query[i-1] == 'e') && (i < 2 || !isIdentByte(query[i-2]))
			j := skipQuoted(query, i, '\'', escapes)
			b.WriteString(query[i:j])
			i = j
		case c == '"':
			j := skipQuoted(query, i, '"', false)
			b.WriteString(query[i:j])
			i = j
		case c == '-' && i+1 < len(query) && query[i+1] == '-':
			j := strings.IndexByte(query[i:], '\n')
			if j < 0 {
				j = len(query) - i
			}
			b.WriteString(query[i : i+j])
			i += j
		case c == '/' && i+1 < len(query) && query[i+1] == '*':
			j := skipBlockComment(query, i)
			b.WriteString(query[i:j])
			i = j
		case c == '$' && (i == 0 || !isIdentByte(query[i-1])):
			if tag, ok := dollarTag(query, i); ok {
				end := strings.Index(query[i+len(tag):], tag)
				j := len(query)
				if end >= 0 {
					j = i + len(tag) + end + len(tag)
				}
				b.WriteString(query[i:j])
				i = j
				continue
			}
			b.WriteByte(c)
			i++
		case c == '?':
			if i+1 < len(query) && query[i+1] == '?' {
				b.WriteByte('?')
				i += 2
				continue
			}
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			i++
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

// skipQuoted returns the index just past the quoted section starting at
// q[i] (the opening quote); a doubled quote is an escaped quote, and with
// backslashes set a backslash escapes the next byte. An unterminated
// section runs to the end.
func skipQuoted(q string, i int, quote byte, backslashes bool) int {
	for j := i + 1; j < len(q); j++ {
		switch q[j] {
		case '\\':
			if backslashes {
				j++
			}
		case quote:
			if j+1 < len(q) && q[j+1] == quote {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(q)
}

// skipBlockComment returns the index just past the /* */ comment starting at
// q[i]; PostgreSQL block comments nest.
func skipBlockComment(q string, i int) int {
	depth := 0
	for j := i; j+1 < len(q); j++ {
		switch {
		case q[j] == '/' && q[j+1] == '*':
			depth++
			j++
		case q[j] == '*' && q[j+1] == '/':
			depth--
			j++
			if depth == 0 {
				return j + 1
			}
		}
	}
	return len(q)
}

// dollarTag returns the $tag$ opening a dollar-quoted string at q[i].
func dollarTag(q string, i int) (string, bool) {
	for j := i + 1; j < len(q); j++ {
		c := q[j]
		switch {
		case c == '$':
			return q[i : j+1], true
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80:
		case c >= '0' && c <= '9' && j > i+1:
		default:
			return "", false
		}
	}
	return "", false
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// JSONText returns an SQL expression for the value at a dotted path inside a
// JSON document stored (as text or jsonb) in column, as text:
// json_extract(col, '$."a"."b"') on SQLite and (col)::jsonb #>> '{"a","b"}' on
// PostgreSQL. An empty path selects the whole document. Use [JSONTextKeys]
// when a key contains a dot.
//
// Strings compare equal on both servers; numbers and booleans come back as
// SQL numbers on SQLite (true is 1) but as text on PostgreSQL, so compare
// those through their string parameters only with care.
func (d Dialect) JSONText(column, path string) string {
	if path == "" {
		return d.JSONTextKeys(column)
	}
	return d.JSONTextKeys(column, strings.Split(path, ".")...)
}

// JSONTextKeys is [Dialect.JSONText] with the path given as separate keys, so
// keys may contain dots (annotation names do). It panics if a key contains a
// double quote, which SQLite's JSON paths cannot express.
func (d Dialect) JSONTextKeys(column string, keys ...string) string {
	if d.Name == Postgres {
		elems := make([]string, len(keys))
		for i, k := range keys {
			k = strings.ReplaceAll(k, `\`, `\\`)
			elems[i] = `"` + strings.ReplaceAll(k, `"`, `\"`) + `"`
		}
		return "((" + column + ")::jsonb #>> " + sqlString("{"+strings.Join(elems, ",")+"}") + ")"
	}
	var p strings.Builder
	p.WriteString("$")
	for _, k := range keys {
		if strings.ContainsRune(k, '"') {
			panic("database: JSON key " + strconv.Quote(k) + " contains a double quote")
		}
		p.WriteString(`."`)
		p.WriteString(k)
		p.WriteString(`"`)
	}
	return "json_extract(" + column + ", " + sqlString(p.String()) + ")"
}

// ForUpdateSkipLocked returns the row-locking clause for claiming queue rows:
// "FOR UPDATE SKIP LOCKED" on PostgreSQL and "" on SQLite, where the single
// writer (BEGIN IMMEDIATE) already serialises claims.
func (d Dialect) ForUpdateSkipLocked() string {
	if d.Name == Postgres {
		return "FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// sqlString quotes s as an SQL string literal.
func sqlString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
