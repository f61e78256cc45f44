package engine

import (
	"context"
	"time"

	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/plugins/catalog/store"
)

// The engine decides what to store; the catalog's store (plugins/catalog/store) holds the
// SQL. These are the parts of it the engine uses, by role; *store.Store is all of them. The
// processing loop itself goes through processingStore (procstore.go), which tests replace
// with an in-memory one.

// storage is every role the engine asks of its store.
type storage interface {
	processingSQL
	stitchStore
	mutationStore
	locationStore
	leaseStore
}

// processingSQL is what sqlProcessing (the processing loop's database store) needs.
type processingSQL interface {
	Claim(ctx context.Context, worker string, lease time.Duration, limit int) ([]store.Claimed, error)
	CountEntities(ctx context.Context) (int, error)
	WriteOutcomes(ctx context.Context, now time.Time, items []store.Outcome) error
	WriteFailed(ctx context.Context, c store.Claimed, errs string, next time.Time) (bool, error)
}

// stitchStore claims stitching work, reads its inputs and writes final entities and search
// rows (staged and folded on SQLite, pending.go).
type stitchStore interface {
	ClaimStitch(ctx context.Context, ticket string, lease time.Duration, limit int) ([]store.StitchClaim, error)
	StitchInputs(ctx context.Context, claims []store.StitchClaim) (map[string]*store.StitchState, map[string][]model.Relation, error)
	WriteStitch(ctx context.Context, ticket string, results []store.StitchResult, search, pending []store.SearchRow) (int, error)
	PostponeStitch(ctx context.Context, ticket, id string, retry time.Time) error
	StagesSearch() bool
	FoldPendingSearch(ctx context.Context) (total int, folded bool, err error)
	MissingTextDocuments(ctx context.Context) ([]store.TextDocument, error)
	SetTextDocuments(ctx context.Context, docs []store.TextDocument) error
}

// mutationStore changes provider buckets and entities, schedules refreshes and deletes
// orphans.
type mutationStore interface {
	ApplyMutation(ctx context.Context, provider string, full bool, added []store.Child, removedRefs []string) error
	RemoveProviderBuckets(ctx context.Context, known []string) error
	DeleteOrphans(ctx context.Context) (int, error)
	DeleteEntity(ctx context.Context, uid string) (found bool, err error)
	EntityExists(ctx context.Context, ref string) (bool, error)
	Parents(ctx context.Context, refs []string) ([]string, error)
	RefreshKeys(ctx context.Context, keys []string, now time.Time) error
	RefreshRefs(ctx context.Context, refs []string, now time.Time) error
}

// locationStore keeps the locations registered through the API.
type locationStore interface {
	ListLocations(ctx context.Context) ([]model.Location, error)
	LocationID(ctx context.Context, typ, target string) (string, error)
	LocationRegistered(ctx context.Context, typ, target string) (bool, error)
	InsertLocation(ctx context.Context, loc model.Location) error
	DeleteLocation(ctx context.Context, id string) (loc model.Location, found bool, err error)
}

// leaseStore takes back the claims a previous incarnation of this worker left.
type leaseStore interface {
	ReclaimLeases(ctx context.Context, worker, ticketPrefix string, ticketIDLen int) (processing, stitching int64, err error)
}

var _ storage = (*store.Store)(nil)
