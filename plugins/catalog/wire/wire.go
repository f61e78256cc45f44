// Package wire holds the bodies of the catalog's REST API that more than one layer shares:
// the API encodes them, the service and the engine produce them, and the pages read them.
// It sits below all of them (it imports only the model), so the engine never reaches up to
// the API for a type and the pages need no adapter.
//
// These are not model types: the model package is Backstage's catalog-model (entities,
// refs, validation rules, reused by other plugins and the CLI); the shapes here are the
// request and response bodies of the catalog's HTTP routes, which Backstage keeps in
// catalog-common and catalog-client. Field names and JSON tags follow Backstage exactly.
package wire

import (
	"encoding/json"

	"github.com/portico-dev/portico/plugins/catalog/model"
)

// AddLocationResult is the body of POST /locations.
type AddLocationResult struct {
	Location model.Location    `json:"location"`
	Entities []json.RawMessage `json:"entities"`
	Exists   bool              `json:"exists"`
}

// AnalyzeLocationRequest is the body of POST /analyze-location.
type AnalyzeLocationRequest struct {
	Location        LocationSpec `json:"location"`
	CatalogFilename string       `json:"catalogFilename,omitempty"`
}

// LocationSpec is a location's type and target.
type LocationSpec struct {
	Type   string `json:"type"`
	Target string `json:"target"`
}

// AnalyzeLocationResponse is the body answered by POST /analyze-location.
type AnalyzeLocationResponse struct {
	ExistingEntityFiles []AnalyzeExistingEntity `json:"existingEntityFiles"`
	GenerateEntities    []AnalyzeGenerateEntity `json:"generateEntities"`
}

// AnalyzeExistingEntity is a catalog file found at the analysed location.
type AnalyzeExistingEntity struct {
	Location     LocationSpec    `json:"location"`
	IsRegistered bool            `json:"isRegistered"`
	Entity       json.RawMessage `json:"entity"`
}

// AnalyzeGenerateEntity is an entity suggested for the analysed location.
type AnalyzeGenerateEntity struct {
	Entity json.RawMessage `json:"entity"`
	Fields []AnalyzeField  `json:"fields"`
}

// AnalyzeField is one suggested field of a generated entity.
type AnalyzeField struct {
	Field       string  `json:"field"`
	State       string  `json:"state"` // analysisSuggestedValue, analysisSuggestedNoValue, needsUserInput
	Value       *string `json:"value"`
	Description string  `json:"description"`
}

// EntitiesPage is the EntitiesQueryResponse shape answered by GET and POST
// /entities/by-query: a page of entities, the total and the cursors around it.
type EntitiesPage struct {
	Items      []json.RawMessage `json:"items"`
	TotalItems int               `json:"totalItems"`
	PageInfo   PageInfo          `json:"pageInfo"`
}

// PageInfo holds the cursors of the pages after and before an EntitiesPage.
type PageInfo struct {
	NextCursor string `json:"nextCursor,omitempty"`
	PrevCursor string `json:"prevCursor,omitempty"`
}
