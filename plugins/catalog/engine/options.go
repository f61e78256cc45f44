package engine

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"time"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/urlreader"
	"github.com/portico-dev/portico/plugins/catalog/model"
)

// Orphan strategies (catalog.orphanStrategy).
const (
	OrphanStrategyDelete = "delete"
	OrphanStrategyKeep   = "keep"
)

// Defaults applied by New.
const (
	DefaultProcessingInterval = 100 * time.Second
	DefaultLease              = 2 * time.Minute
	DefaultSearchFoldRows     = 8_000_000
	DefaultPollInterval       = time.Second
	DefaultProcessBudget      = 2 * time.Minute
	maxBackoff                = time.Hour
)

// Batch sizes. A claimed batch is in memory with its decoded entities, final JSON and
// search rows, two batches at a time (one written while the next is processed or stitched),
// so the batch sizes bound the engine's heap. Each batch's write transaction also rewrites
// every index page its rows land on; in a large catalog a batch's rows are spread over that
// many pages, so ingesting N entities in batches of B writes pages N/B times over (N²/B):
// a large catalog needs large batches, while a small one, whose indexes are a few pages, is
// ingested as fast in small ones. Unless Options fix them, the sizes scale with the
// catalog: one BatchShare-th of its entities, between MinBatchSize and MaxBatchSize
// (MaxStitchBatchSize for stitching). docs/performance.md ("Batch sizes") has the figures.
const (
	MinBatchSize       = 250
	MaxBatchSize       = 3000
	MaxStitchBatchSize = 2500
	BatchShare         = 10
	// batchRecount is how old the entity count may get before a busy processing round
	// counts again (a round whose first claim is full always counts).
	batchRecount = time.Minute
)

// ConfigLocation is one entry of catalog.locations.
type ConfigLocation struct {
	Type   string
	Target string
	// Rules are extra allow-rules for entities originating from this location.
	Rules []Rule
}

// Rule is one entry of catalog.rules: the kinds it allows and, optionally, the origin
// locations it is restricted to.
type Rule struct {
	Allow     []string
	Locations []RuleLocation
}

// RuleLocation restricts a rule to origin locations of a type with an exact target or a
// target matching a glob pattern.
type RuleLocation struct {
	Type    string
	Exact   string
	Pattern string
}

// DefaultAllowedLocationTypes are the location types callers may register by default.
func DefaultAllowedLocationTypes() []string { return []string{model.LocationTypeURL} }

// DefaultRules are the rules used when Options.Rules is nil: Backstage's default.
func DefaultRules() []Rule {
	return []Rule{{Allow: []string{model.KindComponent, model.KindAPI, model.KindLocation}}}
}

// Options configure an Engine. Only DB is required.
type Options struct {
	DB *database.DB
	// Reader reads url and file locations and placeholders; nil makes every read fail.
	Reader *urlreader.Reader
	Logger *slog.Logger
	// Clock returns the current time; nil means time.Now.
	Clock func() time.Time
	// Random returns a number in [0,1) for interval jitter; nil means math/rand/v2.
	Random func() float64
	// WorkerID names this engine in processing leases; "" means a random id.
	WorkerID string

	// Locations are the static locations (catalog.locations).
	Locations []ConfigLocation
	// AllowedLocationTypes are the location types AddLocation (the API and the import page)
	// registers (catalog.allowedLocationTypes); nil means DefaultAllowedLocationTypes, url only,
	// as Backstage's location service. Configured locations are not limited by it.
	AllowedLocationTypes []string
	// Rules are catalog.rules; nil means DefaultRules, an empty slice allows nothing.
	Rules []Rule
	// OrphanStrategy is OrphanStrategyDelete (default) or OrphanStrategyKeep.
	OrphanStrategy string
	// ProcessingInterval is the minimum time between two processing runs of an entity; the
	// actual delay is random in [interval, 1.5×interval]. 0 means DefaultProcessingInterval.
	ProcessingInterval time.Duration
	// Lease is how long a claimed entity stays reserved for this worker; 0 means DefaultLease.
	Lease time.Duration
	// BatchSize is the number of entities claimed for processing at once. 0 (the default)
	// scales it with the catalog: its entity count / BatchShare, within [MinBatchSize,
	// MaxBatchSize] (see the batch size constants). Two batches are in memory at a time (one
	// written while the next is processed), with their entities decoded: the batch sizes
	// bound the engine's heap.
	BatchSize int
	// StitchBatchSize is the number of entities claimed for stitching at once (one write
	// transaction). 0 (the default) scales it as BatchSize, up to MaxStitchBatchSize. Larger
	// batches write each index page of the search table fewer times.
	StitchBatchSize int
	// SearchFoldRows is the count of staged search rows from which a stitching round folds
	// them into the search table before it ends (SQLite; see pending.go): lower values make a
	// long first ingestion filterable sooner, at the cost of more fold work. 0 means
	// DefaultSearchFoldRows (about 280k entities' rows).
	SearchFoldRows int
	// PollInterval is how often Run looks for due work when idle.
	PollInterval time.Duration
	// ProcessBudget is how long (on Clock) one step keeps processing due entities before it
	// stitches what they changed; 0 means DefaultProcessBudget. Longer budgets stitch an
	// entity whose neighbours are processed in the same step once instead of once per batch.
	ProcessBudget time.Duration
	// Workers is the number of goroutines processing a claimed batch; 0 means 2.
	Workers int

	// Providers and Processors are added after the built-ins (the extension points).
	Providers  []EntityProvider
	Processors []Processor
	// Kinds are extra entity kinds recognised by validation.
	Kinds []model.Kind
}

