package reader

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/portico-dev/portico/plugins/catalog/query"
)

// DefaultQueryLimit is the page size of by-query requests that give none.
const DefaultQueryLimit = 20

// QueryRequest is GET or POST /entities/by-query. With Cursor set, Filter,
// FullText, Order, Offset and Predicate are ignored: the cursor carries them (unless
// BindCursor is set).
type QueryRequest struct {
	Filter    *query.Expr
	Predicate bool // the filter came as a predicate body (POST)
	FullText  *query.FullText
	Order     []query.OrderField
	Fields    []string
	Limit     int // 0: DefaultQueryLimit
	Offset    int
	Cursor    string
	// BindCursor, with Cursor, requires the cursor to have been made for this request's own
	// Filter, Predicate, FullText and Order, else the query fails with an InputError: a page
	// that keeps its query in its URL beside the cursor never lists one query under another's
	// filters and count.
	BindCursor bool
	SkipTotal  bool // totalItems=exclude
	// Restrict is ANDed with the filter on every page, cursor or not, and never stored in
	// cursors: the caller's permission conditions, which a client cannot edit away.
	Restrict *query.Expr
	// CursorSkipsMissing pages as Backstage's queryEntities does: the first page lists the
	// entities without a value for the first order field last, but a cursor page compares
	// that field with the cursor's value in SQL, which no missing value passes, so it lists
	// only entities having one, and the page after an entity without one is empty.
	CursorSkipsMissing bool
}

// QueryResult is one page of a by-query request.
type QueryResult struct {
	Items      []json.RawMessage
	TotalItems int
	NextCursor string
	PrevCursor string
}

// Query returns one page of entities with cursors to the pages around it.
// The total is counted on the first request and carried by the cursors.
func (r *Reader) Query(ctx context.Context, req QueryRequest) (QueryResult, error) {
	c, limit, fromCursor, err := readCursor[queryCursor](req.Cursor, req.Limit, DefaultQueryLimit)
	if err != nil {
		return QueryResult{}, err
	}
	if fromCursor {
		if req.BindCursor && !c.sameQuery(initialCursor(req)) {
			return QueryResult{}, &query.InputError{Message: "Malformed cursor: it was made for another query"}
		}
	} else {
		c = initialCursor(req)
	}
	filter := c.Filter
	if c.Query != nil {
		filter = c.Query
	}
	filter = query.And(filter, req.Restrict)
	if fromCursor && req.CursorSkipsMissing && len(c.Order) > 0 {
		if len(c.Pos.Values) == 0 || c.Pos.Values[0] == nil {
			none := query.Not(query.True())
			filter = &none
		} else {
			has := query.Exists(c.Order[0].Field)
			filter = query.And(filter, &has)
		}
	}

	// The selective match is estimated once, and only when a count or a page needs it.
	var driver *query.Match
	driverKnown := false
	selective := func() (*query.Match, error) {
		if !driverKnown {
			var err error
			if driver, err = r.selectiveMatch(ctx, filter); err != nil {
				return nil, err
			}
			driverKnown = true
		}
		return driver, nil
	}
	var res QueryResult
	var rows []pageRow
	paged := false // rows hold the page already
	switch {
	case c.Total != nil:
		res.TotalItems = *c.Total
	case !req.SkipTotal && req.Offset == 0 && len(c.Order) == 0:
		// A text search matching few entities is counted and paged from one scan.
		few, ok, err := r.fewTextMatches(ctx, filter, c.FullText)
		if err != nil {
			return QueryResult{}, err
		}
		if ok {
			n := len(few)
			res.TotalItems, c.Total = n, &n
			if rows, err = r.rowsOf(ctx, few[:min(n, limit+1)]); err != nil {
				return QueryResult{}, err
			}
			paged = true
			break
		}
		fallthrough
	case !req.SkipTotal:
		d, err := selective()
		if err != nil {
			return QueryResult{}, err
		}
		n, err := r.count(ctx, filter, c.FullText, d)
		if err != nil {
			return QueryResult{}, err
		}
		res.TotalItems = n
		c.Total = &n
	}

	spec := pageSpec{filter: filter, fullText: c.FullText, order: c.Order, limit: limit + 1}
	if fromCursor {
		spec.after = &c.Pos
		spec.backward = c.Backward
	} else {
		spec.offset = req.Offset
	}
	if !paged {
		dense, err := r.denseMatch(ctx, c.Total, filter, c.FullText, limit)
		if err != nil {
			return QueryResult{}, err
		}
		spec.walkRefIndex = dense
		if !dense {
			if spec.driver, err = selective(); err != nil {
				return QueryResult{}, err
			}
		}
		if err := r.page(ctx, spec, func(row pageRow) error {
			rows = append(rows, row)
			return nil
		}); err != nil {
			return QueryResult{}, err
		}
	}
	more := len(rows) > limit
	if more {
		rows = rows[:limit]
	}
	if spec.backward {
		slices.Reverse(rows)
	}

	res.Items = make([]json.RawMessage, 0, len(rows))
	for _, row := range rows {
		out, err := query.ProjectJSON(json.RawMessage(row.entity), req.Fields)
		if err != nil {
			return QueryResult{}, fmt.Errorf("project entity %s: %w", row.pos.Ref, err)
		}
		res.Items = append(res.Items, out)
	}
	if len(rows) == 0 {
		return res, nil
	}
	// Pages exist after this one when a forward walk saw more rows, or when
	// this page was reached walking backwards; before it when a backward walk
	// saw more rows, or when it was reached forwards or past an offset.
	hasNext := (!spec.backward && more) || spec.backward
	hasPrev := (spec.backward && more) || (!spec.backward && (fromCursor || req.Offset > 0))
	if hasNext {
		n := c
		n.Pos, n.Backward = rows[len(rows)-1].pos, false
		res.NextCursor = encodeCursor(n)
	}
	if hasPrev {
		p := c
		p.Pos, p.Backward = rows[0].pos, true
		res.PrevCursor = encodeCursor(p)
	}
	return res, nil
}

