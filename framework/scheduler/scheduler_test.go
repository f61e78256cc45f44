package scheduler_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/database/databasetest"
	"github.com/portico-dev/portico/framework/scheduler"
)

func TestCadence(t *testing.T) {
	databasetest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		clk := newClock()
		s := newScheduler(t, db, clk, "w1")
		var c counter
		mustSchedule(t, s, scheduler.TaskSpec{ID: "every-minute", Frequency: scheduler.Frequency{Every: time.Minute}, Timeout: 30 * time.Second, Fn: c.fn})

		steps := []struct {
			name       string
			at         time.Duration // since t0
			wantRuns   int
			wantStarts time.Duration // next start after the step, since t0
		}{
			{name: "runs at registration", at: 0, wantRuns: 1, wantStarts: time.Minute},
			{name: "not again at once", at: 0, wantRuns: 1, wantStarts: time.Minute},
			{name: "not before the cadence", at: 59 * time.Second, wantRuns: 1, wantStarts: time.Minute},
			{name: "at the cadence", at: time.Minute, wantRuns: 2, wantStarts: 2 * time.Minute},
			{name: "late tick keeps the grid", at: 2*time.Minute + 20*time.Second, wantRuns: 3, wantStarts: 3 * time.Minute},
			{name: "missed periods run once, then from now", at: 10 * time.Minute, wantRuns: 4, wantStarts: 10 * time.Minute},
			{name: "no burst after catching up", at: 10*time.Minute + 30*time.Second, wantRuns: 5, wantStarts: 11 * time.Minute},
			{name: "no drift", at: 11 * time.Minute, wantRuns: 6, wantStarts: 12 * time.Minute},
		}
		for _, step := range steps {
			t.Run(step.name, func(t *testing.T) {
				clk.Set(t0.Add(step.at))
				tick(t, s)
				if got := c.get(); got != step.wantRuns {
					t.Errorf("runs = %d, want %d", got, step.wantRuns)
				}
				st := status(t, s, "every-minute")
				if st.TaskState == nil || st.TaskState.Status != scheduler.StatusIdle {
					t.Fatalf("task state = %+v, want idle", st.TaskState)
				}
				if want := t0.Add(step.wantStarts); !st.TaskState.StartsAt.Equal(want) {
					t.Errorf("startsAt = %v, want %v", st.TaskState.StartsAt, want)
				}
			})
		}
	})
}

// TestTwoWorkersNeverOverlap runs two schedulers (two replicas) on one
// database, ticking concurrently round after round: the task never runs on
// both at once and runs exactly once per due round.
func TestTwoWorkersNeverOverlap(t *testing.T) {
	databasetest.ForEachBackend(t, func(t *testing.T, opts database.Options) {
		a, b, clk := replicaPair(t, opts)

		const rounds = 30
		var (
			mu       sync.Mutex
			running  int
			overlaps int
			runs     int
			byWorker = map[string]int{}
		)
		var roundTicked chan struct{} // closed once both ticks of a round returned
		fnFor := func(worker string) func(ctx context.Context) error {
			return func(ctx context.Context) error {
				mu.Lock()
				running++
				if running > 1 {
					overlaps++
				}
				runs++
				byWorker[worker]++
				hold := roundTicked
				mu.Unlock()
				// Odd rounds hold the task until both replicas ticked, so the
				// other replica meets a held ticket, not just a future start.
				if hold != nil {
					select {
					case <-hold:
					case <-ctx.Done():
					}
				}
				mu.Lock()
				running--
				mu.Unlock()
				return nil
			}
		}
		spec := scheduler.TaskSpec{ID: "shared", Frequency: scheduler.Frequency{Every: time.Minute}, Timeout: 10 * time.Minute}
		spec.Fn = fnFor("a")
		mustSchedule(t, a, spec)
		spec.Fn = fnFor("b")
		mustSchedule(t, b, spec)

		for r := range rounds {
			clk.Set(t0.Add(time.Duration(r) * time.Minute))
			done := make(chan struct{})
			mu.Lock()
			roundTicked = nil
			if r%2 == 1 {
				roundTicked = done
			}
			mu.Unlock()
			var wg sync.WaitGroup
			for _, s := range []*scheduler.Scheduler{a, b} {
				wg.Go(func() {
					if err := s.Tick(t.Context()); err != nil {
						t.Errorf("round %d: Tick: %v", r, err)
					}
				})
			}
			wg.Wait()
			close(done)
			wait(t, a)
			wait(t, b)
			mu.Lock()
			got := runs
			mu.Unlock()
			if got != r+1 {
				t.Fatalf("after round %d: %d runs, want %d", r, got, r+1)
			}
		}
		if overlaps != 0 {
			t.Errorf("%d overlapping runs", overlaps)
		}
		t.Logf("runs by worker: %v", byWorker)
	})
}

