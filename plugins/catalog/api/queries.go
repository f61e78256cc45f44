package api

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/portico-dev/portico/framework/apierr"
	"github.com/portico-dev/portico/framework/auth"
	"github.com/portico-dev/portico/plugins/catalog/query"
	"github.com/portico-dev/portico/plugins/catalog/reader"
	"github.com/portico-dev/portico/plugins/catalog/wire"
)

func (h *handlers) answerQuery(w http.ResponseWriter, r *http.Request, req reader.QueryRequest) {
	req.Filter = withIdentity(r, req.Filter)
	res, err := h.r.Query(r.Context(), req)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if res.Items == nil {
		res.Items = []json.RawMessage{}
	}
	writeJSON(w, http.StatusOK, wire.EntitiesPage{
		Items: res.Items, TotalItems: res.TotalItems,
		PageInfo: wire.PageInfo{NextCursor: res.NextCursor, PrevCursor: res.PrevCursor},
	})
}

// queryEntitiesGet is GET /entities/by-query.
func (h *handlers) queryEntitiesGet(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var req reader.QueryRequest
	var err error
	if req.Fields, err = query.ParseFields(q["fields"]); err != nil {
		h.fail(w, r, err)
		return
	}
	if req.Limit, _, err = limitParam(q); err != nil {
		h.fail(w, r, err)
		return
	}
	req.SkipTotal = q.Get("totalItems") == "exclude"
	if c := q.Get("cursor"); c != "" {
		req.Cursor = c
		h.answerQuery(w, r, req)
		return
	}
	if req.Offset, _, err = offsetParam(q); err != nil {
		h.fail(w, r, err)
		return
	}
	if req.Filter, err = query.ParseFilters(q["filter"]); err != nil {
		h.fail(w, r, err)
		return
	}
	if req.Order, err = query.ParseOrderFields(q["orderField"]); err != nil {
		h.fail(w, r, err)
		return
	}
	if term := strings.TrimSpace(q.Get("fullTextFilterTerm")); term != "" {
		req.FullText = &query.FullText{Term: term, Fields: query.ParseFullTextFields(q["fullTextFilterFields"])}
	}
	h.answerQuery(w, r, req)
}

// queryEntitiesPost is POST /entities/by-query (predicate queries).
func (h *handlers) queryEntitiesPost(w http.ResponseWriter, r *http.Request) {
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
	if err := decodeBody(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	req := reader.QueryRequest{Predicate: true, Cursor: body.Cursor, SkipTotal: body.TotalItems == "exclude"}
	var err error
	if req.Fields, err = query.ParseFields(body.Fields); err != nil {
		h.fail(w, r, err)
		return
	}
	if body.Limit != nil {
		if *body.Limit < 1 {
			h.fail(w, r, apierr.Input("Invalid limit, must be greater than zero"))
			return
		}
		req.Limit = *body.Limit
	}
	if body.Offset != nil {
		if *body.Offset < 0 {
			h.fail(w, r, apierr.Input("Invalid offset, must be zero or greater"))
			return
		}
		req.Offset = *body.Offset
	}
	if req.Cursor == "" {
		if req.Filter, err = query.ParsePredicate(body.Query); err != nil {
			h.fail(w, r, err)
			return
		}
		if req.Order, err = query.ParseOrderBy(body.OrderBy); err != nil {
			h.fail(w, r, err)
			return
		}
		if ft := body.FullTextFilter; ft != nil && strings.TrimSpace(ft.Term) != "" {
			req.FullText = &query.FullText{Term: strings.TrimSpace(ft.Term), Fields: query.ParseFullTextFields(ft.Fields)}
		}
	}
	h.answerQuery(w, r, req)
}

// facetsGet is GET /entity-facets.
func (h *handlers) facetsGet(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	facets := q["facet"]
	if len(facets) == 0 {
		h.fail(w, r, apierr.Input("Missing facet parameter"))
		return
	}
	filter, err := query.ParseFilters(q["filter"])
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.answerFacets(w, r, facets, filter)
}

// facetsPost is POST /entity-facets.
func (h *handlers) facetsPost(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Facets []string        `json:"facets"`
		Query  json.RawMessage `json:"query"`
	}
	if err := decodeBody(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	if len(body.Facets) == 0 {
		h.fail(w, r, apierr.Input("Missing facet parameter"))
		return
	}
	filter, err := query.ParsePredicate(body.Query)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.answerFacets(w, r, body.Facets, filter)
}

func (h *handlers) answerFacets(w http.ResponseWriter, r *http.Request, facets []string, filter *query.Expr) {
	res, err := h.r.Facets(r.Context(), facets, withIdentity(r, filter))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"facets": res})
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
