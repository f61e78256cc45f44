package model

import "errors"

// Location is a location registered through the catalog API (a row of the locations table).
type Location struct {
	ID     string `json:"id"`
	Type   string `json:"type"`
	Target string `json:"target"`
}

// Sentinel errors shared by the catalog's reader, engine and API; wrap them with context and
// test them with errors.Is. The API maps them to Backstage's NotFoundError and ConflictError.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
)