// TestTwoRunLoops runs two real loops on one database with a real clock
// until the task has run a few dozen times, and checks it never overlapped.
func TestTwoRunLoops(t *testing.T) {
	databasetest.ForEachBackend(t, func(t *testing.T, opts database.Options) {
		dbA, dbB := openPair(t, opts)
		var (
			mu       sync.Mutex
			running  int
			overlaps int
			runs     int
		)
		fn := func(ctx context.Context) error {
			mu.Lock()
			running++
			if running > 1 {
				overlaps++
			}
			runs++
			mu.Unlock()
			time.Sleep(time.Millisecond) // simulated work, widens the window for overlap
			mu.Lock()
			running--
			mu.Unlock()
			return nil
		}
		ctx, cancel := context.WithCancel(t.Context())
		var wg sync.WaitGroup
		for _, db := range []*database.DB{dbA, dbB} {
			s, err := scheduler.New(t.Context(), scheduler.Options{DB: db, PollInterval: 2 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			mustSchedule(t, s, scheduler.TaskSpec{ID: "loop", Frequency: scheduler.Frequency{Every: time.Millisecond}, Timeout: time.Minute, Fn: fn})
			wg.Go(func() {
				if err := s.Run(ctx); err != nil {
					t.Errorf("Run: %v", err)
				}
			})
		}
		eventually(t, "30 runs", func() bool {
			mu.Lock()
			defer mu.Unlock()
			return runs >= 30
		})
		cancel()
		wg.Wait()
		if overlaps != 0 {
			t.Errorf("%d overlapping runs out of %d", overlaps, runs)
		}
	})
}

func TestDeadHolderLeaseIsTakenOver(t *testing.T) {
	databasetest.ForEachBackend(t, func(t *testing.T, opts database.Options) {
		a, b, clk := replicaPair(t, opts)

		release := make(chan struct{})
		started := make(chan struct{}, 1)
		var aCause error
		spec := scheduler.TaskSpec{ID: "job", Frequency: scheduler.Frequency{Every: time.Hour}, Timeout: 5 * time.Minute}
		spec.Fn = func(ctx context.Context) error {
			started <- struct{}{}
			select {
			case <-release: // a hung worker: only the test lets it go
			case <-ctx.Done():
				aCause = context.Cause(ctx)
			}
			return nil
		}
		bRuns := holdOnA(t, a, b, spec, started)
		if bRuns.get() != 0 {
			t.Fatal("b ran the task while a held it")
		}
		if st := status(t, b, "job"); st.TaskState.Status != scheduler.StatusRunning {
			t.Fatalf("task state = %+v, want running", st.TaskState)
		}

		// a stops ticking (dead); after its lease expires b reaps and runs.
		clk.Advance(5*time.Minute + time.Second)
		tick(t, b)
		if got := bRuns.get(); got != 1 {
			t.Fatalf("b ran %d times after the lease expired, want 1", got)
		}
		st := status(t, b, "job")
		if st.TaskState.Status != scheduler.StatusIdle || st.TaskState.LastRunError != "" {
			t.Errorf("after takeover: %+v, want idle without error", st.TaskState)
		}
		wantNext := t0.Add(time.Hour)
		if !st.TaskState.StartsAt.Equal(wantNext) {
			t.Errorf("startsAt = %v, want %v", st.TaskState.StartsAt, wantNext)
		}

		// The hung run finally returns: its release must not clobber b's.
		close(release)
		wait(t, a)
		if aCause != nil {
			t.Errorf("a's run was cancelled (%v), want it released by the test", aCause)
		}
		if st := status(t, b, "job"); !st.TaskState.StartsAt.Equal(wantNext) || st.TaskState.LastRunError != "" {
			t.Errorf("after the stale release: %+v, want b's state kept", st.TaskState)
		}
	})
}

func TestLiveHolderNoticesLostLease(t *testing.T) {
	databasetest.ForEachBackend(t, func(t *testing.T, opts database.Options) {
		dbA, dbB := openPair(t, opts)
		// Two replicas whose clocks disagree: b's runs six minutes ahead, so
		// it reaps a's lease while a still thinks its run is within time.
		clkA, clkB := newClock(), newClock()
		clkB.Advance(6 * time.Minute)
		a := newScheduler(t, dbA, clkA, "a")
		b := newScheduler(t, dbB, clkB, "b")
		started := make(chan struct{}, 1)
		causes := make(chan error, 1)
		spec := scheduler.TaskSpec{ID: "job", Frequency: scheduler.Frequency{Every: time.Hour}, Timeout: 5 * time.Minute}
		spec.Fn = func(ctx context.Context) error {
			started <- struct{}{}
			<-ctx.Done()
			causes <- context.Cause(ctx)
			return ctx.Err()
		}
		bRuns := holdOnA(t, a, b, spec, started)
		if bRuns.get() != 1 {
			t.Fatalf("b ran %d times, want 1", bRuns.get())
		}
		if err := a.Tick(t.Context()); err != nil {
			t.Fatal(err)
		}
		wait(t, a)
		if cause := <-causes; cause == nil || !strings.Contains(cause.Error(), "lease lost") {
			t.Errorf("a's run cancelled with %v, want lease lost", cause)
		}
	})
}

func TestTimeoutCancelsFn(t *testing.T) {
	databasetest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		forEachScope(t, db, " by clock", func(t *testing.T, scope string, s *scheduler.Scheduler, clk *clock) {
			started := make(chan struct{}, 1)
			spec := scheduler.TaskSpec{
				ID: "slow-" + scope, Scope: scope, Frequency: scheduler.Frequency{Every: time.Hour}, Timeout: time.Minute,
				Fn: func(ctx context.Context) error {
					started <- struct{}{}
					<-ctx.Done()
					return ctx.Err()
				},
			}
			mustSchedule(t, s, spec)
			if err := s.Tick(t.Context()); err != nil {
				t.Fatal(err)
			}
			<-started
			clk.Advance(time.Minute)
			tick(t, s)
			st := status(t, s, spec.ID)
			if st.TaskState.Status != scheduler.StatusIdle || !strings.Contains(st.TaskState.LastRunError, "timed out after 1m0s") {
				t.Errorf("task state = %+v, want idle with a timeout error", st.TaskState)
			}
			if want := t0.Add(time.Hour); !st.TaskState.StartsAt.Equal(want) {
				t.Errorf("startsAt = %v, want %v", st.TaskState.StartsAt, want)
			}
		})
		t.Run("by real timer", func(t *testing.T) {
			s := newScheduler(t, db, newClock(), "w")
			mustSchedule(t, s, scheduler.TaskSpec{
				ID: "real-timeout", Frequency: scheduler.Frequency{Every: time.Hour}, Timeout: 20 * time.Millisecond,
				Fn: func(ctx context.Context) error {
					<-ctx.Done()
					return ctx.Err()
				},
			})
			tick(t, s) // returns once the real timer cancelled the run
			if st := status(t, s, "real-timeout"); !strings.Contains(st.TaskState.LastRunError, "timed out") {
				t.Errorf("lastRunError = %q, want a timeout", st.TaskState.LastRunError)
			}
		})
	})
}