func (o *Options) setDefaults() error {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Random == nil {
		o.Random = rand.Float64
	}
	if o.WorkerID == "" {
		o.WorkerID = "engine-" + newID()[:8]
	}
	if o.Rules == nil {
		o.Rules = DefaultRules()
	}
	if o.AllowedLocationTypes == nil {
		o.AllowedLocationTypes = DefaultAllowedLocationTypes()
	}
	switch o.OrphanStrategy {
	case "":
		o.OrphanStrategy = OrphanStrategyDelete
	case OrphanStrategyDelete, OrphanStrategyKeep:
	default:
		return fmt.Errorf("engine: options: unknown orphan strategy %q", o.OrphanStrategy)
	}
	if o.ProcessingInterval <= 0 {
		o.ProcessingInterval = DefaultProcessingInterval
	}
	if o.Lease <= 0 {
		o.Lease = DefaultLease
	}
	if o.SearchFoldRows <= 0 {
		o.SearchFoldRows = DefaultSearchFoldRows
	}
	if o.PollInterval <= 0 {
		o.PollInterval = DefaultPollInterval
	}
	if o.ProcessBudget <= 0 {
		o.ProcessBudget = DefaultProcessBudget
	}
	if o.Workers <= 0 {
		o.Workers = 2
	}
	for _, r := range o.Rules {
		if err := r.check(); err != nil {
			return err
		}
	}
	for _, l := range o.Locations {
		if strings.TrimSpace(l.Type) == "" || strings.TrimSpace(l.Target) == "" {
			return fmt.Errorf("engine: options: location %q:%q needs a type and a target", l.Type, l.Target)
		}
		for _, r := range l.Rules {
			if err := r.check(); err != nil {
				return err
			}
		}
	}
	return nil
}

func (r Rule) check() error {
	for _, l := range r.Locations {
		if l.Exact != "" && l.Pattern != "" {
			return fmt.Errorf("engine: options: rule location %q has both exact and pattern", l.Type)
		}
	}
	return nil
}

// scaledBatch is the batch size rule: fixed when it is set (> 0), else one BatchShare-th of
// the catalog's entities, within [MinBatchSize, limit].
func scaledBatch(fixed, entities, limit int) int {
	if fixed > 0 {
		return fixed
	}
	return min(max(entities/BatchShare, MinBatchSize), limit)
}

// batchSizes are the batch sizes in use and when the catalog was last counted for them.
type batchSizes struct {
	process, stitch atomic.Int64
	countedAt       atomic.Int64 // Clock's UnixNano of the last count; 0 before the first
}

// processBatch is the number of entities claimed for processing at once.
func (e *Engine) processBatch() int {
	if n := e.batches.process.Load(); n > 0 {
		return int(n)
	}
	return scaledBatch(e.opts.BatchSize, 0, MaxBatchSize)
}

// stitchBatch is the number of entities claimed for stitching at once.
func (e *Engine) stitchBatch() int {
	if n := e.batches.stitch.Load(); n > 0 {
		return int(n)
	}
	return scaledBatch(e.opts.StitchBatchSize, 0, MaxStitchBatchSize)
}

// sizeBatches counts the catalog's entities and sizes the batches to them when a processing
// round's first claim came back full (a backlog of at least a batch: the catalog may have
// grown) or the last count is older than batchRecount (it may have shrunk). Fixed sizes are
// never counted for. Idle rounds (nothing claimed) do not call it.
// A failed count keeps the sizes in use (it is logged).
func (e *Engine) sizeBatches(ctx context.Context, fullClaim bool) {
	if e.opts.BatchSize > 0 && e.opts.StitchBatchSize > 0 {
		return
	}
	now := e.opts.Clock()
	last := e.batches.countedAt.Load()
	if !fullClaim && last != 0 && now.Sub(time.Unix(0, last)) < batchRecount {
		return
	}
	n, err := e.ps.countEntities(ctx)
	if err != nil {
		if ctx.Err() == nil {
			e.log.Warn("catalog: counting entities for batch sizes failed; keeping the sizes in use", "err", err)
		}
		return
	}
	p, s := scaledBatch(e.opts.BatchSize, n, MaxBatchSize), scaledBatch(e.opts.StitchBatchSize, n, MaxStitchBatchSize)
	oldP, oldS := e.batches.process.Swap(int64(p)), e.batches.stitch.Swap(int64(s))
	if oldP != int64(p) || oldS != int64(s) {
		e.log.Debug("catalog batch sizes", "entities", n, "process", p, "stitch", s)
	}
	e.batches.countedAt.Store(now.UnixNano())
}
