package scheduler_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/database/databasetest"
	"github.com/portico-dev/portico/framework/scheduler"
	"github.com/portico-dev/portico/internal/fakeclock"
)

// waitBound bounds every wait in these tests; nothing sleeps for it.
const waitBound = 20 * time.Second

// t0 is the fake clock's start: whole seconds, so PostgreSQL's microsecond
// timestamps compare equal.
var t0 = time.Date(2024, 5, 6, 10, 0, 0, 0, time.UTC)

// clock is the settable fake clock shared by the schedulers of a test.
type clock = fakeclock.Clock

func newClock() *clock { return fakeclock.New(t0) }

func newScheduler(t *testing.T, db *database.DB, clk *clock, worker string) *scheduler.Scheduler {
	t.Helper()
	s, err := scheduler.New(t.Context(), scheduler.Options{DB: db, Now: clk.Now, WorkerID: worker})
	if err != nil {
		t.Fatalf("scheduler.New: %v", err)
	}
	return s
}

// openPair returns two handles (two replicas) on one plugin database.
func openPair(t *testing.T, opts database.Options) (*database.DB, *database.DB) {
	t.Helper()
	return databasetest.OpenWith(t, opts, "sched"), databasetest.OpenWith(t, opts, "sched")
}

// replicaPair returns schedulers of two replicas, workers "a" and "b", on one plugin database
// and one fake clock.
func replicaPair(t *testing.T, opts database.Options) (a, b *scheduler.Scheduler, clk *clock) {
	t.Helper()
	dbA, dbB := openPair(t, opts)
	clk = newClock()
	return newScheduler(t, dbA, clk, "a"), newScheduler(t, dbB, clk, "b"), clk
}

// forEachScope runs body in a subtest per task scope (named by the scope, then suffix), each
// with a fresh scheduler, worker "w", on db.
func forEachScope(t *testing.T, db *database.DB, suffix string, body func(t *testing.T, scope string, s *scheduler.Scheduler, clk *clock)) {
	t.Helper()
	for _, scope := range []string{scheduler.ScopeGlobal, scheduler.ScopeLocal} {
		t.Run(scope+suffix, func(t *testing.T) {
			clk := newClock()
			body(t, scope, newScheduler(t, db, clk, "w"), clk)
		})
	}
}

func mustSchedule(t *testing.T, s *scheduler.Scheduler, spec scheduler.TaskSpec) {
	t.Helper()
	if err := s.Schedule(t.Context(), spec); err != nil {
		t.Fatalf("Schedule(%s): %v", spec.ID, err)
	}
}

// tick runs one Tick and waits for the runs it started.
// holdOnA schedules spec on a and b (b counting its runs in the returned counter), starts a's
// run (spec.Fn signals started), then ticks b once while a holds the task's lease.
func holdOnA(t *testing.T, a, b *scheduler.Scheduler, spec scheduler.TaskSpec, started <-chan struct{}) *counter {
	t.Helper()
	mustSchedule(t, a, spec)
	bRuns := &counter{}
	spec.Fn = bRuns.fn
	mustSchedule(t, b, spec)
	if err := a.Tick(t.Context()); err != nil {
		t.Fatal(err)
	}
	<-started
	tick(t, b)
	return bRuns
}

func tick(t *testing.T, s *scheduler.Scheduler) {
	t.Helper()
	if err := s.Tick(t.Context()); err != nil {
		t.Fatalf("Tick: %v", err)
	}
	wait(t, s)
}

func wait(t *testing.T, s *scheduler.Scheduler) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), waitBound)
	defer cancel()
	if err := s.Wait(ctx); err != nil {
		t.Fatalf("Wait: %v", err)
	}
}

// status returns the listed status of task id.
func status(t *testing.T, s *scheduler.Scheduler, id string) scheduler.TaskStatus {
	t.Helper()
	list, err := s.Tasks(t.Context())
	if err != nil {
		t.Fatalf("Tasks: %v", err)
	}
	for _, st := range list {
		if st.TaskID == id {
			return st
		}
	}
	t.Fatalf("task %s not listed", id)
	return scheduler.TaskStatus{}
}

// counter counts runs.
type counter struct {
	mu sync.Mutex
	n  int
}

func (c *counter) fn(context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	return nil
}

func (c *counter) get() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

// eventually polls cond until it holds or the bound passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitBound)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