// denseMatch reports whether the entities matching filter and full text
// (total of them, when known) are dense enough in the catalog that walking
// an index in order finds limit of them quickly.
func (r *Reader) denseMatch(ctx context.Context, total *int, filter *query.Expr, ft *query.FullText, limit int) (bool, error) {
	if total != nil {
		return r.dense(ctx, *total, limit)
	}
	if (filter == nil || filter.Op == query.OpTrue) && (ft == nil || ft.Term == "") {
		return true, nil
	}
	return false, nil
}

// dense reports whether total matches are dense enough in the catalog that
// walking the entity_ref index finds limit of them quickly.
func (r *Reader) dense(ctx context.Context, total, limit int) (bool, error) {
	if total == 0 {
		return false, nil
	}
	size, err := r.catalogSize(ctx)
	if err != nil {
		return false, err
	}
	// Expected rows walked: limit * size / total; keep it a few thousand.
	return int64(limit)*size <= int64(total)*5000, nil
}

// catalogSize estimates the number of rows of final_entities cheaply.
func (r *Reader) catalogSize(ctx context.Context) (int64, error) {
	var size sql.NullInt64
	if !r.db.Dialect.IsPostgres() {
		// MAX(rowid) is an O(log n) estimate of the table size.
		if err := r.db.QueryRowContext(ctx, "SELECT MAX(rowid) FROM final_entities").Scan(&size); err != nil {
			return 0, fmt.Errorf("estimate catalog size: %w", err)
		}
		return size.Int64, nil
	}
	// The planner's row estimate, kept by ANALYZE and autovacuum; a table
	// never analyzed (reltuples -1) is young, so counting it is cheap.
	const q = `SELECT CASE WHEN c.reltuples >= 0 THEN c.reltuples::bigint
		ELSE (SELECT COUNT(*) FROM final_entities) END
		FROM pg_class c WHERE c.oid = to_regclass('final_entities')`
	if err := r.db.QueryRowContext(ctx, q).Scan(&size); err != nil {
		return 0, fmt.Errorf("estimate catalog size: %w", err)
	}
	return size.Int64, nil
}
