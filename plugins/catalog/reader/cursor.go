package reader

import (
	"bytes"
	"encoding/base64"
	"encoding/json"

	"github.com/portico-dev/portico/plugins/catalog/query"
)

// queryCursor is the state a by-query cursor carries. GET cursors keep the
// filter under "filter"; predicate (POST) cursors keep it under "query",
// which @backstage/catalog-client takes as the sign to POST the next page.
type queryCursor struct {
	Filter   *query.Expr        `json:"filter,omitempty"`
	Query    *query.Expr        `json:"query,omitempty"`
	FullText *query.FullText    `json:"fullText,omitempty"`
	Order    []query.OrderField `json:"orderFields,omitempty"`
	Pos      position           `json:"pos"`
	Backward bool               `json:"isPrevious,omitempty"`
	Total    *int               `json:"totalItems,omitempty"`
}

// listCursor is the state of a GET /entities "after" cursor.
type listCursor struct {
	Pos position `json:"pos"`
}

func encodeCursor(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		// The cursor types hold only strings, numbers and expressions.
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

func decodeCursor(s string, v any) error {
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		b, err = base64.RawURLEncoding.DecodeString(s)
	}
	if err != nil {
		return &query.InputError{Message: "Malformed cursor: could not decode it"}
	}
	if err := json.Unmarshal(b, v); err != nil {
		return &query.InputError{Message: "Malformed cursor: " + err.Error()}
	}
	return nil
}

func (c *queryCursor) validate() error {
	for _, e := range []*query.Expr{c.Filter, c.Query} {
		if e != nil {
			if err := e.Validate(); err != nil {
				return &query.InputError{Message: "Malformed cursor: " + err.Error()}
			}
		}
	}
	if len(c.Pos.Values) != len(c.Order) {
		return &query.InputError{Message: "Malformed cursor: sort values do not match the order fields"}
	}
	return nil
}

// readCursor returns the page size (def when limit is not positive) and, when s is set, the
// cursor it holds, decoded and validated; fromCursor reports whether s was set.
func readCursor[C any, P interface {
	*C
	validate() error
}](s string, limit, def int) (c C, size int, fromCursor bool, err error) {
	size = limit
	if size <= 0 {
		size = def
	}
	if s == "" {
		return c, size, false, nil
	}
	if err := decodeCursor(s, &c); err != nil {
		return c, size, true, err
	}
	return c, size, true, P(&c).validate()
}

// initialCursor is the state of the first page of req: its query, at no position yet.
func initialCursor(req QueryRequest) queryCursor {
	var c queryCursor
	if req.Predicate {
		c.Query = req.Filter
		if c.Query == nil {
			t := query.True()
			c.Query = &t
		}
	} else {
		c.Filter = req.Filter
	}
	if req.FullText != nil && req.FullText.Term != "" {
		ft := *req.FullText
		c.FullText = &ft
	}
	c.Order = req.Order
	return c
}

// sameQuery reports whether c and o page through the same query (filter, text and order),
// whatever their positions.
func (c *queryCursor) sameQuery(o queryCursor) bool {
	q := func(c *queryCursor) []byte {
		b, _ := json.Marshal(queryCursor{Filter: c.Filter, Query: c.Query, FullText: c.FullText, Order: c.Order})
		return b
	}
	return bytes.Equal(q(c), q(&o))
}
