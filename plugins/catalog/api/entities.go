package api

import (
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/portico-dev/portico/framework/apierr"
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
		h.fail(w, r, err)
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
			h.fail(w, r, err)
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
		writeJSON(w, http.StatusOK, items)
		return
	}
	// Unlimited: page internally so memory stays bounded, streaming the array.
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
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
				h.fail(w, r, err)
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
func (h *handlers) entitiesByRefs(w http.ResponseWriter, r *http.Request) {
	filter, err := query.ParseFilters(r.URL.Query()["filter"])
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var body struct {
		EntityRefs *[]string `json:"entityRefs"`
		Fields     []string  `json:"fields"`
	}
	if err := decodeBody(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	if body.EntityRefs == nil {
		h.fail(w, r, apierr.Input("request body must have required property 'entityRefs'"))
		return
	}
	fields, err := query.ParseFields(body.Fields)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	items, err := h.r.ByRefs(r.Context(), *body.EntityRefs, withIdentity(r, filter), fields)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := make([]any, len(items))
	for i, it := range items {
		if it != nil {
			out[i] = it
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": out})
}

func (h *handlers) entityByUID(w http.ResponseWriter, r *http.Request) {
	uid := r.PathValue("uid")
	e, err := h.r.ByUID(r.Context(), uid)
	if err != nil {
		if isNotFound(err) {
			err = apierr.NotFound("No entity with uid %s", uid)
		}
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, e)
}

func (h *handlers) deleteEntityByUID(w http.ResponseWriter, r *http.Request) {
	if err := h.w.DeleteEntityByUID(r.Context(), r.PathValue("uid")); err != nil && !isNotFound(err) {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func pathRef(r *http.Request) string {
	return model.EntityRef{Kind: r.PathValue("kind"), Namespace: r.PathValue("namespace"), Name: r.PathValue("name")}.String()
}

func (h *handlers) entityByName(w http.ResponseWriter, r *http.Request) {
	e, err := h.r.ByRef(r.Context(), pathRef(r))
	if err != nil {
		if isNotFound(err) {
			err = apierr.NotFound("No entity named '%s' found, with kind '%s' in namespace '%s'", r.PathValue("name"), r.PathValue("kind"), r.PathValue("namespace"))
		}
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, e)
}

func (h *handlers) ancestry(w http.ResponseWriter, r *http.Request) {
	a, err := h.r.Ancestry(r.Context(), pathRef(r))
	if err != nil {
		if isNotFound(err) {
			err = apierr.NotFound("No such entity %s", pathRef(r))
		}
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}
