package store

import (
	"database/sql"
	"encoding/json"
	"time"

	"github.com/portico-dev/portico/plugins/catalog/model"
)

// Claimed is a refresh_state row a worker holds a lease on.
type Claimed struct {
	ID, Ref         string
	Raw             string // the unprocessed entity
	UnprocessedHash string
	ResultHash      sql.NullString
	InputHash       sql.NullString // processed_input_hash
	Cache           sql.NullString
	Errors          sql.NullString
	Epoch           int64
	Failures        int
}

// Outcome is what processing made of a claimed row, as WriteOutcomes stores it.
type Outcome struct {
	Claimed Claimed
	// Skip: the input did not change, only the next update is scheduled.
	Skip bool
	// OK: processing succeeded; otherwise Errors and ResultHash are stored as the failure.
	OK bool
	// NextUpdate is when the row is processed again.
	NextUpdate time.Time
	Errors     string // JSON array of serialized errors
	ResultHash string
	JSON       []byte // the processed entity
	InputHash  string // processed_input_hash of a successful outcome
	Cache      sql.NullString
	Relations  []RelationRow
	Children   []Child
	Keys       []string // refresh keys
}

// RelationRow is one row of the relations table.
type RelationRow struct {
	Source, Type, Target string
}

// SpillReader holds children's encoded entities outside memory.
type SpillReader interface {
	Read(off int64, n int) ([]byte, error)
}

// Child is an entity emitted by a parent or a provider, with its location key.
type Child struct {
	Ref         string
	JSON        []byte // nil when spilled: use Data
	Hash        string
	LocationKey string
	Spill       SpillReader // where the JSON is when it was spilled
	Off         int64
	N           int
}

// Data returns the child's encoded entity, from memory or from its spill file.
func (c Child) Data() ([]byte, error) {
	if c.Spill == nil {
		return c.JSON, nil
	}
	return c.Spill.Read(c.Off, c.N)
}

// Conflict is a child another location key already owns.
type Conflict struct {
	Ref, ExistingKey, NewKey string
}

// StitchClaim is a final_entities row a worker is stitching.
type StitchClaim struct {
	ID, Ref string
	Hash    sql.NullString
}

// StitchState is what stitching one entity needs from refresh_state.
type StitchState struct {
	Processed sql.NullString
	Errors    sql.NullString
	Incoming  int // references to the entity (0: an orphan)
}

// StitchResult is what stitching one claimed entity produced.
type StitchResult struct {
	Claim StitchClaim
	Gone  bool // no refresh_state row: drop the final row
	Skip  bool // nothing to write, just clear the mark
	Final []byte
	Hash  string
	Text  string // the full-text document
}

// SearchRow is one row of the search table.
type SearchRow struct {
	ID, Key         string
	Value, Original *string
}

// TextDocument is a final entity whose full-text document is missing or computed.
type TextDocument struct {
	ID, Final, Text string
}

// ErrorsJSON encodes processing errors as the errors column holds them ("[]" for none).
func ErrorsJSON(errs []model.SerializedError) string {
	if len(errs) == 0 {
		return "[]"
	}
	b, err := json.Marshal(errs)
	if err != nil {
		return "[]"
	}
	return string(b)
}

// InputsJSON encodes the inputs a processing run read as the cache column holds them
// (NULL for none).
func InputsJSON(in map[string]string) sql.NullString {
	if len(in) == 0 {
		return sql.NullString{}
	}
	b, _ := json.Marshal(in)
	return sql.NullString{String: string(b), Valid: true}
}
