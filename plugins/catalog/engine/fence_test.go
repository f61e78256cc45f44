package engine_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/database/databasetest"
	"github.com/portico-dev/portico/plugins/catalog/engine"
	"github.com/portico-dev/portico/plugins/catalog/model"
)

// reemitter simulates a parent re-emitting an entity while it is being processed: the first
// time it sees target, it changes the entity's stored unprocessed hash under the engine.
type reemitter struct {
	db     *database.DB
	target string
	mu     sync.Mutex
	counts map[string]int
}

func (r *reemitter) Name() string { return "Reemitter" }

func (r *reemitter) PreProcessEntity(ctx context.Context, e *model.Entity, _ *engine.ProcessContext) (*model.Entity, error) {
	ref := e.Ref().String()
	r.mu.Lock()
	r.counts[ref]++
	first := r.counts[ref] == 1
	r.mu.Unlock()
	if ref == r.target && first {
		if _, err := r.db.ExecContext(ctx, r.db.Dialect.Rebind("UPDATE refresh_state SET unprocessed_hash = ? WHERE entity_ref = ?"), "changed-meanwhile", ref); err != nil {
			return nil, err
		}
	}
	return e, nil
}

func TestInputChangedDuringProcessing(t *testing.T) {
	databasetest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		migrate(t, db)
		root := t.TempDir()
		file := filepath.Join(root, "catalog.yaml")
		writeFile(t, file, component("a", "team"), component("b", "team"))
		rec := &reemitter{db: db, target: "component:default/a", counts: map[string]int{}}
		e := newEngine(t, db, newClock(), root, func(o *engine.Options) {
			o.Locations = []engine.ConfigLocation{{Type: "file", Target: file}}
			o.Processors = []engine.Processor{rec}
		})
		run(t, e)
		t.Run("the stale result is dropped and the entity processed again at once", func(t *testing.T) {
			if got := rec.counts["component:default/a"]; got != 2 {
				t.Errorf("component a processed %d times, want 2", got)
			}
			if got := rec.counts["component:default/b"]; got != 1 {
				t.Errorf("component b processed %d times, want 1", got)
			}
		})
		t.Run("everything is released and stitched", func(t *testing.T) {
			if n := count(t, db, "SELECT COUNT(*) FROM refresh_state WHERE claimed_by IS NOT NULL"); n != 0 {
				t.Errorf("%d rows still claimed", n)
			}
			if _, ok := finalEntities(t, db)["component:default/a"]; !ok {
				t.Error("component a is not stitched")
			}
		})
	})
}
