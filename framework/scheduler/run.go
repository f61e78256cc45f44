package scheduler

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/google/uuid"
)

// Causes of a run's cancellation, told apart when recording its outcome.
var (
	errTimedOut  = errors.New("task timed out")
	errLeaseLost = errors.New("task lease lost")
)

// Run ticks until ctx is done, every PollInterval (or the shortest task
// cadence, if shorter) and at once after Schedule or Trigger. On exit it
// cancels the runs in flight, waits for them and releases their leases.
// Task failures are logged and recorded, never returned.
func (s *Scheduler) Run(ctx context.Context) error {
	if !s.running.CompareAndSwap(false, true) {
		return fmt.Errorf("scheduler for plugin %s is already running", s.pluginID)
	}
	defer s.running.Store(false)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			// Runs derive from ctx: they are cancelled already.
			_ = s.Wait(context.Background())
			return nil
		case <-timer.C:
		case <-s.wake:
		}
		if err := s.Tick(ctx); err != nil && ctx.Err() == nil {
			s.logger.WarnContext(ctx, "scheduler tick failed", "error", err)
		}
		timer.Reset(s.interval())
	}
}

// interval is the wait between ticks: PollInterval, or a shorter cadence.
func (s *Scheduler) interval() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.poll
	for _, t := range s.tasks {
		if every := t.spec.Frequency.Every; every > 0 && every < d {
			d = every
		}
	}
	return max(d, minPollInterval)
}

