package engine

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"github.com/portico-dev/portico/plugins/catalog/model"
)

// memRow is an entity of the in-memory processing store: refresh_state, the processed result
// and the relations it originated, in one.
type memRow struct {
	id, ref, raw, hash string
	locationKey        string
	due                bool
	epoch              int64
	failures           int
	resultHash         string
	processed          []byte
	errors             []model.SerializedError
	relations          []relRow
	keys               []string
}

// memProcessing is a processingStore in memory: enough of the SQL one's contract for the
// pipeline to run without a database. Children are inserted (or updated when their hash
// changed) and become due; a child whose location key differs from its row's is refused, as
// the conflict rule does. It does not defer stitching, orphans or refresh keys.
type memProcessing struct {
	mu sync.Mutex
	// batch, when > 0, caps every claim below the engine's limit; claims records each
	// claim's size.
	batch     int
	claims    []int
	rows      map[string]*memRow // by ref
	nextID    int
	locations map[string]bool // registered through the API, by LocationRef string
}

func newMemProcessing(batch int) *memProcessing {
	return &memProcessing{batch: batch, rows: map[string]*memRow{}, locations: map[string]bool{}}
}

// seed adds an unprocessed entity, due now (what a provider's mutation does).
func (m *memProcessing) seed(e *model.Entity, locationKey string) error {
	raw, err := json.Marshal(e)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.upsert(e.Ref().String(), raw, sha1Hex(raw), locationKey)
	return nil
}

// upsert inserts or updates an unprocessed entity; it reports false on a location key
// conflict (the row keeps its entity). Called with mu held.
func (m *memProcessing) upsert(ref string, raw []byte, hash, locationKey string) bool {
	r, ok := m.rows[ref]
	if !ok {
		m.nextID++
		m.rows[ref] = &memRow{id: fmt.Sprintf("%08d", m.nextID), ref: ref, raw: string(raw), hash: hash, locationKey: locationKey, due: true}
		return true
	}
	if r.locationKey != "" && locationKey != "" && r.locationKey != locationKey {
		return false
	}
	if r.hash != hash {
		r.raw, r.hash, r.due = string(raw), hash, true
	}
	r.locationKey = locationKey
	return true
}

func (m *memProcessing) claim(ctx context.Context, limit int) ([]claimed, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var due []*memRow
	for _, r := range m.rows {
		if r.due {
			due = append(due, r)
		}
	}
	slices.SortFunc(due, func(a, b *memRow) int { return cmp.Compare(a.id, b.id) })
	if m.batch > 0 {
		limit = min(limit, m.batch)
	}
	if len(due) > limit {
		due = due[:limit]
	}
	m.claims = append(m.claims, len(due))
	out := make([]claimed, len(due))
	for i, r := range due {
		r.due = false
		r.epoch++
		out[i] = claimed{ID: r.id, Ref: r.ref, Raw: r.raw, UnprocessedHash: r.hash, Epoch: r.epoch, Failures: r.failures}
		if r.resultHash != "" {
			out[i].ResultHash.String, out[i].ResultHash.Valid = r.resultHash, true
		}
	}
	return out, nil
}

func (m *memProcessing) countEntities(context.Context) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.rows), nil
}

func (m *memProcessing) writeOutcomes(ctx context.Context, items []work) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, w := range items {
		r := m.rows[w.c.Ref]
		if r == nil || r.epoch != w.c.Epoch || r.hash != w.c.UnprocessedHash {
			continue // taken over or re-emitted meanwhile: the new holder writes
		}
		switch {
		case w.skip:
		case !w.out.OK:
			r.failures++
			r.errors, r.resultHash = w.out.Errors, w.out.ResultHash
		default:
			r.failures = 0
			r.errors, r.resultHash = nil, w.out.ResultHash
			r.processed, r.relations, r.keys = w.out.JSON, w.out.Relations, w.out.Keys
			for _, c := range w.out.Children {
				data, err := c.Data()
				if err != nil {
					return fmt.Errorf("child %s of %s: %w", c.Ref, r.ref, err)
				}
				if !m.upsert(c.Ref, data, c.Hash, c.LocationKey) {
					r.errors = append(r.errors, model.SerializedError{Name: "ConflictError",
						Message: fmt.Sprintf("Detected conflicting entityRef %s already referenced by %s", c.Ref, m.rows[c.Ref].locationKey)})
				}
			}
		}
	}
	return nil
}

func (m *memProcessing) locationRegistered(_ context.Context, loc model.LocationRef) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.locations[loc.String()], nil
}

var _ processingStore = (*memProcessing)(nil)
