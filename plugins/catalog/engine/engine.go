package engine

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/plugins/catalog/store"
)

// Engine ingests, processes and stitches catalog entities. It is safe for concurrent use;
// several Engines (in one or several processes) may share one PostgreSQL database.
type Engine struct {
	opts       Options
	log        *slog.Logger
	validator  *model.Validator
	processors []Processor
	providers  []EntityProvider
	rules      *rulesEnforcer
	// st is the catalog's SQL (plugins/catalog/store).
	st storage
	// ps is where the processing loop claims work and writes its results: st, unless a
	// test runs the pipeline over memory.
	ps processingStore
	// configLocations are the catalog.locations refs (type:target): trusted whatever their type.
	configLocations map[string]bool
	// fingerprint changes when anything that shapes processing results changes (rules,
	// processors, kinds), so skipped-as-unchanged entities are reprocessed after an upgrade.
	fingerprint string

	stats   stats
	batches batchSizes
	staging searchStaging
	orphans struct {
		dirty    atomic.Bool  // a reference was removed since the last orphan scan
		lastScan atomic.Int64 // UnixNano of the last orphan scan
	}

	startMu sync.Mutex
	started bool
}

// New returns an engine. It does not touch the database until Start, Run or
// ProcessUntilIdle; the catalog's migrations must have been applied.
func New(opts Options) (*Engine, error) {
	if opts.DB == nil {
		return nil, errors.New("engine: options: DB is required")
	}
	return newEngine(opts, nil)
}

// newEngine builds the engine; ps, when not nil, replaces the SQL processing store (tests
// run the pipeline over an in-memory one).
func newEngine(opts Options, ps processingStore) (*Engine, error) {
	if err := opts.setDefaults(); err != nil {
		return nil, err
	}
	locs, err := resolveConfigLocations(opts.Locations)
	if err != nil {
		return nil, err
	}
	opts.Locations = locs
	e := &Engine{
		opts:      opts,
		log:       opts.Logger,
		validator: model.NewValidator(model.Options{Kinds: opts.Kinds}),
		rules:     newRulesEnforcer(opts.Rules, locs),
	}
	e.st = store.New(opts.DB, store.Options{Logger: opts.Logger, Now: e.now, ReferencesRemoved: e.referencesRemoved})
	e.ps = ps
	if e.ps == nil {
		e.ps = sqlProcessing{e}
	}
	e.configLocations = make(map[string]bool, len(locs))
	for _, l := range locs {
		e.configLocations[model.LocationRef{Type: l.Type, Target: l.Target}.String()] = true
	}
	e.orphans.dirty.Store(true) // whatever happened before this engine started
	e.processors = append([]Processor{
		&placeholderProcessor{reader: opts.Reader},
		annotateLocationProcessor{},
		&locationReaderProcessor{reader: opts.Reader, log: opts.Logger},
		&builtinKindsProcessor{validator: e.validator},
	}, opts.Processors...)
	e.providers = append([]EntityProvider{
		&configLocationProvider{locations: locs},
		&registeredLocationProvider{e: e},
	}, opts.Providers...)
	names := map[string]bool{}
	for _, p := range e.providers {
		if names[p.Name()] {
			return nil, fmt.Errorf("engine: duplicate entity provider name %q", p.Name())
		}
		names[p.Name()] = true
	}
	e.fingerprint = fingerprint(opts, e.processors, e.validator)
	return e, nil
}

func fingerprint(opts Options, procs []Processor, v *model.Validator) string {
	h := sha1.New()
	// v2: entities originating from a registered location of a type no longer allowed are
	// refused (refusedOrigin), so results of older versions are not kept as unchanged.
	fmt.Fprintf(h, "v2|%+v|%+v|%q|", opts.Rules, opts.Locations, opts.AllowedLocationTypes)
	for _, p := range procs {
		fmt.Fprintf(h, "p:%s|", p.Name())
	}
	for _, k := range v.Kinds() {
		fmt.Fprintf(h, "k:%s:%v|", k.Kind, k.APIVersions)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// now returns the engine's clock in UTC, truncated to microseconds (what both servers keep).
func (e *Engine) now() time.Time { return e.opts.Clock().UTC().Truncate(time.Microsecond) }

// Start takes back the leases a previous incarnation of this worker left (lease.go), connects
// the entity providers (once) and applies the orphan provider strategy. Run and
// ProcessUntilIdle call it.
func (e *Engine) Start(ctx context.Context) error {
	e.startMu.Lock()
	defer e.startMu.Unlock()
	if e.started {
		return nil
	}
	if err := e.reclaimOwnLeases(ctx); err != nil {
		return err
	}
	for _, p := range e.providers {
		if err := p.Connect(ctx, connection{e: e, name: p.Name()}); err != nil {
			return fmt.Errorf("engine: connect provider %s: %w", p.Name(), err)
		}
	}
	if err := e.removeUnknownProviderBuckets(ctx); err != nil {
		return err
	}
	if err := e.fillTextDocuments(ctx); err != nil {
		return err
	}
	e.started = true
	return nil
}

// Run connects the providers and processes, stitches and cleans up until ctx ends.
func (e *Engine) Run(ctx context.Context) error {
	if err := e.Start(ctx); err != nil {
		if ctx.Err() != nil {
			return nil // stopped while starting: a stop, not a failure
		}
		return err
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		}
		n, err := e.Step(ctx)
		if err != nil && ctx.Err() == nil {
			e.log.Error("catalog processing step failed", "err", err)
		}
		if n > 0 && err == nil {
			timer.Reset(0)
		} else {
			timer.Reset(e.opts.PollInterval)
		}
	}
}

// ProcessUntilIdle connects the providers and runs Step until nothing is due: every entity
// whose next_update_at has come is processed, everything marked is stitched and orphans are
// handled. Tests and benchmarks drive the engine with it.
func (e *Engine) ProcessUntilIdle(ctx context.Context) error {
	if err := e.Start(ctx); err != nil {
		return err
	}
	for {
		n, err := e.Step(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// Step does one round of work: process due entities (several batches), stitch what they
// changed, delete orphans. It returns how many rows it handled (0 when idle).
func (e *Engine) Step(ctx context.Context) (int, error) {
	// Everything due is processed before stitching (within ProcessBudget, so a huge first
	// ingestion still becomes visible step by step): an entity whose related entities are
	// processed in the same step is stitched once, not once per batch that touched it.
	total, err := e.processAll(ctx)
	if err != nil {
		return total, err
	}
	n, err := e.stitchAll(ctx)
	total += n
	if err != nil {
		return total, err
	}
	if e.opts.OrphanStrategy == OrphanStrategyDelete {
		n, err := e.deleteOrphans(ctx)
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

func newID() string { return store.NewID() }

// inputHasher combines the versions of several files into one.
type inputHasher struct{ h []byte }

func newInputHasher() *inputHasher { return &inputHasher{} }

func (i *inputHasher) add(name string, data []byte) {
	s := sha1.Sum(append(append([]byte(name), 0), data...))
	i.h = append(i.h, s[:]...)
}

func (i *inputHasher) sum() string { return sha1Hex(i.h) }
