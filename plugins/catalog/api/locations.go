package api

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/portico-dev/portico/framework/apierr"
	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/plugins/catalog/query"
	"github.com/portico-dev/portico/plugins/catalog/reader"
	"github.com/portico-dev/portico/plugins/catalog/wire"
)

func (h *handlers) listLocations(w http.ResponseWriter, r *http.Request) {
	locs, err := h.r.Locations(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	out := make([]map[string]model.Location, len(locs))
	for i, l := range locs {
		out[i] = map[string]model.Location{"data": l}
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *handlers) location(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	l, err := h.r.Location(r.Context(), id)
	if err != nil {
		if isNotFound(err) {
			err = apierr.NotFound("Found no location with ID %s", id)
		}
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, l)
}

func (h *handlers) locationByEntity(w http.ResponseWriter, r *http.Request) {
	l, err := h.r.LocationByEntity(r.Context(), pathRef(r))
	if err != nil {
		if isNotFound(err) {
			err = apierr.NotFound("No location found for entity %s", pathRef(r))
		}
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, l)
}

// parseBool reads dryRun leniently, as Backstage does.
func parseBool(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "1", "y", "on":
		return true
	}
	return false
}

func (h *handlers) addLocation(w http.ResponseWriter, r *http.Request) {
	dryRun := parseBool(r.URL.Query().Get("dryRun"))
	var body struct {
		Type   *string `json:"type"`
		Target *string `json:"target"`
	}
	if err := decodeBody(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	if body.Type == nil || body.Target == nil {
		h.fail(w, r, apierr.Input("Invalid location, type and target must be strings"))
		return
	}
	if h.opts.Readonly && !dryRun {
		h.fail(w, r, apierr.NotAllowed("This operation not allowed in readonly mode"))
		return
	}
	res, err := h.w.AddLocation(r.Context(), *body.Type, *body.Target, dryRun)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if res.Entities == nil {
		res.Entities = []json.RawMessage{}
	}
	writeJSON(w, http.StatusCreated, res)
}

func (h *handlers) deleteLocation(w http.ResponseWriter, r *http.Request) {
	if h.opts.Readonly {
		h.fail(w, r, apierr.NotAllowed("This operation not allowed in readonly mode"))
		return
	}
	id := r.PathValue("id")
	if err := h.w.RemoveLocation(r.Context(), id); err != nil {
		if isNotFound(err) {
			err = apierr.NotFound("Found no location with ID %s", id)
		}
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *handlers) queryLocations(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Cursor string          `json:"cursor"`
		Limit  *int            `json:"limit"`
		Query  json.RawMessage `json:"query"`
	}
	if err := decodeBody(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	q := reader.LocationQuery{Cursor: body.Cursor}
	if body.Limit != nil {
		if *body.Limit < 1 {
			h.fail(w, r, apierr.Input("Invalid limit, must be greater than zero"))
			return
		}
		q.Limit = *body.Limit
	}
	var err error
	if q.Query, err = query.ParsePredicate(body.Query); err != nil {
		h.fail(w, r, err)
		return
	}
	res, err := h.r.QueryLocations(r.Context(), q)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"items": res.Items, "totalItems": res.TotalItems,
		"pageInfo": wire.PageInfo{NextCursor: res.NextCursor},
	})
}