func TestTrigger(t *testing.T) {
	databasetest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		forEachScope(t, db, "", func(t *testing.T, scope string, s *scheduler.Scheduler, clk *clock) {
			var c counter
			id := "manual-" + scope
			mustSchedule(t, s, scheduler.TaskSpec{ID: id, Scope: scope, Frequency: scheduler.Frequency{Manual: true}, Timeout: time.Minute, Fn: c.fn})
			tick(t, s)
			if c.get() != 0 {
				t.Fatal("manual task ran untriggered")
			}
			if st := status(t, s, id); !st.TaskState.StartsAt.IsZero() {
				t.Errorf("manual task startsAt = %v, want none", st.TaskState.StartsAt)
			}
			if err := s.Trigger(t.Context(), id); err != nil {
				t.Fatalf("Trigger: %v", err)
			}
			tick(t, s)
			tick(t, s)
			if c.get() != 1 {
				t.Fatalf("runs after one trigger = %d, want 1", c.get())
			}
			clk.Advance(time.Hour)
			tick(t, s)
			if c.get() != 1 {
				t.Fatalf("manual task ran again untriggered")
			}
		})
		t.Run("unknown task", func(t *testing.T) {
			s := newScheduler(t, db, newClock(), "w")
			if err := s.Trigger(t.Context(), "nope"); !errors.Is(err, scheduler.ErrNotFound) {
				t.Errorf("Trigger(nope) = %v, want ErrNotFound", err)
			}
		})
		for _, scope := range []string{scheduler.ScopeGlobal, scheduler.ScopeLocal} {
			t.Run("running "+scope+" task conflicts", func(t *testing.T) {
				s := newScheduler(t, db, newClock(), "w")
				release := make(chan struct{})
				started := make(chan struct{}, 1)
				id := "busy-" + scope
				mustSchedule(t, s, scheduler.TaskSpec{ID: id, Scope: scope, Frequency: scheduler.Frequency{Every: time.Hour}, Timeout: time.Minute,
					Fn: func(ctx context.Context) error {
						started <- struct{}{}
						<-release
						return nil
					}})
				if err := s.Tick(t.Context()); err != nil {
					t.Fatal(err)
				}
				<-started
				if err := s.Trigger(t.Context(), id); !errors.Is(err, scheduler.ErrConflict) {
					t.Errorf("Trigger(running) = %v, want ErrConflict", err)
				}
				close(release)
				wait(t, s)
				if err := s.Trigger(t.Context(), id); err != nil {
					t.Errorf("Trigger after run: %v", err)
				}
			})
		}
		t.Run("task registered by another replica", func(t *testing.T) {
			other := newScheduler(t, db, newClock(), "other")
			mustSchedule(t, other, scheduler.TaskSpec{ID: "theirs", Frequency: scheduler.Frequency{Manual: true}, Timeout: time.Minute, Fn: new(counter).fn})
			s := newScheduler(t, db, newClock(), "w")
			if err := s.Trigger(t.Context(), "theirs"); err != nil {
				t.Errorf("Trigger(theirs) = %v", err)
			}
		})
	})
}

