package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/portico-dev/portico/framework/apierr"
	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/plugins/catalog/wire"
)

// refresh is POST /refresh: 200 with an empty body.
func (h *handlers) refresh(w http.ResponseWriter, r *http.Request) {
	var body struct {
		EntityRef *string `json:"entityRef"`
	}
	if err := decodeBody(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	if body.EntityRef == nil {
		h.fail(w, r, apierr.Input("request body must have required property 'entityRef'"))
		return
	}
	ref, err := model.NormalizeEntityRef(*body.EntityRef)
	if err != nil {
		h.fail(w, r, apierr.Input("Invalid entity ref %q: %v", *body.EntityRef, err))
		return
	}
	if err := h.w.Refresh(r.Context(), ref); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// validateEntity is POST /validate-entity: 200 empty when valid, 400
// {"errors":[…]} otherwise (not the standard envelope).
func (h *handlers) validateEntity(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Entity   json.RawMessage `json:"entity"`
		Location string          `json:"location"`
	}
	if err := decodeBody(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	typ, target, ok := strings.Cut(body.Location, ":")
	if !ok || typ != "url" || target == "" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errors": []model.SerializedError{{
			Name:    "TypeError",
			Message: "Invalid location ref " + body.Location + ", only 'url:<target>' is supported, e.g. url:https://host/path",
		}}})
		return
	}
	errs, err := h.w.ValidateEntity(r.Context(), body.Entity, body.Location)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if len(errs) > 0 {
		writeJSON(w, http.StatusBadRequest, map[string]any{"errors": errs})
		return
	}
	w.WriteHeader(http.StatusOK)
}

// analyzeLocation is POST /analyze-location.
func (h *handlers) analyzeLocation(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Location        *wire.LocationSpec `json:"location"`
		CatalogFilename string             `json:"catalogFilename"`
		CatalogFileName string             `json:"catalogFileName"`
	}
	if err := decodeBody(w, r, &body); err != nil {
		h.fail(w, r, err)
		return
	}
	if body.Location == nil {
		h.fail(w, r, apierr.Input("request body must have required property 'location'"))
		return
	}
	if u, err := url.Parse(body.Location.Target); err != nil || u.Scheme == "" || u.Host == "" {
		h.fail(w, r, apierr.Input("The given location.target is not a URL"))
		return
	}
	req := wire.AnalyzeLocationRequest{Location: *body.Location, CatalogFilename: body.CatalogFilename}
	if req.CatalogFilename == "" {
		req.CatalogFilename = body.CatalogFileName
	}
	res, err := h.w.AnalyzeLocation(r.Context(), req)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if res.ExistingEntityFiles == nil {
		res.ExistingEntityFiles = []wire.AnalyzeExistingEntity{}
	}
	if res.GenerateEntities == nil {
		res.GenerateEntities = []wire.AnalyzeGenerateEntity{}
	}
	writeJSON(w, http.StatusOK, res)
}
