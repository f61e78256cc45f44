package reader

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/portico-dev/portico/plugins/catalog/query"
)

// ListRequest is GET /entities: filter, field projection, ordering and
// offset/limit or after-cursor paging.
type ListRequest struct {
	Filter *query.Expr
	Fields []string
	Order  []query.OrderField
	Offset int
	Limit  int    // 0: no limit
	After  string // cursor from a previous ListResult.NextAfter
}

// ListResult is one page of GET /entities.
type ListResult struct {
	Items []json.RawMessage
	// NextAfter is the cursor of the next page; empty on the last page or
	// when the request had no limit.
	NextAfter string
}

// List returns the entities matching req in order. Without a limit it
// returns every match; callers that stream large catalogs page with Limit
// and After instead.
func (r *Reader) List(ctx context.Context, req ListRequest) (ListResult, error) {
	var res ListResult
	err := r.ListEach(ctx, req, func(e json.RawMessage) error {
		res.Items = append(res.Items, e)
		return nil
	}, func(next string) { res.NextAfter = next })
	return res, err
}

// ListEach is List that hands each (projected) entity to fn as it is read
// and reports the next-page cursor (if any) through next.
func (r *Reader) ListEach(ctx context.Context, req ListRequest, fn func(json.RawMessage) error, next func(string)) error {
	spec := pageSpec{filter: req.Filter, order: req.Order, offset: req.Offset}
	if req.After != "" {
		var c listCursor
		if err := decodeCursor(req.After, &c); err != nil {
			return err
		}
		if len(c.Pos.Values) != len(req.Order) {
			return &query.InputError{Message: "Malformed cursor: sort values do not match the order fields"}
		}
		spec.after = &c.Pos
		spec.offset = 0
	}
	limit := req.Limit
	if limit <= 0 {
		limit = -1
	}
	spec.limit = limit
	if limit > 0 {
		spec.limit = limit + 1
	}
	driver, err := r.selectiveMatch(ctx, req.Filter)
	if err != nil {
		return err
	}
	spec.driver = driver
	dense, err := r.listDense(ctx, req.Filter, limit, driver)
	if err != nil {
		return err
	}
	spec.walkRefIndex = dense
	n := 0
	var last position
	err = r.page(ctx, spec, func(row pageRow) error {
		n++
		if limit > 0 && n > limit {
			next(encodeCursor(listCursor{Pos: last}))
			return nil
		}
		last = row.pos
		out, err := query.ProjectJSON(json.RawMessage(row.entity), req.Fields)
		if err != nil {
			return fmt.Errorf("project entity %s: %w", row.pos.Ref, err)
		}
		return fn(out)
	})
	return err
}

// listDense is denseMatch for GET /entities, which has no total: it counts
// the matches of a filter when a page is limited (SQLite only).
func (r *Reader) listDense(ctx context.Context, filter *query.Expr, limit int, driver *query.Match) (bool, error) {
	if r.db.Dialect.IsPostgres() {
		return false, nil
	}
	if filter == nil || filter.Op == query.OpTrue {
		return true, nil
	}
	if limit <= 0 {
		return false, nil
	}
	if driver != nil {
		return false, nil // fewer than selectiveCap matches
	}
	n, err := r.count(ctx, filter, nil, nil)
	if err != nil {
		return false, err
	}
	return r.dense(ctx, n, limit)
}
