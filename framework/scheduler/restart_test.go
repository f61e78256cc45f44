package scheduler_test

import (
	"context"
	"testing"
	"time"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/database/databasetest"
	"github.com/portico-dev/portico/framework/scheduler"
)

// TestRestartReclaimsOwnTaskLease simulates kill -9 during a run: instance node-1 claims a
// global task and never releases it (its run hangs, its process is gone); node-1 restarted
// (a new Scheduler with the same WorkerID on a new handle) runs the task at its next tick,
// while the fake clock is still far from the run's timeout. A scheduler of another identity
// keeps waiting for the lease, which may belong to a live replica.
func TestRestartReclaimsOwnTaskLease(t *testing.T) {
	databasetest.ForEachBackend(t, func(t *testing.T, opts database.Options) {
		dbA, dbB := openPair(t, opts)
		clk := newClock()
		const timeout = 30 * time.Minute
		spec := scheduler.TaskSpec{ID: "job", Frequency: scheduler.Frequency{Every: time.Hour}, Timeout: timeout}

		release := make(chan struct{})
		started := make(chan struct{}, 1)
		dead := newScheduler(t, dbA, clk, "node-1")
		spec.Fn = func(ctx context.Context) error {
			started <- struct{}{}
			select {
			case <-release:
			case <-ctx.Done():
			}
			return nil
		}
		mustSchedule(t, dead, spec)
		deadCtx, kill := context.WithCancel(context.WithoutCancel(t.Context()))
		if err := dead.Tick(deadCtx); err != nil {
			t.Fatal(err)
		}
		<-started

		var otherRuns counter
		other := newScheduler(t, dbB, clk, "node-2")
		spec.Fn = otherRuns.fn
		mustSchedule(t, other, spec)
		tick(t, other)
		if otherRuns.get() != 0 {
			t.Fatal("another instance ran the task while the dead instance's lease holds")
		}

		var runs counter
		restarted := newScheduler(t, dbB, clk, "node-1")
		spec.Fn = runs.fn
		mustSchedule(t, restarted, spec)
		tick(t, restarted)
		if got := runs.get(); got != 1 {
			t.Fatalf("the restarted instance ran the task %d times before the lease (%s) ended, want 1", got, timeout)
		}
		if now := clk.Now(); !now.Before(t0.Add(timeout)) {
			t.Fatalf("clock moved past the lease: %s", now.Sub(t0))
		}
		st := status(t, restarted, "job")
		if st.TaskState.Status != scheduler.StatusIdle || !st.TaskState.StartsAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("after the run: %+v, want idle and next start in an hour", st.TaskState)
		}

		// The dead incarnation's run never reports back in real life; here it is let go and
		// its stale release must not clobber the new state.
		close(release)
		kill()
		wait(t, dead)
		if st2 := status(t, restarted, "job"); !st2.TaskState.StartsAt.Equal(st.TaskState.StartsAt) {
			t.Errorf("a stale release changed the task: %+v", st2.TaskState)
		}
	})
}
