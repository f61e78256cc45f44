package engine

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/portico-dev/portico/plugins/catalog/model"
)

func TestScaledBatch(t *testing.T) {
	cases := []struct {
		name                   string
		fixed, entities, limit int
		want                   int
	}{
		{"an empty catalog gets the minimum", 0, 0, MaxBatchSize, MinBatchSize},
		{"a small catalog gets the minimum", 0, 1_000, MaxBatchSize, MinBatchSize},
		{"at the minimum's share", 0, MinBatchSize * BatchShare, MaxBatchSize, MinBatchSize},
		{"10k entities: a tenth", 0, 10_000, MaxBatchSize, 1_000},
		{"a share rounds down", 0, 12_345, MaxBatchSize, 1_234},
		{"at the maximum's share", 0, MaxBatchSize * BatchShare, MaxBatchSize, MaxBatchSize},
		{"100k entities: the maximum", 0, 100_000, MaxBatchSize, MaxBatchSize},
		{"stitching has its own maximum", 0, 100_000, MaxStitchBatchSize, MaxStitchBatchSize},
		{"a fixed size is kept, small catalog", 100, 0, MaxBatchSize, 100},
		{"a fixed size is kept, above the maximum", 10_000, 1_000_000, MaxBatchSize, 10_000},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := scaledBatch(tc.fixed, tc.entities, tc.limit); got != tc.want {
				t.Errorf("scaledBatch(%d, %d, %d) = %d, want %d", tc.fixed, tc.entities, tc.limit, got, tc.want)
			}
		})
	}
}

// countingStore counts the catalog counts the engine asks for.
type countingStore struct {
	*memProcessing
	counts int
}

func (c *countingStore) countEntities(ctx context.Context) (int, error) {
	c.counts++
	return c.memProcessing.countEntities(ctx)
}

// TestSizeBatches: the engine counts the catalog when a round's first claim is full or the
// last count is older than batchRecount, and sizes both batches to the count; fixed sizes
// are never counted for.
func TestSizeBatches(t *testing.T) {
	type step struct {
		grow      int           // entities added before the step
		advance   time.Duration // clock advance before the step
		fullClaim bool
		counted   bool
		process   int
		stitch    int
	}
	cases := []struct {
		name          string
		fixed, fixedS int
		steps         []step
	}{
		{name: "a catalog growing through full claims", steps: []step{
			{grow: 1, counted: true, process: MinBatchSize, stitch: MinBatchSize},
			{grow: 10_000, fullClaim: true, counted: true, process: 1_000, stitch: 1_000},
			{grow: 90_000, fullClaim: true, counted: true, process: MaxBatchSize, stitch: MaxStitchBatchSize},
		}},
		{name: "a partial claim keeps a recent count", steps: []step{
			{grow: 10_000, counted: true, process: 1_000, stitch: 1_000},
			{grow: 10_000, advance: batchRecount / 2, process: 1_000, stitch: 1_000},
		}},
		{name: "an old count is renewed", steps: []step{
			{grow: 10_000, counted: true, process: 1_000, stitch: 1_000},
			{grow: 10_000, advance: batchRecount, counted: true, process: 2_000, stitch: 2_000},
		}},
		{name: "a fixed processing size scales stitching only", fixed: 100, steps: []step{
			{grow: 20_000, counted: true, process: 100, stitch: 2_000},
		}},
		{name: "fixed sizes are never counted for", fixed: 100, fixedS: 4, steps: []step{
			{grow: 20_000, fullClaim: true, process: 100, stitch: 4},
			{advance: 2 * batchRecount, fullClaim: true, process: 100, stitch: 4},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			now := time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC)
			store := &countingStore{memProcessing: newMemProcessing(1)}
			e, err := newEngine(Options{BatchSize: tc.fixed, StitchBatchSize: tc.fixedS, Clock: func() time.Time { return now }}, store)
			if err != nil {
				t.Fatal(err)
			}
			for i, s := range tc.steps {
				for range s.grow {
					store.upsert(fmt.Sprintf("component:default/c%d", len(store.rows)), nil, "", "")
				}
				now = now.Add(s.advance)
				before := store.counts
				e.sizeBatches(t.Context(), s.fullClaim)
				if counted := store.counts > before; counted != s.counted {
					t.Errorf("step %d: counted %v, want %v", i, counted, s.counted)
				}
				if got := e.processBatch(); got != s.process {
					t.Errorf("step %d: process batch %d, want %d", i, got, s.process)
				}
				if got := e.stitchBatch(); got != s.stitch {
					t.Errorf("step %d: stitch batch %d, want %d", i, got, s.stitch)
				}
			}
		})
	}
}

// TestProcessAllSizesBatches: a processing round whose first claim is full counts the
// catalog and claims the rest of its backlog in batches sized to it.
func TestProcessAllSizesBatches(t *testing.T) {
	store := newMemProcessing(0)
	e, err := newEngine(Options{}, store)
	if err != nil {
		t.Fatal(err)
	}
	const n = 4_000
	for i := range n {
		c := &model.Entity{APIVersion: "backstage.io/v1alpha1", Kind: "Component",
			Metadata: model.Metadata{Name: fmt.Sprintf("c%d", i)},
			Spec:     map[string]any{"type": "service", "lifecycle": "production", "owner": "team-x"}}
		if err := store.seed(c, ""); err != nil {
			t.Fatal(err)
		}
	}
	claimed, err := e.processAll(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if claimed != n {
		t.Errorf("claimed %d, want %d", claimed, n)
	}
	// The first claim, before any count, is the minimum; it is full, so the catalog is
	// counted (4000 → batches of 400) and the rest is claimed 400 at a time.
	want := []int{MinBatchSize}
	for left := n - MinBatchSize; left > 0; left -= n / BatchShare {
		want = append(want, min(left, n/BatchShare))
	}
	if !slices.Equal(store.claims, want) {
		t.Errorf("claim sizes %v, want %v", store.claims, want)
	}
	if got, want := e.stitchBatch(), n/BatchShare; got != want {
		t.Errorf("stitch batch = %d, want %d", got, want)
	}
}