func TestCron(t *testing.T) {
	databasetest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		tests := []struct {
			name      string
			cron      string
			wantFirst time.Time
			wantNext  time.Time // after running at wantFirst
		}{
			{
				name: "five fields", cron: "CRON_TZ=UTC 0 3 * * *",
				wantFirst: time.Date(2024, 5, 7, 3, 0, 0, 0, time.UTC),
				wantNext:  time.Date(2024, 5, 8, 3, 0, 0, 0, time.UTC),
			},
			{
				name: "six fields with seconds", cron: "CRON_TZ=UTC */15 * * * * *",
				wantFirst: t0.Add(15 * time.Second),
				wantNext:  t0.Add(30 * time.Second),
			},
			{
				name: "descriptor", cron: "CRON_TZ=UTC @hourly",
				wantFirst: t0.Add(time.Hour),
				wantNext:  t0.Add(2 * time.Hour),
			},
		}
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				clk := newClock()
				s := newScheduler(t, db, clk, "w")
				var c counter
				id := "cron-" + string(rune('a'+i))
				mustSchedule(t, s, scheduler.TaskSpec{ID: id, Frequency: scheduler.Frequency{Cron: tt.cron}, Timeout: time.Second, Fn: c.fn})
				st := status(t, s, id)
				if !st.TaskState.StartsAt.Equal(tt.wantFirst) {
					t.Errorf("first start = %v, want %v", st.TaskState.StartsAt, tt.wantFirst)
				}
				if st.Settings.Cadence != tt.cron {
					t.Errorf("cadence = %q, want %q", st.Settings.Cadence, tt.cron)
				}
				tick(t, s)
				if c.get() != 0 {
					t.Fatal("ran before its cron time")
				}
				clk.Set(tt.wantFirst)
				tick(t, s)
				if c.get() != 1 {
					t.Fatalf("runs at cron time = %d, want 1", c.get())
				}
				if st := status(t, s, id); !st.TaskState.StartsAt.Equal(tt.wantNext) {
					t.Errorf("next start = %v, want %v", st.TaskState.StartsAt, tt.wantNext)
				}
			})
		}
	})
}

