package engine

import (
	"context"

	"github.com/portico-dev/portico/plugins/catalog/model"
)

// processingStore is the storage the processing loop needs: claim due entities under a
// lease, learn whether a location was registered through the API, and write back what
// processing made of a batch, fenced by the epoch and unprocessed hash read at claim time.
// The pipeline itself (read → process → validate → emit) touches nothing else, so it runs
// over an in-memory store in tests (memstore_test.go). sqlProcessing is the database one.
type processingStore interface {
	// claim leases up to limit due entities, ordered by id.
	claim(ctx context.Context, limit int) ([]claimed, error)
	// countEntities is the number of entities in the catalog (refresh_state rows, processed
	// or not): the batch sizes scale with it.
	countEntities(ctx context.Context) (int, error)
	// writeOutcomes stores a processed batch (results, children, relations, refresh keys)
	// and releases its leases; a row taken over meanwhile is left to its new holder.
	writeOutcomes(ctx context.Context, items []work) error
	// locationRegistered reports whether loc is in the locations table (registered through
	// the API).
	locationRegistered(ctx context.Context, loc model.LocationRef) (bool, error)
}

// sqlProcessing is the processing store over the engine's database (store.Store).
type sqlProcessing struct{ e *Engine }

func (s sqlProcessing) claim(ctx context.Context, limit int) ([]claimed, error) {
	return s.e.st.Claim(ctx, s.e.opts.WorkerID, s.e.opts.Lease, limit)
}

func (s sqlProcessing) countEntities(ctx context.Context) (int, error) {
	return s.e.st.CountEntities(ctx)
}

func (s sqlProcessing) writeOutcomes(ctx context.Context, items []work) error {
	return s.e.writeOutcomes(ctx, items)
}

func (s sqlProcessing) locationRegistered(ctx context.Context, loc model.LocationRef) (bool, error) {
	// An error is shown by refusedOrigin in the location's processing error as it is.
	return s.e.st.LocationRegistered(ctx, loc.Type, loc.Target)
}
