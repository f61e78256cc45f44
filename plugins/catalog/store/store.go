// Package store is the catalog's SQL: the processing engine's reads and writes of
// refresh_state, relations, references, refresh keys, final entities, search rows and
// locations, over framework/database on SQLite and PostgreSQL. The engine (plugins/catalog/
// engine) decides what to write; the store knows how. The schema is in migrations/.
package store

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/portico-dev/portico/framework/database"
)

// sqlChunk bounds the values bound in one IN list.
const sqlChunk = 500

// maxInsertParams bounds the values bound in one multi-row INSERT (SQLite allows 32766,
// PostgreSQL 65535): fewer, larger statements cost less per row.
const maxInsertParams = 32000

// upsertChunk is how many entities upsertEntities handles at once.
const upsertChunk = 4000

// Options are what the store takes from its engine.
type Options struct {
	// Logger receives the store's warnings (conflicting entity refs, evicted providers).
	Logger *slog.Logger
	// Now is the engine's clock (UTC, microseconds): it stamps stitch marks and discoveries.
	Now func() time.Time
	// ReferencesRemoved is called when an entity may have lost its last reference (the
	// engine then scans for orphans). May be nil.
	ReferencesRemoved func()
}

// Store is the catalog's SQL over one database. It is safe for concurrent use.
type Store struct {
	db   *database.DB
	log  *slog.Logger
	now  func() time.Time
	refs func()
}

// New returns the store over db; the catalog's migrations must have been applied.
func New(db *database.DB, opts Options) *Store {
	s := &Store{db: db, log: opts.Logger, now: opts.Now, refs: opts.ReferencesRemoved}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
	}
	if s.refs == nil {
		s.refs = func() {}
	}
	return s
}

// NewID returns a random UUID (location ids, tickets).
func NewID() string { return uuid.NewString() }

// newEntityID returns a time-ordered (version 7) UUID for a new entity: rows keyed by it are
// appended at the end of their B-tree indexes instead of landing on random pages, which keeps
// bulk ingestion's page writes local on both databases.
func newEntityID() string {
	id, err := uuid.NewV7()
	if err != nil {
		return NewID()
	}
	return id.String()
}

func (s *Store) referencesRemoved() { s.refs() }

// execer is what both *sql.DB and *sql.Tx offer.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

func (s *Store) q(query string) string { return s.db.Dialect.Rebind(query) }

// inTx runs fn in one transaction (BEGIN IMMEDIATE on SQLite: the single writer).
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return inConnTx(ctx, s.db, fn)
}

