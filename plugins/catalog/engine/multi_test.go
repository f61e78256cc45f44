package engine_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/database/databasetest"
	"github.com/portico-dev/portico/plugins/catalog/engine"
	"github.com/portico-dev/portico/plugins/catalog/model"
)

// recorder counts how often each entity is pre-processed, across engines.
type recorder struct {
	mu     sync.Mutex
	counts map[string]int
	hook   func()
}

func (r *recorder) Name() string { return "Recorder" }

func (r *recorder) PreProcessEntity(_ context.Context, e *model.Entity, _ *engine.ProcessContext) (*model.Entity, error) {
	r.mu.Lock()
	r.counts[e.Ref().String()]++
	hook := r.hook
	r.mu.Unlock()
	if hook != nil {
		hook()
	}
	return e, nil
}

func openShared(t *testing.T, opts database.Options) (*database.DB, *database.DB) {
	t.Helper()
	a, err := databasetest.NewManager(t, opts).ForPlugin(t.Context(), "catalog")
	if err != nil {
		t.Fatal(err)
	}
	b, err := databasetest.NewManager(t, opts).ForPlugin(t.Context(), "catalog")
	if err != nil {
		t.Fatal(err)
	}
	migrate(t, a)
	return a, b
}

func TestTwoEnginesShareOneDatabase(t *testing.T) {
	databasetest.ForEachBackend(t, func(t *testing.T, opts database.Options) {
		dbA, dbB := openShared(t, opts)
		root := t.TempDir()
		n := 3000
		if raceEnabled && opts.Client != database.ClientPostgres {
			// Two engines on one SQLite file under the race detector spend most of their time
			// waiting for each other's write lock; a smaller catalog keeps the test in bounds.
			n = 600
		}
		file := writeCatalog(t, root, n)
		clock := newClock()
		rec := &recorder{counts: map[string]int{}}
		mk := func(db *database.DB, id string) *engine.Engine {
			return newEngine(t, db, clock, root, func(o *engine.Options) {
				o.WorkerID = id
				o.BatchSize = 100
				o.StitchBatchSize = 100
				o.Processors = []engine.Processor{rec}
				o.Locations = []engine.ConfigLocation{{Type: "file", Target: file}}
			})
		}
		engines := []*engine.Engine{mk(dbA, "a"), mk(dbB, "b")}
		var wg sync.WaitGroup
		errs := make([]error, len(engines))
		for i, e := range engines {
			wg.Go(func() {
				if err := e.Start(t.Context()); err != nil {
					errs[i] = err
					return
				}
				for range 2000 {
					if _, err := e.Step(t.Context()); err != nil {
						// Two engines on one SQLite file contend for its single write lock; a
						// step that outwaits the busy timeout is retried, as Run does.
						if database.IsBusy(err) {
							continue
						}
						errs[i] = err
						return
					}
					if count(t, dbA, "SELECT COUNT(*) FROM final_entities WHERE final_entity IS NOT NULL AND next_stitch_at IS NULL") == n+2 &&
						count(t, dbA, "SELECT COUNT(*) FROM refresh_state WHERE claimed_by IS NOT NULL") == 0 {
						return
					}
				}
			})
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if got := len(finalEntities(t, dbA)); got != n+2 {
			t.Fatalf("stitched %d entities, want %d", got, n+2)
		}
		for ref, c := range rec.counts {
			if c != 1 {
				t.Errorf("%s processed %d times", ref, c)
			}
		}
		if len(rec.counts) != n+2 {
			t.Errorf("processed %d entities, want %d", len(rec.counts), n+2)
		}
		a, b := engines[0].Stats(), engines[1].Stats()
		t.Logf("engine a claimed %d, engine b claimed %d", a.Claimed, b.Claimed)
	})
}

func TestLeaseTakeoverAfterDeadWorker(t *testing.T) {
	databasetest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		migrate(t, db)
		root := t.TempDir()
		file := filepath.Join(root, "a.yaml")
		writeFile(t, file, component("c1", "team"), component("c2", "team"))
		clock := newClock()
		ctxA, cancelA := context.WithCancel(t.Context())
		defer cancelA()
		recA := &recorder{counts: map[string]int{}, hook: cancelA} // dies while processing
		a := newEngine(t, db, clock, root, func(o *engine.Options) {
			o.WorkerID = "a"
			o.Processors = []engine.Processor{recA}
			o.Lease = time.Minute
			o.Locations = []engine.ConfigLocation{{Type: "file", Target: file}}
		})
		if err := a.ProcessUntilIdle(ctxA); err == nil {
			t.Fatal("worker a finished; want it to die")
		}
		b := newEngine(t, db, clock, root, func(o *engine.Options) {
			o.WorkerID = "b"
			o.Lease = time.Minute
			o.Locations = []engine.ConfigLocation{{Type: "file", Target: file}}
		})
		run(t, b)
		if st := b.Stats(); st.Claimed != 0 {
			t.Fatalf("b claimed %d entities while a's lease holds", st.Claimed)
		}
		clock.Advance(time.Minute + time.Second)
		run(t, b)
		got := finalEntities(t, db)
		if len(got) != 3 {
			t.Fatalf("after takeover: %v", refsOf(got))
		}
		if n := count(t, db, "SELECT COUNT(*) FROM refresh_state WHERE claimed_by IS NOT NULL"); n != 0 {
			t.Errorf("%d rows still claimed", n)
		}
	})
}

var _ = fmt.Sprint
