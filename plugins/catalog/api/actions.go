package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/portico-dev/portico/framework/apierr"
	"github.com/portico-dev/portico/framework/httpapi"
	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/plugins/catalog/wire"
)

// refresh is POST /refresh: 200 with an empty body.
func (h *handlers) refresh(r *httpapi.Request) (any, error) {
	var body struct {
		EntityRef *string `json:"entityRef"`
	}
	if err := r.DecodeJSON(&body); err != nil {
		return nil, err
	}
	if body.EntityRef == nil {
		return nil, apierr.Input("request body must have required property 'entityRef'")
	}
	ref, err := model.NormalizeEntityRef(*body.EntityRef)
	if err != nil {
		return nil, apierr.Input("Invalid entity ref %q: %v", *body.EntityRef, err)
	}
	if err := h.w.Refresh(r.Context(), ref); err != nil {
		return nil, err
	}
	return httpapi.Empty(http.StatusOK), nil
}

// validateEntity is POST /validate-entity: 200 empty when valid, 400
// {"errors":[…]} otherwise (not the standard envelope).
func (h *handlers) validateEntity(r *httpapi.Request) (any, error) {
	var body struct {
		Entity   json.RawMessage `json:"entity"`
		Location json.RawMessage `json:"location"`
	}
	if err := r.DecodeJSON(&body); err != nil {
		return nil, err
	}
	// Backstage checks the body's shape first ({entity, location: string}) and answers a
	// malformed one with its standard InputError envelope, not the {errors} list.
	if len(body.Location) == 0 || string(body.Location) == "null" {
		return nil, apierr.Input("Malformed request: location: Required")
	}
	var location string
	if err := json.Unmarshal(body.Location, &location); err != nil {
		return nil, apierr.Input("Malformed request: location: Expected string")
	}
	typ, target, ok := strings.Cut(location, ":")
	if !ok || typ != "url" || target == "" {
		return httpapi.Status(http.StatusBadRequest, map[string]any{"errors": []model.SerializedError{{
			Name:    "TypeError",
			Message: "Invalid location ref " + location + ", only 'url:<target>' is supported, e.g. url:https://host/path",
		}}}), nil
	}
	errs, err := h.w.ValidateEntity(r.Context(), body.Entity, location)
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		return httpapi.Status(http.StatusBadRequest, map[string]any{"errors": errs}), nil
	}
	return httpapi.Empty(http.StatusOK), nil
}

// analyzeLocation is POST /analyze-location.
func (h *handlers) analyzeLocation(r *httpapi.Request) (any, error) {
	var body struct {
		Location        *wire.LocationSpec `json:"location"`
		CatalogFilename string             `json:"catalogFilename"`
		CatalogFileName string             `json:"catalogFileName"`
	}
	if err := r.DecodeJSON(&body); err != nil {
		return nil, err
	}
	if body.Location == nil {
		return nil, apierr.Input("request body must have required property 'location'")
	}
	if u, err := url.Parse(body.Location.Target); err != nil || u.Scheme == "" || u.Host == "" {
		return nil, apierr.Input("The given location.target is not a URL")
	}
	req := wire.AnalyzeLocationRequest{Location: *body.Location, CatalogFilename: body.CatalogFilename}
	if req.CatalogFilename == "" {
		req.CatalogFilename = body.CatalogFileName
	}
	res, err := h.w.AnalyzeLocation(r.Context(), req)
	if err != nil {
		return nil, err
	}
	if res.ExistingEntityFiles == nil {
		res.ExistingEntityFiles = []wire.AnalyzeExistingEntity{}
	}
	if res.GenerateEntities == nil {
		res.GenerateEntities = []wire.AnalyzeGenerateEntity{}
	}
	return res, nil
}