func TestErrorsRecorded(t *testing.T) {
	databasetest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		forEachScope(t, db, "", func(t *testing.T, scope string, s *scheduler.Scheduler, clk *clock) {
			var mu sync.Mutex
			behaviour := "fail"
			id := "flaky-" + scope
			mustSchedule(t, s, scheduler.TaskSpec{ID: id, Scope: scope, Frequency: scheduler.Frequency{Every: time.Minute}, Timeout: time.Minute,
				Fn: func(context.Context) error {
					mu.Lock()
					defer mu.Unlock()
					switch behaviour {
					case "fail":
						return errors.New("upstream said no")
					case "panic":
						panic("kaboom")
					}
					return nil
				}})
			steps := []struct {
				behaviour string
				wantError string // message in lastRunError, "" for none
			}{
				{behaviour: "fail", wantError: "upstream said no"},
				{behaviour: "panic", wantError: "panic: kaboom"},
				{behaviour: "ok", wantError: ""},
			}
			for i, step := range steps {
				mu.Lock()
				behaviour = step.behaviour
				mu.Unlock()
				clk.Set(t0.Add(time.Duration(i) * time.Minute))
				tick(t, s)
				st := status(t, s, id)
				if step.wantError == "" {
					if st.TaskState.LastRunError != "" {
						t.Errorf("%s: lastRunError = %q, want none", step.behaviour, st.TaskState.LastRunError)
					}
					continue
				}
				var e struct{ Name, Message string }
				if err := json.Unmarshal([]byte(st.TaskState.LastRunError), &e); err != nil {
					t.Fatalf("%s: lastRunError %q is not JSON: %v", step.behaviour, st.TaskState.LastRunError, err)
				}
				if e.Name != "Error" || e.Message != step.wantError {
					t.Errorf("%s: lastRunError = %+v, want message %q", step.behaviour, e, step.wantError)
				}
				if !st.TaskState.LastRunEndedAt.Equal(clk.Now()) {
					t.Errorf("%s: lastRunEndedAt = %v, want %v", step.behaviour, st.TaskState.LastRunEndedAt, clk.Now())
				}
			}
		})
	})
}

func TestLocalScope(t *testing.T) {
	databasetest.ForEachBackend(t, func(t *testing.T, opts database.Options) {
		dbA, dbB := openPair(t, opts)
		clk := newClock()
		a := newScheduler(t, dbA, clk, "a")
		b := newScheduler(t, dbB, clk, "b")
		var ca, cb counter
		spec := scheduler.TaskSpec{ID: "cache-refresh", Scope: scheduler.ScopeLocal, Frequency: scheduler.Frequency{Every: time.Minute},
			InitialDelay: 10 * time.Second, Timeout: time.Minute}
		spec.Fn = ca.fn
		mustSchedule(t, a, spec)
		spec.Fn = cb.fn
		mustSchedule(t, b, spec)

		if st := status(t, a, "cache-refresh"); st.WorkerState.Status != scheduler.StatusInitialWait {
			t.Errorf("worker state = %+v, want initial-wait", st.WorkerState)
		}
		tick(t, a)
		tick(t, b)
		if ca.get()+cb.get() != 0 {
			t.Fatal("ran during the initial delay")
		}
		for i, at := range []time.Duration{10 * time.Second, 70 * time.Second, 130 * time.Second} {
			clk.Set(t0.Add(at))
			tick(t, a)
			tick(t, b)
			if ca.get() != i+1 || cb.get() != i+1 {
				t.Fatalf("at +%s: runs a=%d b=%d, want %d each", at, ca.get(), cb.get(), i+1)
			}
		}
		var rows int
		if err := dbA.QueryRowContext(t.Context(), `SELECT count(*) FROM backstage_backend_tasks__tasks`).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		if rows != 0 {
			t.Errorf("local task stored %d rows, want none", rows)
		}
		st := status(t, a, "cache-refresh")
		if st.Scope != scheduler.ScopeLocal || st.TaskState == nil || !st.TaskState.StartsAt.Equal(t0.Add(190*time.Second)) {
			t.Errorf("status = %+v / %+v, want local, next at +190s", st, st.TaskState)
		}
	})
}

