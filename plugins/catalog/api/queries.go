package api

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/portico-dev/portico/framework/apierr"
	"github.com/portico-dev/portico/framework/auth"
	"github.com/portico-dev/portico/framework/httpapi"
	"github.com/portico-dev/portico/plugins/catalog/query"
	"github.com/portico-dev/portico/plugins/catalog/reader"
	"github.com/portico-dev/portico/plugins/catalog/wire"
)

func (h *handlers) answerQuery(r *httpapi.Request, req reader.QueryRequest, countOnly bool) (any, error) {
	if req.Cursor == "" || req.BindCursor {
		backstageQuery(&req)
	}
	req.Filter = withIdentity(r.Request, req.Filter)
	req.CursorSkipsMissing = true
	if countOnly {
		// limit=0: Backstage counts and lists nothing (no cursors either).
		req.Limit = 1
	}
	res, err := h.r.Query(r.Context(), req)
	if err != nil {
		return nil, err
	}
	if countOnly {
		res.Items, res.NextCursor, res.PrevCursor = nil, "", ""
	}
	if res.Items == nil {
		res.Items = []json.RawMessage{}
	}
	return wire.EntitiesPage{
		Items: res.Items, TotalItems: res.TotalItems,
		PageInfo: wire.PageInfo{NextCursor: res.NextCursor, PrevCursor: res.PrevCursor},
	}, nil
}

// backstageQuery applies to an initial by-query request what Backstage's catalog does with
// it: a full-text term without fields searches the first order field, or metadata.uid when
// there is none. (Entities without the order field are listed last on the first page, as
// Backstage's left join lists them; cursor pages leave them out: CursorSkipsMissing.)
func backstageQuery(req *reader.QueryRequest) {
	if req.FullText != nil && len(req.FullText.Fields) == 0 {
		field := "metadata.uid"
		if len(req.Order) > 0 {
			field = req.Order[0].Field
		}
		req.FullText.Fields = []string{field}
	}
}

// queryEntitiesGet is GET /entities/by-query.
func (h *handlers) queryEntitiesGet(r *httpapi.Request) (any, error) {
	q := r.URL.Query()
	var req reader.QueryRequest
	var err error
	if req.Fields, err = query.ParseFields(q["fields"]); err != nil {
		return nil, err
	}
	limit, hasLimit, err := intParam(q, "limit", 0, "Invalid limit, must be zero or greater")
	if err != nil {
		return nil, err
	}
	req.Limit = limit
	countOnly := hasLimit && limit == 0
	req.SkipTotal = q.Get("totalItems") == "exclude"
	if c := q.Get("cursor"); c != "" {
		req.Cursor = c
		// Backstage reads a cursor alone. A caller that sends its query beside it (Portico's
		// pages do) has the cursor checked against that query instead.
		if !q.Has("filter") && !q.Has("orderField") && !q.Has("fullTextFilterTerm") {
			return h.answerQuery(r, req, countOnly)
		}
		req.BindCursor = true
	}
	if req.Offset, _, err = offsetParam(q); err != nil {
		return nil, err
	}
	if req.Filter, err = query.ParseFilters(q["filter"]); err != nil {
		return nil, err
	}
	if req.Order, err = query.ParseOrderFields(q["orderField"]); err != nil {
		return nil, err
	}
	if term := strings.TrimSpace(q.Get("fullTextFilterTerm")); term != "" {
		req.FullText = &query.FullText{Term: term, Fields: query.ParseFullTextFields(q["fullTextFilterFields"])}
	}
	return h.answerQuery(r, req, countOnly)
}

// queryEntitiesPost is POST /entities/by-query (predicate queries).
func (h *handlers) queryEntitiesPost(r *httpapi.Request) (any, error) {
	var body struct {
		Query          json.RawMessage `json:"query"`
		Limit          *int            `json:"limit"`
		Offset         *int            `json:"offset"`
		OrderBy        []query.OrderBy `json:"orderBy"`
		FullTextFilter *struct {
			Term   string   `json:"term"`
			Fields []string `json:"fields"`
		} `json:"fullTextFilter"`
		Fields     []string `json:"fields"`
		Cursor     string   `json:"cursor"`
		TotalItems string   `json:"totalItems"`
	}
	if err := r.DecodeJSON(&body); err != nil {
		return nil, err
	}
	req := reader.QueryRequest{Predicate: true, Cursor: body.Cursor, SkipTotal: body.TotalItems == "exclude"}
	var err error
	if req.Fields, err = query.ParseFields(body.Fields); err != nil {
		return nil, err
	}
	countOnly := false
	if body.Limit != nil {
		if *body.Limit < 0 {
			return nil, apierr.Input("Invalid limit, must be zero or greater")
		}
		req.Limit = *body.Limit
		countOnly = *body.Limit == 0
	}
	if body.Offset != nil {
		if *body.Offset < 0 {
			return nil, apierr.Input("Invalid offset, must be zero or greater")
		}
		req.Offset = *body.Offset
	}
	if req.Cursor == "" {
		if req.Filter, err = query.ParsePredicate(body.Query); err != nil {
			return nil, err
		}
		if req.Order, err = query.ParseOrderBy(body.OrderBy); err != nil {
			return nil, err
		}
		if ft := body.FullTextFilter; ft != nil && strings.TrimSpace(ft.Term) != "" {
			req.FullText = &query.FullText{Term: strings.TrimSpace(ft.Term), Fields: query.ParseFullTextFields(ft.Fields)}
		}
	}
	return h.answerQuery(r, req, countOnly)
}

// facetsGet is GET /entity-facets.
func (h *handlers) facetsGet(r *httpapi.Request) (any, error) {
	q := r.URL.Query()
	facets := q["facet"]
	if len(facets) == 0 {
		return nil, apierr.Input("Missing facet parameter")
	}
	filter, err := query.ParseFilters(q["filter"])
	if err != nil {
		return nil, err
	}
	return h.answerFacets(r, facets, filter)
}

// facetsPost is POST /entity-facets.
func (h *handlers) facetsPost(r *httpapi.Request) (any, error) {
	var body struct {
		Facets []string        `json:"facets"`
		Query  json.RawMessage `json:"query"`
	}
	if err := r.DecodeJSON(&body); err != nil {
		return nil, err
	}
	if len(body.Facets) == 0 {
		return nil, apierr.Input("Missing facet parameter")
	}
	filter, err := query.ParsePredicate(body.Query)
	if err != nil {
		return nil, err
	}
	return h.answerFacets(r, body.Facets, filter)
}

func (h *handlers) answerFacets(r *httpapi.Request, facets []string, filter *query.Expr) (any, error) {
	res, err := h.r.Facets(r.Context(), facets, withIdentity(r.Request, filter))
	if err != nil {
		return nil, err
	}
	return map[string]any{"facets": res}, nil
}

// withIdentity expands the identity markers newer clients send as filter values
// (__catalog:current_user_ref__, __catalog:current_user_ownership_refs__) from the signed-in
// user; for other callers they stay literal and match nothing.
func withIdentity(r *http.Request, filter *query.Expr) *query.Expr {
	creds, _ := auth.FromContext(r.Context())
	u, ok := creds.User()
	if !ok {
		return filter
	}
	return query.ExpandIdentity(filter, u.UserEntityRef, u.OwnershipEntityRefs)
}
