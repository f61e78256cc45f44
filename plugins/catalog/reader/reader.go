package reader

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/plugins/catalog/model"
)

// Reader runs the catalog's read queries. It is safe for concurrent use.
type Reader struct {
	db *database.DB

	collMu    sync.Mutex // guards the two fields below
	collKnown bool       // collBytes is read (refsByteOrdered)
	collBytes bool       // entity_ref compares byte-wise

	noTextProbes bool // tests: compare writeWhere's text probes with plain semi-joins
	noTextDocs   bool // tests: compare text-document searches with search-row ones

	docsReady atomic.Bool // every visible entity has a text document (textDocuments)
}

// New returns a Reader over the catalog database db (migrated).
func New(db *database.DB) *Reader {
	return &Reader{db: db}
}

func (r *Reader) q(query string) string { return r.db.Dialect.Rebind(query) }

// ByRef returns the final entity with the given reference (matched
// case-insensitively; kind and namespace as written in ref, namespace
// defaulting to "default"). It returns an error wrapping model.ErrNotFound
// when there is none.
func (r *Reader) ByRef(ctx context.Context, ref string) (json.RawMessage, error) {
	canonical, err := canonicalRef(ref)
	if err != nil {
		return nil, err
	}
	var entity sql.NullString
	err = r.db.QueryRowContext(ctx, r.q(`SELECT final_entity FROM final_entities WHERE entity_ref = ? AND final_entity IS NOT NULL`), canonical).Scan(&entity)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("entity %s: %w", canonical, model.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read entity %s: %w", canonical, err)
	}
	return json.RawMessage(entity.String), nil
}

// ByUID returns the final entity whose metadata.uid is uid, or an error
// wrapping model.ErrNotFound.
func (r *Reader) ByUID(ctx context.Context, uid string) (json.RawMessage, error) {
	var entity sql.NullString
	err := r.db.QueryRowContext(ctx, r.q(`SELECT final_entity FROM final_entities WHERE entity_id = ? AND final_entity IS NOT NULL`), uid).Scan(&entity)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("entity with uid %s: %w", uid, model.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read entity with uid %s: %w", uid, err)
	}
	return json.RawMessage(entity.String), nil
}

// canonicalRef parses a full or namespace-less reference into its canonical
// lower-case string.
func canonicalRef(ref string) (string, error) {
	parsed, err := model.ParseEntityRef(ref, model.RefContext{})
	if err != nil {
		return "", fmt.Errorf("parse entity ref %q: %w", ref, err)
	}
	return parsed.String(), nil
}