func TestRegistrationKeepsEarlierStart(t *testing.T) {
	databasetest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		clk := newClock()
		first := newScheduler(t, db, clk, "first")
		var c counter
		mustSchedule(t, first, scheduler.TaskSpec{ID: "sync", Frequency: scheduler.Frequency{Every: time.Hour}, Timeout: time.Minute, Fn: c.fn})
		tick(t, first) // runs now; next at t0+1h

		steps := []struct {
			name      string
			at        time.Duration
			spec      scheduler.TaskSpec
			wantStart time.Duration
		}{
			{name: "same schedule keeps the stored start", at: 10 * time.Minute,
				spec: scheduler.TaskSpec{Frequency: scheduler.Frequency{Every: time.Hour}}, wantStart: time.Hour},
			{name: "shorter cadence starts earlier", at: 20 * time.Minute,
				spec: scheduler.TaskSpec{Frequency: scheduler.Frequency{Every: 15 * time.Minute}}, wantStart: 35 * time.Minute},
			{name: "longer cadence does not postpone", at: 21 * time.Minute,
				spec: scheduler.TaskSpec{Frequency: scheduler.Frequency{Every: 24 * time.Hour}}, wantStart: 35 * time.Minute},
			{name: "initial delay does not postpone an existing task", at: 22 * time.Minute,
				spec: scheduler.TaskSpec{Frequency: scheduler.Frequency{Every: time.Hour}, InitialDelay: time.Hour}, wantStart: 35 * time.Minute},
			{name: "manual keeps a pending start", at: 23 * time.Minute,
				spec: scheduler.TaskSpec{Frequency: scheduler.Frequency{Manual: true}}, wantStart: 35 * time.Minute},
		}
		for _, step := range steps {
			t.Run(step.name, func(t *testing.T) {
				clk.Set(t0.Add(step.at))
				s := newScheduler(t, db, clk, "restarted")
				spec := step.spec
				spec.ID, spec.Timeout, spec.Fn = "sync", time.Minute, c.fn
				mustSchedule(t, s, spec)
				if st := status(t, s, "sync"); !st.TaskState.StartsAt.Equal(t0.Add(step.wantStart)) {
					t.Errorf("startsAt = %v, want %v", st.TaskState.StartsAt, t0.Add(step.wantStart))
				}
			})
		}
		t.Run("new task with initial delay", func(t *testing.T) {
			clk.Set(t0)
			s := newScheduler(t, db, clk, "w")
			var c counter
			mustSchedule(t, s, scheduler.TaskSpec{ID: "delayed", Frequency: scheduler.Frequency{Every: time.Hour}, InitialDelay: 30 * time.Second, Timeout: time.Minute, Fn: c.fn})
			st := status(t, s, "delayed")
			if !st.TaskState.StartsAt.Equal(t0.Add(30*time.Second)) || st.WorkerState.Status != scheduler.StatusInitialWait {
				t.Errorf("status = %+v %+v, want start at +30s in initial-wait", st.TaskState, st.WorkerState)
			}
			want := scheduler.TaskSettings{Version: 2, Cadence: "PT1H", TimeoutAfterDuration: "PT1M", InitialDelayDuration: "PT30S"}
			if st.Settings != want {
				t.Errorf("settings = %+v, want %+v", st.Settings, want)
			}
			tick(t, s)
			clk.Advance(30 * time.Second)
			tick(t, s)
			if c.get() != 1 {
				t.Errorf("runs = %d, want 1 after the delay", c.get())
			}
		})
	})
}

