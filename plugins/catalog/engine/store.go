package engine

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"

	"github.com/portico-dev/portico/framework/database"
)

// sqlChunk bounds the values bound in one IN list.
const sqlChunk = 500

// maxInsertParams bounds the values bound in one multi-row INSERT (SQLite allows 32766,
// PostgreSQL 65535): fewer, larger statements cost less per row.
const maxInsertParams = 32000

// execer is what both *sql.DB and *sql.Tx offer.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

func (e *Engine) q(s string) string { return e.db.Dialect.Rebind(s) }

// inTx runs fn in one transaction (BEGIN IMMEDIATE on SQLite: the single writer).
func (e *Engine) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return inConnTx(ctx, e.db, fn)
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

// queryStrings runs a query returning one string column per row, over chunks of args.
func (e *Engine) queryStrings(ctx context.Context, x execer, query string, args []string, extra ...any) ([]string, error) {
	var out []string
	for _, c := range chunks(args, sqlChunk) {
		a := make([]any, 0, len(c)+len(extra))
		a = append(a, extra...)
		for _, s := range c {
			a = append(a, s)
		}
		rows, err := x.QueryContext(ctx, e.q(fmt.Sprintf(query, placeholders(len(c)))), a...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var s sql.NullString
			if err := rows.Scan(&s); err != nil {
				rows.Close()
				return nil, err
			}
			if s.Valid {
				out = append(out, s.String)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// execIn runs a statement with an IN list over chunks of args; extra args come first.
func (e *Engine) execIn(ctx context.Context, x execer, stmt string, args []string, extra ...any) error {
	for _, c := range chunks(args, sqlChunk) {
		a := make([]any, 0, len(c)+len(extra))
		a = append(a, extra...)
		for _, s := range c {
			a = append(a, s)
		}
		if _, err := x.ExecContext(ctx, e.q(fmt.Sprintf(stmt, placeholders(len(c)))), a...); err != nil {
			return err
		}
	}
	return nil
}

// insertRows runs multi-row INSERTs: head is "INSERT INTO t (a,b,c) VALUES", tail follows the
// values (ON CONFLICT ...). rows hold width values each. Full chunks share one prepared
// statement: SQLite parses a statement of thousands of placeholders once per call instead of
// once per chunk (parsing was a tenth of the writer's time during bulk ingestion).
func (e *Engine) insertRows(ctx context.Context, x execer, head, tail string, width int, rows [][]any) error {
	return e.insertEach(ctx, x, head, tail, width, len(rows), func(args []any, i int) []any { return append(args, rows[i]...) })
}

// insertEach is insertRows over n rows whose values appendRow appends to args, so a caller
// with many rows keeps them in its own compact form instead of a slice of values per row.
func (e *Engine) insertEach(ctx context.Context, x execer, head, tail string, width, n int, appendRow func(args []any, i int) []any) error {
	per := max(1, maxInsertParams/width)
	var full *sql.Stmt
	if n >= 2*per {
		stmt, err := x.PrepareContext(ctx, e.q(insertSQL(head, tail, width, per)))
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
			_, err = x.ExecContext(ctx, e.q(insertSQL(head, tail, width, end-start)), args...)
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
func (e *Engine) appendOnlyInsert() string {
	if e.db.Dialect.IsPostgres() {
		return "INSERT INTO"
	}
	return "INSERT OR IGNORE INTO"
}

// markStitch queues entities (by ref) for stitching. Entities without a final_entities row
// yet are stitched when they are processed.
func (e *Engine) markStitchRefs(ctx context.Context, x execer, refs map[string]bool) error {
	if len(refs) == 0 {
		return nil
	}
	now := database.NewNullTime(e.now())
	return e.execIn(ctx, x, "UPDATE final_entities SET next_stitch_at = ?, stitch_ticket = ? WHERE entity_ref IN (%s)", slices.Sorted(maps.Keys(refs)), now, newID())
}

// markStitchSelf queues processed entities for stitching, creating their final_entities rows.
func (e *Engine) markStitchSelf(ctx context.Context, x execer, ids map[string]string) error {
	if len(ids) == 0 {
		return nil
	}
	now := database.NewNullTime(e.now())
	ticket := newID()
	rows := make([][]any, 0, len(ids))
	for _, id := range slices.Sorted(maps.Keys(ids)) {
		rows = append(rows, []any{id, ids[id], now, ticket})
	}
	return e.insertRows(ctx, x, "INSERT INTO final_entities (entity_id, entity_ref, next_stitch_at, stitch_ticket) VALUES",
		"ON CONFLICT (entity_id) DO UPDATE SET next_stitch_at = excluded.next_stitch_at, stitch_ticket = excluded.stitch_ticket", 4, rows)
}
