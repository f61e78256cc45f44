package model

import "github.com/portico-dev/portico/framework/apierr/errkind"

// Location is a location registered through the catalog API (a row of the locations table).
type Location struct {
	ID     string `json:"id"`
	Type   string `json:"type"`
	Target string `json:"target"`
}

// Sentinel errors shared by the catalog's reader, engine and API; wrap them with context and
// test them with errors.Is. They are of Backstage's kinds NotFoundError and ConflictError
// (errkind), which apierr answers with 404 and 409: "%w: Location x already exists" reads
// "Location x already exists" in the error body.
var (
	ErrNotFound = errkind.New(errkind.NotFound, "not found")
	ErrConflict = errkind.New(errkind.Conflict, "conflict")
)
