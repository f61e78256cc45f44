package api

import (
	"context"
	"encoding/json"
	"log/slog"

	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/framework/httpapi"
	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/plugins/catalog/query"
	"github.com/portico-dev/portico/plugins/catalog/reader"
	"github.com/portico-dev/portico/plugins/catalog/wire"
)

// Reader is the read side the API needs; the catalog service implements it, with the read
// permission applied (*reader.Reader too, unfiltered).
type Reader interface {
	ListEach(ctx context.Context, req reader.ListRequest, fn func(json.RawMessage) error, next func(string)) error
	Query(ctx context.Context, req reader.QueryRequest) (reader.QueryResult, error)
	ByRefs(ctx context.Context, refs []string, filter *query.Expr, fields []string) ([]json.RawMessage, error)
	ByRef(ctx context.Context, ref string) (json.RawMessage, error)
	ByUID(ctx context.Context, uid string) (json.RawMessage, error)
	Ancestry(ctx context.Context, ref string) (reader.Ancestry, error)
	Facets(ctx context.Context, facets []string, filter *query.Expr) (map[string][]reader.FacetCount, error)
	Locations(ctx context.Context) ([]model.Location, error)
	Location(ctx context.Context, id string) (model.Location, error)
	LocationByEntity(ctx context.Context, ref string) (model.Location, error)
	QueryLocations(ctx context.Context, q reader.LocationQuery) (reader.LocationQueryResult, error)
}

var _ Reader = (*reader.Reader)(nil)

// Writer is the write side the API needs; the catalog service implements it, with the
// permission checks.
type Writer interface {
	AddLocation(ctx context.Context, typ, target string, dryRun bool) (wire.AddLocationResult, error) // model.ErrConflict when it exists
	RemoveLocation(ctx context.Context, id string) error                                              // model.ErrNotFound
	Refresh(ctx context.Context, entityRef string) error                                              // model.ErrNotFound
	DeleteEntityByUID(ctx context.Context, uid string) error
	ValidateEntity(ctx context.Context, entity json.RawMessage, locationRef string) ([]model.SerializedError, error) // empty = valid
	AnalyzeLocation(ctx context.Context, req wire.AnalyzeLocationRequest) (wire.AnalyzeLocationResponse, error)
}

// Options configures the API.
type Options struct {
	// Readonly refuses location registration and removal (catalog.readonly).
	Readonly bool
}

type handlers struct {
	r      Reader
	w      Writer
	api    *httpapi.API
	logger *slog.Logger
	opts   Options
}

// Register mounts the catalog API on router (patterns relative to
// /api/catalog).
func Register(router framework.HTTPRouter, r Reader, w Writer, logger *slog.Logger, opts Options) {
	h := &handlers{r: r, w: w, api: httpapi.New(logger, maxBody), logger: logger, opts: opts}
	router.HandleFunc("GET /entities", h.listEntities) // streams its array: not a Func
	routes := map[string]httpapi.Func{
		"GET /entities/by-query":                                   h.queryEntitiesGet,
		"POST /entities/by-query":                                  h.queryEntitiesPost,
		"POST /entities/by-refs":                                   h.entitiesByRefs,
		"GET /entities/by-uid/{uid}":                               h.entityByUID,
		"DELETE /entities/by-uid/{uid}":                            h.deleteEntityByUID,
		"GET /entities/by-name/{kind}/{namespace}/{name}":          h.entityByName,
		"GET /entities/by-name/{kind}/{namespace}/{name}/ancestry": h.ancestry,
		"GET /entity-facets":                                       h.facetsGet,
		"POST /entity-facets":                                      h.facetsPost,
		"POST /refresh":                                            h.refresh,
		"GET /locations":                                           h.listLocations,
		"POST /locations":                                          h.addLocation,
		"POST /locations/by-query":                                 h.queryLocations,
		"GET /locations/{id}":                                      h.location,
		"DELETE /locations/{id}":                                   h.deleteLocation,
		"GET /locations/by-entity/{kind}/{namespace}/{name}":       h.locationByEntity,
		"POST /analyze-location":                                   h.analyzeLocation,
		"POST /validate-entity":                                    h.validateEntity,
	}
	for pattern, fn := range routes {
		router.HandleFunc(pattern, h.api.Handle(fn))
	}
}