// inConnTx is inTx on db, which is a pool or one connection of it.
func inConnTx(ctx context.Context, db interface {
	BeginTx(context.Context, *sql.TxOptions) (*sql.Tx, error)
}, fn func(tx *sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// placeholders returns "?,?,?" for n values.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?,", n-1) + "?"
}

// chunks splits s into slices of at most n.
func chunks[T any](s []T, n int) [][]T {
	return slices.Collect(slices.Chunk(s, n))
}

func anys(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// dedupe returns the distinct strings of s, sorted.
func dedupe(s []string) []string {
	return slices.Compact(slices.Sorted(slices.Values(s)))
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

func nullPtr(s *string) sql.NullString {
	if s == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: *s, Valid: true}
}

// scanRows runs query over x and calls each for every row.
func scanRows(ctx context.Context, x execer, query string, args []any, each func(rows *sql.Rows) error) error {
	rows, err := x.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// collect runs query over x and returns one value per row, as scan reads it.
func collect[T any](ctx context.Context, x execer, query string, args []any, scan func(rows *sql.Rows, v *T) error) ([]T, error) {
	var out []T
	err := scanRows(ctx, x, query, args, func(rows *sql.Rows) error {
		var v T
		if err := scan(rows, &v); err != nil {
			return err
		}
		out = append(out, v)
		return nil
	})
	return out, err
}

// collectTx is collect in a transaction of its own (a claim: UPDATE … RETURNING).
func collectTx[T any](ctx context.Context, s *Store, query string, args []any, scan func(rows *sql.Rows, v *T) error) ([]T, error) {
	var out []T
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = collect(ctx, tx, query, args, scan)
		return err
	})
	return out, err
}

// addPair adds v to the set m[k].
func addPair[K, V comparable](m map[K]map[V]bool, k K, v V) {
	if m[k] == nil {
		m[k] = map[V]bool{}
	}
	m[k][v] = true
}

// scanIn runs a query with an IN list (%s) over chunks of args, calling each for every row.
func (s *Store) scanIn(ctx context.Context, x execer, query string, args []string, each func(rows *sql.Rows) error) error {
	for _, c := range chunks(args, sqlChunk) {
		if err := scanRows(ctx, x, s.q(fmt.Sprintf(query, placeholders(len(c)))), anys(c), each); err != nil {
			return err
		}
	}
	return nil
}

// queryStrings runs a query returning one string column per row, over chunks of args.
func (s *Store) queryStrings(ctx context.Context, x execer, query string, args []string) ([]string, error) {
	var out []string
	err := s.scanIn(ctx, x, query, args, func(rows *sql.Rows) error {
		var v sql.NullString
		if err := rows.Scan(&v); err != nil {
			return err
		}
		if v.Valid {
			out = append(out, v.String)
		}
		return nil
	})
	return out, err
}

// execIn runs a statement with an IN list over chunks of args; extra args come first.
func (s *Store) execIn(ctx context.Context, x execer, stmt string, args []string, extra ...any) error {
	for _, c := range chunks(args, sqlChunk) {
		a := make([]any, 0, len(c)+len(extra))
		a = append(a, extra...)
		for _, v := range c {
			a = append(a, v)
		}
		if _, err := x.ExecContext(ctx, s.q(fmt.Sprintf(stmt, placeholders(len(c)))), a...); err != nil {
			return err
		}
	}
	return nil
}

// insertRows runs multi-row INSERTs: head is "INSERT INTO t (a,b,c) VALUES", tail follows the
// values (ON CONFLICT ...). rows hold width values each. Full chunks share one prepared
// statement: SQLite parses a statement of thousands of placeholders once per call instead of
// once per chunk (parsing was a tenth of the writer's time during bulk ingestion).
func (s *Store) insertRows(ctx context.Context, x execer, head, tail string, width int, rows [][]any) error {
	return s.insertEach(ctx, x, head, tail, width, len(rows), func(args []any, i int) []any { return append(args, rows[i]...) })
}

// insertEach is insertRows over n rows whose values appendRow appends to args, so a caller
// with many rows keeps them in its own compact form instead of a slice of values per row.
func (s *Store) insertEach(ctx context.Context, x execer, head, tail string, width, n int, appendRow func(args []any, i int) []any) error {
	per := max(1, maxInsertParams/width)
	var full *sql.Stmt
	if n >= 2*per {
		stmt, err := x.PrepareContext(ctx, s.q(insertSQL(head, tail, width, per)))
		if err != nil {
			return err
		}
		defer stmt.Close()
		full = stmt
	}
	args := make([]any, 0, min(n, per)*width)
	for start := 0; start < n; start += per {
		end := min(n, start+per)
		args = args[:0]
		for i := start; i < end; i++ {
			args = appendRow(args, i)
		}
		var err error
		if full != nil && end-start == per {
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = x.ExecContext(ctx, s.q(insertSQL(head, tail, width, end-start)), args...)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// insertSQL writes a multi-row INSERT of n tuples of width placeholders.
func insertSQL(head, tail string, width, n int) string {
	tuple := "(" + placeholders(width) + ")"
	b := make([]byte, 0, len(head)+n*(len(tuple)+1)+len(tail)+2)
	b = append(b, head...)
	b = append(b, ' ')
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, tuple...)
	}
	b = append(b, ' ')
	b = append(b, tail...)
	return string(b)
}

// appendOnlyInsert starts a multi-row INSERT whose rows never violate a constraint other than
// one its ON CONFLICT clause handles (fresh UUIDs, non-NULL values). On SQLite it is INSERT OR
// IGNORE: a statement that cannot abort needs no statement journal, which otherwise copies
// every page the statement touches (a third of the cost of writing search rows). The rows
// written are the same.
func (s *Store) appendOnlyInsert() string {
	if s.db.Dialect.IsPostgres() {
		return "INSERT INTO"
	}
	return "INSERT OR IGNORE INTO"
}

// markStitchRefs queues entities (by ref) for stitching. Entities without a final_entities
// row yet are stitched when they are processed.
func (s *Store) markStitchRefs(ctx context.Context, x execer, refs map[string]bool) error {
	if len(refs) == 0 {
		return nil
	}
	now := database.NewNullTime(s.now())
	return s.execIn(ctx, x, "UPDATE final_entities SET next_stitch_at = ?, stitch_ticket = ? WHERE entity_ref IN (%s)", slices.Sorted(maps.Keys(refs)), now, NewID())
}

// markStitchSelf queues processed entities for stitching, creating their final_entities rows.
func (s *Store) markStitchSelf(ctx context.Context, x execer, ids map[string]string) error {
	if len(ids) == 0 {
		return nil
	}
	now := database.NewNullTime(s.now())
	ticket := NewID()
	rows := make([][]any, 0, len(ids))
	for _, id := range slices.Sorted(maps.Keys(ids)) {
		rows = append(rows, []any{id, ids[id], now, ticket})
	}
	return s.insertRows(ctx, x, "INSERT INTO final_entities (entity_id, entity_ref, next_stitch_at, stitch_ticket) VALUES",
		"ON CONFLICT (entity_id) DO UPDATE SET next_stitch_at = excluded.next_stitch_at, stitch_ticket = excluded.stitch_ticket", 4, rows)
}
