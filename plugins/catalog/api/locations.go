package api

import (
	"encoding/json"
	"strings"

	"github.com/portico-dev/portico/framework/apierr"
	"github.com/portico-dev/portico/framework/httpapi"
	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/plugins/catalog/query"
	"github.com/portico-dev/portico/plugins/catalog/reader"
	"github.com/portico-dev/portico/plugins/catalog/wire"
)

func (h *handlers) listLocations(r *httpapi.Request) (any, error) {
	locs, err := h.r.Locations(r.Context())
	if err != nil {
		return nil, err
	}
	out := make([]map[string]model.Location, len(locs))
	for i, l := range locs {
		out[i] = map[string]model.Location{"data": l}
	}
	return out, nil
}

func (h *handlers) location(r *httpapi.Request) (any, error) {
	id := r.PathValue("id")
	l, err := h.r.Location(r.Context(), id)
	if err != nil {
		if isNotFound(err) {
			err = apierr.NotFound("Found no location with ID %s", id)
		}
		return nil, err
	}
	return l, nil
}

func (h *handlers) locationByEntity(r *httpapi.Request) (any, error) {
	l, err := h.r.LocationByEntity(r.Context(), pathRef(r))
	if err != nil {
		if isNotFound(err) {
			err = apierr.NotFound("No location found for entity %s", pathRef(r))
		}
		return nil, err
	}
	return l, nil
}

// parseBool reads dryRun leniently, as Backstage does.
func parseBool(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "1", "y", "on":
		return true
	}
	return false
}

func (h *handlers) addLocation(r *httpapi.Request) (any, error) {
	dryRun := parseBool(r.URL.Query().Get("dryRun"))
	var body struct {
		Type   *string `json:"type"`
		Target *string `json:"target"`
	}
	if err := r.DecodeJSON(&body); err != nil {
		return nil, err
	}
	if body.Type == nil || body.Target == nil {
		return nil, apierr.Input("Invalid location, type and target must be strings")
	}
	if h.opts.Readonly && !dryRun {
		return nil, apierr.NotAllowed("This operation not allowed in readonly mode")
	}
	res, err := h.w.AddLocation(r.Context(), *body.Type, *body.Target, dryRun)
	if err != nil {
		return nil, err
	}
	if res.Entities == nil {
		res.Entities = []json.RawMessage{}
	}
	return httpapi.Created(res), nil
}

func (h *handlers) deleteLocation(r *httpapi.Request) (any, error) {
	if h.opts.Readonly {
		return nil, apierr.NotAllowed("This operation not allowed in readonly mode")
	}
	id := r.PathValue("id")
	if err := h.w.RemoveLocation(r.Context(), id); err != nil {
		if isNotFound(err) {
			err = apierr.NotFound("Found no location with ID %s", id)
		}
		return nil, err
	}
	return httpapi.NoContent(), nil
}

func (h *handlers) queryLocations(r *httpapi.Request) (any, error) {
	var body struct {
		Cursor string          `json:"cursor"`
		Limit  *int            `json:"limit"`
		Query  json.RawMessage `json:"query"`
	}
	if err := r.DecodeJSON(&body); err != nil {
		return nil, err
	}
	q := reader.LocationQuery{Cursor: body.Cursor}
	if body.Limit != nil {
		if *body.Limit < 1 {
			return nil, apierr.Input("Invalid limit, must be greater than zero")
		}
		q.Limit = *body.Limit
	}
	var err error
	if q.Query, err = query.ParsePredicate(body.Query); err != nil {
		return nil, err
	}
	res, err := h.r.QueryLocations(r.Context(), q)
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"items": res.Items, "totalItems": res.TotalItems,
		"pageInfo": wire.PageInfo{NextCursor: res.NextCursor},
	}, nil
}
