package api

import (
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/portico-dev/portico/framework/apierr"
	"github.com/portico-dev/portico/framework/httpapi"
	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/plugins/catalog/query"
	"github.com/portico-dev/portico/plugins/catalog/reader"
)

// streamPage is the page size GET /entities reads with when unlimited.
const streamPage = 10000

// listEntities is GET /entities: a bare JSON array, streamed, with a Link
// header to the next page when limited and more exist.
func (h *handlers) listEntities(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	req, err := parseList(q)
	if err != nil {
		h.api.Error(w, r, err)
		return
	}
	req.Filter = withIdentity(r, req.Filter)
	if req.Limit > 0 {
		var items []json.RawMessage
		next := ""
		if err := h.r.ListEach(r.Context(), req, func(e json.RawMessage) error {
			items = append(items, e)
			return nil
		}, func(c string) { next = c }); err != nil {
			h.api.Error(w, r, err)
			return
		}
		if next != "" {
			link := url.Values{}
			for k, v := range q {
				if k != "offset" && k != "after" {
					link[k] = v
				}
			}
			link.Set("after", next)
			w.Header().Set("Link", "</entities?"+link.Encode()+`>; rel="next"`)
		}
		if items == nil {
			items = []json.RawMessage{}
		}
		_ = httpapi.WriteJSON(w, http.StatusOK, items)
		return
	}
	// Unlimited: page internally so memory stays bounded, streaming the array.
	w.Header().Set("Content-Type", httpapi.ContentType)
	wrote := false
	first := true
	req.Limit = streamPage
	for {
		next := ""
		err := h.r.ListEach(r.Context(), req, func(e json.RawMessage) error {
			if !wrote {
				w.WriteHeader(http.StatusOK)
				_, _ = w.Write([]byte("["))
				wrote = true
			}
			if !first {
				_, _ = w.Write([]byte(","))
			}
			first = false
			_, err := w.Write(e)
			return err
		}, func(c string) { next = c })
		if err != nil {
			if !wrote {
				h.api.Error(w, r, err)
				return
			}
			h.logger.Error("stream entities", "error", err)
			return
		}
		if next == "" {
			break
		}
		req.After, req.Offset = next, 0
	}
	if !wrote {
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("["))
	}
	_, _ = w.Write([]byte("]\n"))
}

func parseList(q url.Values) (reader.ListRequest, error) {
	var req reader.ListRequest
	var err error
	if req.Filter, err = query.ParseFilters(q["filter"]); err != nil {
		return req, err
	}
	if req.Fields, err = query.ParseFields(q["fields"]); err != nil {
		return req, err
	}
	if req.Order, err = query.ParseOrder(q["order"]); err != nil {
		return req, err
	}
	if req.Limit, _, err = limitParam(q); err != nil {
		return req, err
	}
	if req.Offset, _, err = offsetParam(q); err != nil {
		return req, err
	}
	if a, ok := q["after"]; ok {
		if len(a) == 0 || a[0] == "" {
			return req, apierr.Input("Invalid after, must not be empty")
		}
		req.After = a[0]
	}
	return req, nil
}

// entitiesByRefs is POST /entities/by-refs.
func (h *handlers) entitiesByRefs(r *httpapi.Request) (any, error) {
	filter, err := query.ParseFilters(r.URL.Query()["filter"])
	if err != nil {
		return nil, err
	}
	var body struct {
		EntityRefs *[]string `json:"entityRefs"`
		Fields     []string  `json:"fields"`
	}
	if err := r.DecodeJSON(&body); err != nil {
		return nil, err
	}
	if body.EntityRefs == nil {
		return nil, apierr.Input("request body must have required property 'entityRefs'")
	}
	fields, err := query.ParseFields(body.Fields)
	if err != nil {
		return nil, err
	}
	items, err := h.r.ByRefs(r.Context(), *body.EntityRefs, withIdentity(r.Request, filter), fields)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(items))
	for i, it := range items {
		if it != nil {
			out[i] = it
		}
	}
	return map[string]any{"items": out}, nil
}

func (h *handlers) entityByUID(r *httpapi.Request) (any, error) {
	uid := r.PathValue("uid")
	e, err := h.r.ByUID(r.Context(), uid)
	if isNotFound(err) {
		return nil, apierr.NotFound("No entity with uid %s", uid)
	}
	return e, err
}

func (h *handlers) deleteEntityByUID(r *httpapi.Request) (any, error) {
	if err := h.w.DeleteEntityByUID(r.Context(), r.PathValue("uid")); err != nil && !isNotFound(err) {
		return nil, err
	}
	return httpapi.NoContent(), nil
}

func pathRef(r *httpapi.Request) string {
	return model.EntityRef{Kind: r.PathValue("kind"), Namespace: r.PathValue("namespace"), Name: r.PathValue("name")}.String()
}

func (h *handlers) entityByName(r *httpapi.Request) (any, error) {
	e, err := h.r.ByRef(r.Context(), pathRef(r))
	if isNotFound(err) {
		return nil, apierr.NotFound("No entity named '%s' found, with kind '%s' in namespace '%s'", r.PathValue("name"), r.PathValue("kind"), r.PathValue("namespace"))
	}
	return e, err
}

func (h *handlers) ancestry(r *httpapi.Request) (any, error) {
	a, err := h.r.Ancestry(r.Context(), pathRef(r))
	if isNotFound(err) {
		return nil, apierr.NotFound("No such entity %s", pathRef(r))
	}
	return a, err
}
