package engine_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/database/databasetest"
	"github.com/portico-dev/portico/plugins/catalog/engine"
)

// crashStitching makes every write of a stitched entity fail, and so the engine's record of the
// failure too, so an engine dies between claiming a stitch batch (the claim is committed, with
// its lease) and writing it.
func crashStitching(t *testing.T, db *database.DB) (restore func()) {
	t.Helper()
	// Claims change the stitch ticket; every later write under the ticket (the stitched entity,
	// and the postponement the engine records when a write fails) is refused.
	stmts := []string{`CREATE TRIGGER crash_stitch BEFORE UPDATE ON final_entities
		WHEN OLD.stitch_ticket IS NOT NULL AND NEW.stitch_ticket IS OLD.stitch_ticket
		BEGIN SELECT RAISE(ABORT, 'simulated crash'); END`}
	drop := []string{`DROP TRIGGER crash_stitch`}
	if db.Dialect.IsPostgres() {
		stmts = []string{
			`CREATE FUNCTION crash_stitch() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'simulated crash'; END $$ LANGUAGE plpgsql`,
			`CREATE TRIGGER crash_stitch BEFORE UPDATE ON final_entities FOR EACH ROW
				WHEN (OLD.stitch_ticket IS NOT NULL AND NEW.stitch_ticket IS NOT DISTINCT FROM OLD.stitch_ticket)
				EXECUTE FUNCTION crash_stitch()`,
		}
		drop = []string{`DROP TRIGGER crash_stitch ON final_entities`, `DROP FUNCTION crash_stitch()`}
	}
	for _, s := range stmts {
		if _, err := db.ExecContext(t.Context(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	return func() {
		for _, s := range drop {
			if _, err := db.ExecContext(t.Context(), s); err != nil {
				t.Fatalf("%s: %v", s, err)
			}
		}
	}
}

// TestRestartReclaimsOwnLeases simulates kill -9: engine A (one process, its own database
// handle) claims work under its lease and dies without releasing anything; engine B, the same
// instance restarted (same WorkerID, a new handle on the same database), must finish the work
// at once, while the fake clock stays short of the lease. A worker of another identity must
// keep off the dead instance's leases (they may belong to a live replica).
func TestRestartReclaimsOwnLeases(t *testing.T) {
	const lease = time.Hour
	cases := []struct {
		name string
		// crash runs engine A over the catalog until it dies holding leases.
		crash func(t *testing.T, db *database.DB, mk func(*database.DB, func(*engine.Options)) *engine.Engine)
		// held counts the rows A left claimed.
		held string
	}{
		{
			name: "dies while processing",
			crash: func(t *testing.T, db *database.DB, mk func(*database.DB, func(*engine.Options)) *engine.Engine) {
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				rec := &recorder{counts: map[string]int{}, hook: cancel}
				a := mk(db, func(o *engine.Options) { o.Processors = []engine.Processor{rec} })
				if err := a.ProcessUntilIdle(ctx); err == nil {
					t.Fatal("engine a finished; want it to die while processing")
				}
			},
			held: "SELECT COUNT(*) FROM refresh_state WHERE claimed_by IS NOT NULL",
		},
		{
			name: "dies while stitching",
			crash: func(t *testing.T, db *database.DB, mk func(*database.DB, func(*engine.Options)) *engine.Engine) {
				restore := crashStitching(t, db)
				defer restore()
				if err := mk(db, nil).ProcessUntilIdle(t.Context()); err == nil {
					t.Fatal("engine a finished; want it to die while stitching")
				}
			},
			held: "SELECT COUNT(*) FROM final_entities WHERE next_stitch_at IS NOT NULL",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			databasetest.ForEachBackend(t, func(t *testing.T, opts database.Options) {
				dbA, dbB := openShared(t, opts)
				root := t.TempDir()
				file := filepath.Join(root, "catalog.yaml")
				writeFile(t, file, component("c1", "team"), component("c2", "team"), component("c3", "team"))
				clock := newClock()
				start := clock.Now()
				mk := func(id string) func(*database.DB, func(*engine.Options)) *engine.Engine {
					return func(db *database.DB, mod func(*engine.Options)) *engine.Engine {
						return newEngine(t, db, clock, root, func(o *engine.Options) {
							o.WorkerID = id
							o.Lease = lease
							o.Locations = []engine.ConfigLocation{{Type: "file", Target: file}}
							if mod != nil {
								mod(o)
							}
						})
					}
				}
				tc.crash(t, dbA, mk("node-1"))
				held := count(t, dbB, tc.held)
				if held == 0 {
					t.Fatal("engine a left no claim behind; the test does not exercise a lease")
				}

				run(t, mk("node-2")(dbB, nil))
				if n := count(t, dbB, tc.held); n != held {
					t.Errorf("another instance left %d of the dead instance's %d claims; want them kept until their lease ends", n, held)
				}

				restarted := mk("node-1")(dbB, nil)
				run(t, restarted)
				if !clock.Now().Before(start.Add(lease)) {
					t.Fatalf("clock moved past the lease: %s", clock.Now().Sub(start))
				}
				got := finalEntities(t, dbB)
				if len(got) != 4 {
					t.Errorf("after the restart, stitched %v; want the location and its 3 components", refsOf(got))
				}
				if n := count(t, dbB, "SELECT COUNT(*) FROM refresh_state WHERE claimed_by IS NOT NULL"); n != 0 {
					t.Errorf("%d rows still claimed", n)
				}
				if n := count(t, dbB, "SELECT COUNT(*) FROM final_entities WHERE next_stitch_at IS NOT NULL"); n != 0 {
					t.Errorf("%d rows still queued for stitching", n)
				}
			})
		})
	}
}