// Tick is one step of the loop, at the injected clock's now: it cancels our
// runs that passed their timeout or lost their ticket, clears expired
// tickets of dead workers, and starts every due task this replica can
// claim. Runs start in goroutines that derive from ctx; [Scheduler.Wait]
// waits for them.
func (s *Scheduler) Tick(ctx context.Context) error {
	s.tickMu.Lock()
	defer s.tickMu.Unlock()
	now := s.now()
	var errs []error
	if err := s.supervise(ctx, now); err != nil {
		errs = append(errs, err)
	}
	if err := s.reap(ctx, now); err != nil {
		errs = append(errs, err)
	}

	s.mu.Lock()
	tasks := s.sortedTasks()
	s.mu.Unlock()
	for _, t := range tasks {
		if err := s.maybeStart(ctx, t, now); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// supervise cancels our runs past their deadline (by the injected clock;
// a real timer does the same in production) and those whose ticket was
// taken away.
func (s *Scheduler) supervise(ctx context.Context, now time.Time) error {
	s.mu.Lock()
	var globals []*task
	for _, t := range s.tasks {
		if t.run == nil {
			continue
		}
		if !now.Before(t.run.deadline) {
			t.run.cancel(errTimedOut)
			continue
		}
		if t.spec.Scope == ScopeGlobal {
			globals = append(globals, t)
		}
	}
	s.mu.Unlock()
	if len(globals) == 0 {
		return nil
	}
	states, err := s.store.loadStates(ctx)
	if err != nil {
		return fmt.Errorf("check task leases: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range globals {
		r := t.run
		if r == nil {
			continue // finished meanwhile
		}
		if st, ok := states[t.spec.ID]; !ok || !st.ticket.Valid || st.ticket.String != r.ticket {
			s.logger.WarnContext(ctx, "task lease lost, cancelling run", "task", t.spec.ID)
			r.cancel(errLeaseLost)
		}
	}
	return nil
}

// reap clears expired tickets held by other (dead) workers.
func (s *Scheduler) reap(ctx context.Context, now time.Time) error {
	s.mu.Lock()
	var own []string
	for _, t := range s.tasks {
		if t.run != nil && t.spec.Scope == ScopeGlobal {
			own = append(own, t.run.ticket)
		}
	}
	s.mu.Unlock()
	n, err := s.store.reapExpired(ctx, now, own)
	if err != nil {
		return fmt.Errorf("clear expired task leases: %w", err)
	}
	if n > 0 {
		s.logger.WarnContext(ctx, "cleared expired task leases", "count", n)
	}
	return nil
}

// maybeStart claims t if it is due and starts it.
func (s *Scheduler) maybeStart(ctx context.Context, t *task, now time.Time) error {
	s.mu.Lock()
	if t.run != nil || now.Before(t.notBefore) {
		s.mu.Unlock()
		return nil
	}
	if t.spec.Scope == ScopeLocal {
		defer s.mu.Unlock()
		if t.next.IsZero() || now.Before(t.next) {
			return nil
		}
		s.startLocked(ctx, t, &run{ticket: s.workerID + "/" + uuid.NewString(), due: t.next}, now)
		return nil
	}
	s.mu.Unlock()

	ticket := s.workerID + "/" + uuid.NewString()
	due, ok, err := s.store.claimTask(ctx, t.spec.ID, ticket, now, now.Add(t.spec.Timeout))
	if err != nil {
		return fmt.Errorf("claim task %s: %w", t.spec.ID, err)
	}
	if !ok {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.startLocked(ctx, t, &run{ticket: ticket, due: due}, now)
	return nil
}

// startLocked runs t in a goroutine. Call with s.mu held.
func (s *Scheduler) startLocked(ctx context.Context, t *task, r *run, now time.Time) {
	runCtx, cancel := context.WithCancelCause(ctx)
	runCtx, stopTimer := context.WithTimeoutCause(runCtx, t.spec.Timeout, errTimedOut)
	r.started, r.deadline, r.cancel = now, now.Add(t.spec.Timeout), cancel
	t.run = r
	if s.inflight == 0 {
		s.idle = make(chan struct{})
	}
	s.inflight++
	s.logger.DebugContext(ctx, "task run started", "task", t.spec.ID, "ticket", r.ticket)
	go func() {
		err := s.callTask(runCtx, t.spec.ID, t.spec.Fn)
		cause := context.Cause(runCtx)
		stopTimer()
		cancel(nil)
		s.finish(ctx, t, r, err, cause)
	}()
}

// callTask runs fn, turning a panic into an error (the stack goes to the
// log, not into the stored error).
func (s *Scheduler) callTask(ctx context.Context, id string, fn func(context.Context) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
			s.logger.ErrorContext(ctx, "task panicked", "task", id, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		}
	}()
	return fn(ctx)
}

// finish records the outcome of r and frees t for its next run.
func (s *Scheduler) finish(ctx context.Context, t *task, r *run, runErr, cause error) {
	id := t.spec.ID
	now := s.now()
	shutdown := ctx.Err() != nil
	var errText string
	switch {
	case runErr == nil:
	case errors.Is(cause, errTimedOut):
		errText = fmt.Sprintf("task timed out after %s: %v", t.spec.Timeout, runErr)
	case shutdown:
		errText = fmt.Sprintf("task aborted by shutdown: %v", runErr)
	default:
		errText = runErr.Error()
	}
	if errText != "" {
		s.logger.ErrorContext(ctx, "task run failed", "task", id, "error", errText)
	}
	// A run cut short by shutdown keeps its due time, so another replica
	// (or the next start) runs it again soon.
	next := t.nextStart(r.due, now)
	if shutdown && runErr != nil {
		next = r.due
	}

	if t.spec.Scope == ScopeGlobal && !errors.Is(cause, errLeaseLost) {
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
		var errJSON sql.NullString
		if errText != "" {
			errJSON = errorJSON(errText)
		}
		ok, err := s.store.releaseTask(wctx, id, r.ticket, nullTime(next), now, errJSON)
		cancel()
		switch {
		case err != nil:
			s.logger.ErrorContext(ctx, "task release failed; its lease will expire", "task", id, "error", err)
		case !ok:
			s.logger.WarnContext(ctx, "task lease was lost before release", "task", id)
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if t.spec.Scope == ScopeLocal {
		// Trigger refuses a running task, so nothing moved t.next meanwhile.
		t.lastEnded, t.lastError, t.next = now, errText, next
	}
	t.run = nil
	s.inflight--
	if s.inflight == 0 {
		close(s.idle)
	}
	s.logger.DebugContext(ctx, "task run ended", "task", id, "failed", errText != "")
}

// Wait blocks until no run is in flight (each has released its task), or
// ctx is done.
func (s *Scheduler) Wait(ctx context.Context) error {
	s.mu.Lock()
	if s.inflight == 0 {
		s.mu.Unlock()
		return nil
	}
	idle := s.idle
	s.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
