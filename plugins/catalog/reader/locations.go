package reader

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/plugins/catalog/query"
)

// DefaultLocationsLimit is the page size of location queries that give none.
const DefaultLocationsLimit = 1000

// Locations returns every registered location, ordered by id.
func (r *Reader) Locations(ctx context.Context) ([]model.Location, error) {
	return r.selectLocations(ctx, "SELECT id, type, target FROM locations ORDER BY id")
}

// Location returns the registered location with the given id, or an error
// wrapping model.ErrNotFound.
func (r *Reader) Location(ctx context.Context, id string) (model.Location, error) {
	locs, err := r.selectLocations(ctx, "SELECT id, type, target FROM locations WHERE id = ?", id)
	if err != nil {
		return model.Location{}, err
	}
	if len(locs) == 0 {
		return model.Location{}, fmt.Errorf("location %s: %w", id, model.ErrNotFound)
	}
	return locs[0], nil
}

// LocationByEntity returns the registered location that owns the entity:
// the one whose type:target is the entity's managed-by-origin-location
// annotation. It returns an error wrapping model.ErrNotFound when the
// entity or the location is missing.
func (r *Reader) LocationByEntity(ctx context.Context, ref string) (model.Location, error) {
	raw, err := r.ByRef(ctx, ref)
	if err != nil {
		return model.Location{}, err
	}
	var e struct {
		Metadata struct {
			Annotations map[string]string `json:"annotations"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(raw, &e); err != nil {
		return model.Location{}, fmt.Errorf("decode entity %s: %w", ref, err)
	}
	origin := e.Metadata.Annotations[model.AnnotationManagedByOriginLocation]
	typ, target, ok := strings.Cut(origin, ":")
	if !ok {
		return model.Location{}, fmt.Errorf("entity %s has no origin location: %w", ref, model.ErrNotFound)
	}
	locs, err := r.selectLocations(ctx, "SELECT id, type, target FROM locations WHERE type = ? AND target = ?", typ, target)
	if err != nil {
		return model.Location{}, err
	}
	if len(locs) == 0 {
		return model.Location{}, fmt.Errorf("location %s: %w", origin, model.ErrNotFound)
	}
	return locs[0], nil
}

// LocationQuery is POST /locations/by-query: a predicate over the location
// fields id, type and target (values compared case-insensitively), paged by
// id.
type LocationQuery struct {
	Query  *query.Expr
	Limit  int // 0: DefaultLocationsLimit
	Cursor string
}

// LocationQueryResult is one page of a location query.
type LocationQueryResult struct {
	Items      []model.Location
	TotalItems int
	NextCursor string
}

type locationCursor struct {
	AfterID string      `json:"afterId"`
	Query   *query.Expr `json:"query,omitempty"`
	Total   int         `json:"totalItems"`
}

func (c *locationCursor) validate() error {
	if c.Query == nil {
		return nil
	}
	if err := c.Query.Validate(); err != nil {
		return &query.InputError{Message: "Malformed cursor: " + err.Error()}
	}
	return nil
}

// QueryLocations returns one page of the locations matching q.
func (r *Reader) QueryLocations(ctx context.Context, q LocationQuery) (LocationQueryResult, error) {
	c, limit, fromCursor, err := readCursor[locationCursor](q.Cursor, q.Limit, DefaultLocationsLimit)
	if err != nil {
		return LocationQueryResult{}, err
	}
	if !fromCursor {
		c.Query = q.Query
	}
	var where sqlBuilder
	where.write("1=1")
	if c.Query != nil {
		where.write(" AND ")
		if err := compileLocationExpr(&where, *c.Query); err != nil {
			return LocationQueryResult{}, err
		}
	}
	var res LocationQueryResult
	if fromCursor {
		res.TotalItems = c.Total
	} else {
		if err := r.db.QueryRowContext(ctx, r.q("SELECT COUNT(*) FROM locations WHERE "+where.String()), where.args...).Scan(&res.TotalItems); err != nil {
			return LocationQueryResult{}, fmt.Errorf("count locations: %w", err)
		}
	}
	args := append([]any{}, where.args...)
	stmt := "SELECT id, type, target FROM locations WHERE " + where.String()
	if fromCursor {
		stmt += " AND id > ?"
		args = append(args, c.AfterID)
	}
	stmt += " ORDER BY id LIMIT ?"
	args = append(args, limit+1)
	locs, err := r.selectLocations(ctx, stmt, args...)
	if err != nil {
		return LocationQueryResult{}, err
	}
	if len(locs) > limit {
		locs = locs[:limit]
		res.NextCursor = encodeCursor(locationCursor{AfterID: locs[limit-1].ID, Query: c.Query, Total: res.TotalItems})
	}
	res.Items = locs
	return res, nil
}

var locationColumns = map[string]string{"id": "id", "type": "type", "target": "target"}

func compileLocationExpr(b *sqlBuilder, e query.Expr) error {
	switch e.Op {
	case query.OpTrue:
		b.write("1=1")
	case query.OpAll, query.OpAny:
		if len(e.Args) == 0 {
			b.write("1=0")
			return nil
		}
		sep := " AND "
		if e.Op == query.OpAny {
			sep = " OR "
		}
		b.write("(")
		for i, a := range e.Args {
			if i > 0 {
				b.write(sep)
			}
			if err := compileLocationExpr(b, a); err != nil {
				return err
			}
		}
		b.write(")")
	case query.OpNot:
		b.write("NOT (")
		if err := compileLocationExpr(b, e.Args[0]); err != nil {
			return err
		}
		b.write(")")
	case query.OpMatch:
		col, ok := locationColumns[e.Match.Key]
		if !ok {
			return &query.InputError{Message: fmt.Sprintf("Invalid location query: unsupported field %q, expected one of id, type, target", e.Match.Key)}
		}
		m := e.Match
		switch {
		case m.HasPrefix:
			b.write("LOWER(", col, ") LIKE ")
			b.arg(escapeLike(m.Prefix) + "%")
			b.write(` ESCAPE '\'`)
		case len(m.Values) > 0:
			b.write("LOWER(", col, ") IN (")
			argList(b, m.Values, nil)
			b.write(")")
		default:
			b.write(col, " IS NOT NULL")
		}
	default:
		b.write("1=0")
	}
	return nil
}

func (r *Reader) selectLocations(ctx context.Context, stmt string, args ...any) ([]model.Location, error) {
	rows, err := r.db.QueryContext(ctx, r.q(stmt), args...)
	if err != nil {
		return nil, fmt.Errorf("read locations: %w", err)
	}
	defer rows.Close()
	locs := []model.Location{}
	for rows.Next() {
		var l model.Location
		if err := rows.Scan(&l.ID, &l.Type, &l.Target); err != nil {
			return nil, fmt.Errorf("scan location: %w", err)
		}
		locs = append(locs, l)
	}
	if err := rows.Err(); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("read locations: %w", err)
	}
	return locs, nil
}