func TestScheduleRejects(t *testing.T) {
	db := databasetest.OpenSQLite(t, "sched")
	s := newScheduler(t, db, newClock(), "w")
	ok := func(context.Context) error { return nil }
	every := scheduler.Frequency{Every: time.Minute}
	tests := []struct {
		name    string
		spec    scheduler.TaskSpec
		wantErr string
	}{
		{name: "empty id", spec: scheduler.TaskSpec{ID: " ", Frequency: every, Timeout: time.Second, Fn: ok}, wantErr: "id is empty"},
		{name: "no fn", spec: scheduler.TaskSpec{ID: "x", Frequency: every, Timeout: time.Second}, wantErr: "no function"},
		{name: "no timeout", spec: scheduler.TaskSpec{ID: "x", Frequency: every, Fn: ok}, wantErr: "timeout"},
		{name: "no frequency", spec: scheduler.TaskSpec{ID: "x", Timeout: time.Second, Fn: ok}, wantErr: "exactly one"},
		{name: "two frequencies", spec: scheduler.TaskSpec{ID: "x", Frequency: scheduler.Frequency{Every: time.Minute, Manual: true}, Timeout: time.Second, Fn: ok}, wantErr: "exactly one"},
		{name: "negative cadence", spec: scheduler.TaskSpec{ID: "x", Frequency: scheduler.Frequency{Every: -time.Minute}, Timeout: time.Second, Fn: ok}, wantErr: "positive"},
		{name: "bad cron", spec: scheduler.TaskSpec{ID: "x", Frequency: scheduler.Frequency{Cron: "every day"}, Timeout: time.Second, Fn: ok}, wantErr: "cron"},
		{name: "bad scope", spec: scheduler.TaskSpec{ID: "x", Scope: "cluster", Frequency: every, Timeout: time.Second, Fn: ok}, wantErr: "scope"},
		{name: "negative delay", spec: scheduler.TaskSpec{ID: "x", Frequency: every, InitialDelay: -1, Timeout: time.Second, Fn: ok}, wantErr: "initial delay"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.Schedule(t.Context(), tt.spec)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Schedule error = %v, want it to contain %q", err, tt.wantErr)
			}
		})
	}
	t.Run("duplicate id", func(t *testing.T) {
		spec := scheduler.TaskSpec{ID: "dup", Frequency: every, Timeout: time.Second, Fn: ok}
		mustSchedule(t, s, spec)
		if err := s.Schedule(t.Context(), spec); err == nil || !strings.Contains(err.Error(), "already scheduled") {
			t.Errorf("second Schedule = %v, want already scheduled", err)
		}
	})
	t.Run("no database", func(t *testing.T) {
		if _, err := scheduler.New(t.Context(), scheduler.Options{}); err == nil {
			t.Error("New without a database succeeded")
		}
	})
}

// TestRunShutdown runs the real loop, stops it while a run is in flight and
// checks the run was cancelled and its lease released for another replica.
func TestRunShutdown(t *testing.T) {
	databasetest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		clk := newClock()
		s := newScheduler(t, db, clk, "w")
		started := make(chan struct{}, 1)
		mustSchedule(t, s, scheduler.TaskSpec{ID: "long", Frequency: scheduler.Frequency{Every: time.Hour}, Timeout: time.Hour,
			Fn: func(ctx context.Context) error {
				started <- struct{}{}
				<-ctx.Done()
				return ctx.Err()
			}})
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- s.Run(ctx) }()
		select {
		case <-started:
		case <-time.After(waitBound):
			t.Fatal("task did not start")
		}
		if err := s.Run(ctx); err == nil || !strings.Contains(err.Error(), "already running") {
			t.Errorf("second Run = %v, want already running", err)
		}
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run = %v, want nil on shutdown", err)
			}
		case <-time.After(waitBound):
			t.Fatal("Run did not return after cancel")
		}
		st := status(t, s, "long")
		if st.TaskState.Status != scheduler.StatusIdle {
			t.Errorf("after shutdown task is %s, want idle (lease released)", st.TaskState.Status)
		}
		if !strings.Contains(st.TaskState.LastRunError, "shutdown") {
			t.Errorf("lastRunError = %q, want an aborted-by-shutdown error", st.TaskState.LastRunError)
		}
		if !st.TaskState.StartsAt.Equal(t0) {
			t.Errorf("startsAt = %v, want the interrupted run's due time %v so another replica reruns it", st.TaskState.StartsAt, t0)
		}
	})
}

func TestTasksJSON(t *testing.T) {
	db := databasetest.OpenSQLite(t, "catalog")
	clk := newClock()
	s := newScheduler(t, db, clk, "w")
	mustSchedule(t, s, scheduler.TaskSpec{ID: "refresh", Frequency: scheduler.Frequency{Every: 30 * time.Minute}, Timeout: 10 * time.Minute, Fn: new(counter).fn})
	list, err := s.Tasks(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(map[string]any{"tasks": list})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"tasks":[{"taskId":"refresh","pluginId":"catalog","scope":"global",` +
		`"settings":{"version":2,"cadence":"PT30M","timeoutAfterDuration":"PT10M"},` +
		`"taskState":{"status":"idle","startsAt":"2024-05-06T10:00:00Z"},"workerState":{"status":"idle"}}]}`
	if string(got) != want {
		t.Errorf("JSON\n got %s\nwant %s", got, want)
	}
}
