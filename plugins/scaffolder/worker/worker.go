package worker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/portico-dev/portico/plugins/scaffolder/secret"
	"github.com/portico-dev/portico/plugins/scaffolder/store"
	"github.com/portico-dev/portico/plugins/scaffolder/template"
)

// Options configure a Worker.
type Options struct {
	Store  *store.Store
	Runner *Runner
	Box    *secret.Box
	Logger *slog.Logger
	// WorkDir holds one workspace directory per running task (removed when it ends).
	WorkDir string
	// Concurrency is how many tasks run at once (scaffolder.concurrentTasksLimit, default
	// 10); 0 disables running tasks on this node.
	Concurrency int
	// Lease is how long a claim lasts without a heartbeat (default 30 s); heartbeats come
	// every Lease/3.
	Lease time.Duration
	// Poll is how often the store is asked for open tasks when nothing wakes the worker
	// (default 1 s).
	Poll time.Duration
	// JanitorEvery is how often expired leases are recovered (default Lease).
	JanitorEvery time.Duration
	// TaskTimeout bounds one run (scaffolder.taskTimeout, default 24 h).
	TaskTimeout time.Duration
	// Owner names this worker in leases; default a random id. A stable name (the framework's
	// instance identity) lets a restarted worker recover its dead incarnation's tasks at once.
	Owner string
	// ShutdownGrace is how long Run waits, once its context ends, for running tasks to stop
	// (default 5 s). A task still running then (an action that ignores its context) is left
	// behind: its lease expires and the next start recovers it as its template asks.
	ShutdownGrace time.Duration
}

// Worker claims and runs tasks until its context ends.
type Worker struct {
	opts Options
	wake chan struct{}

	mu      sync.Mutex
	running map[string]context.CancelCauseFunc
}

// New returns a worker.
func New(opts Options) *Worker {
	if opts.Lease <= 0 {
		opts.Lease = 30 * time.Second
	}
	if opts.Poll <= 0 {
		opts.Poll = time.Second
	}
	if opts.JanitorEvery <= 0 {
		opts.JanitorEvery = opts.Lease
	}
	if opts.TaskTimeout <= 0 {
		opts.TaskTimeout = 24 * time.Hour
	}
	if opts.Owner == "" {
		opts.Owner = "worker-" + uuid.NewString()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.ShutdownGrace <= 0 {
		opts.ShutdownGrace = 5 * time.Second
	}
	return &Worker{opts: opts, wake: make(chan struct{}, 1), running: map[string]context.CancelCauseFunc{}}
}

// Notify wakes the worker to look for open tasks now (after a create or retry).
func (w *Worker) Notify() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// CancelLocal stops a task this worker runs now, without waiting for the next heartbeat.
func (w *Worker) CancelLocal(taskID string) {
	w.mu.Lock()
	cancel := w.running[taskID]
	w.mu.Unlock()
	if cancel != nil {
		cancel(ErrCancelled)
	}
}

// Run claims and runs tasks until ctx ends. On shutdown, running tasks are stopped and their
// leases released at once, so the next start recovers them as their templates ask (fail, or
// start over) without waiting for the lease to expire.
func (w *Worker) Run(ctx context.Context) error {
	o := w.opts
	// Tasks still leased to our owner name were left by this instance's previous run (killed
	// before it released them): recover them now rather than when their lease expires.
	if _, err := o.Store.RecoverAbandoned(ctx, o.Owner); err != nil {
		o.Logger.Error("recover expired tasks", "err", err)
	}
	var wg sync.WaitGroup
	defer w.drain(&wg)
	if o.Concurrency <= 0 {
		return w.janitorLoop(ctx)
	}
	wg.Go(func() { _ = w.janitorLoop(ctx) })
	slots := make(chan struct{}, o.Concurrency)
	poll := time.NewTicker(o.Poll)
	defer poll.Stop()
	for {
		// Fill free slots.
		for {
			select {
			case slots <- struct{}{}:
			default:
				goto wait
			}
			c, err := o.Store.Claim(ctx, o.Owner, o.Lease)
			if err != nil || c == nil {
				<-slots
				if err != nil && ctx.Err() == nil {
					o.Logger.Error("claim task", "err", err)
				}
				goto wait
			}
			wg.Go(func() {
				defer func() { <-slots }()
				w.runTask(ctx, c)
			})
		}
	wait:
		select {
		case <-ctx.Done():
			return nil
		case <-poll.C:
		case <-w.wake:
		}
	}
}

// drain waits for the running tasks, at most ShutdownGrace: shutdown must not hang on a step
// that does not stop.
func (w *Worker) drain(wg *sync.WaitGroup) {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	t := time.NewTimer(w.opts.ShutdownGrace)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		w.mu.Lock()
		n := len(w.running)
		w.mu.Unlock()
		w.opts.Logger.Warn("tasks still running at shutdown; leaving them to recovery", "tasks", n, "grace", w.opts.ShutdownGrace)
	}
}

func (w *Worker) janitorLoop(ctx context.Context) error {
	t := time.NewTicker(w.opts.JanitorEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			rec, err := w.opts.Store.RecoverExpired(ctx)
			if err != nil && ctx.Err() == nil {
				w.opts.Logger.Error("recover expired tasks", "err", err)
			}
			if len(rec.Restarted) > 0 {
				w.Notify()
			}
		}
	}
}

// errShutdown is the cause of runs stopped because the backend stops.
var errShutdown = errors.New("backend shutting down")

// errLeaseLost is the cause of runs stopped because another party took the task.
var errLeaseLost = errors.New("task lease lost")

func (w *Worker) runTask(parent context.Context, c *store.Claimed) {
	o := w.opts
	lease := c.Lease
	log := o.Logger.With("task", lease.TaskID)
	// Events and completion must be written even while the run is being cancelled.
	bg := context.WithoutCancel(parent)
	runCtx, cancel := context.WithCancelCause(bg)
	defer cancel(nil)
	runCtx, cancelTimeout := context.WithTimeoutCause(runCtx, o.TaskTimeout, fmt.Errorf("task exceeded its timeout of %s", o.TaskTimeout))
	defer cancelTimeout()
	w.mu.Lock()
	w.running[lease.TaskID] = cancel
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		delete(w.running, lease.TaskID)
		w.mu.Unlock()
	}()

	// Heartbeat; stop the run on cancel request, lost lease or shutdown.
	hbDone := make(chan struct{})
	var hbWG sync.WaitGroup
	hbWG.Go(func() {
		t := time.NewTicker(o.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-hbDone:
				return
			case <-parent.Done():
				cancel(errShutdown)
				return
			case <-t.C:
				cancelReq, err := o.Store.Heartbeat(bg, lease, o.Lease)
				switch {
				case errors.Is(err, store.ErrLeaseLost):
					cancel(errLeaseLost)
					return
				case err != nil:
					log.Warn("heartbeat failed", "err", err)
				case cancelReq:
					cancel(ErrCancelled)
				}
			}
		}
	})
	// A cancel requested before the claim (or between heartbeats) is seen at once.
	if cancelReq, err := o.Store.Heartbeat(bg, lease, o.Lease); err == nil && cancelReq {
		cancel(ErrCancelled)
	}

	emit := func(body map[string]any) {
		if _, err := o.Store.AppendEvent(bg, lease, store.EventLog, body); err != nil && !errors.Is(err, store.ErrLeaseLost) {
			log.Warn("record task event", "err", err)
		}
	}
	result, red, runErr := w.execute(runCtx, c, emit)
	close(hbDone)
	hbWG.Wait()

	switch cause := context.Cause(runCtx); {
	case errors.Is(cause, errShutdown):
		// Leave the task processing with an expired lease: the next start recovers it.
		if err := o.Store.Release(bg, lease); err != nil {
			log.Warn("release task", "err", err)
		}
		log.Info("task interrupted by shutdown")
		return
	case errors.Is(cause, errLeaseLost):
		log.Warn("task lease lost; another worker or the janitor took it over")
		return
	}
	status := store.StatusCompleted
	body := map[string]any{"message": "Run completed with status: completed", "output": result.Output}
	if runErr != nil {
		status = store.StatusFailed
		if errors.Is(runErr, ErrCancelled) {
			status = store.StatusCancelled
		}
		body = map[string]any{
			"message": "Run completed with status: " + string(status),
			"error":   map[string]any{"name": "Error", "message": red.String(runErr.Error())},
		}
	}
	if err := o.Store.Complete(bg, lease, status, body); err != nil {
		log.Warn("complete task", "err", err)
	}
}

// execute decodes the task and runs it in a fresh workspace.
func (w *Worker) execute(ctx context.Context, c *store.Claimed, emit func(map[string]any)) (Result, *secret.Redactor, error) {
	red := secret.NewRedactor(nil)
	spec, err := template.ParseSpec(c.Task.Spec)
	if err != nil {
		return Result{}, red, err
	}
	secrets, err := w.opts.Box.Open(c.Secrets)
	if err != nil {
		return Result{}, red, err
	}
	red = secret.NewRedactor(secrets)
	ws := filepath.Join(w.opts.WorkDir, c.Task.ID)
	if err := os.RemoveAll(ws); err != nil {
		return Result{}, red, fmt.Errorf("clean workspace: %w", err)
	}
	if err := os.MkdirAll(ws, 0o700); err != nil {
		return Result{}, red, fmt.Errorf("create workspace: %w", err)
	}
	defer func() {
		if err := os.RemoveAll(ws); err != nil {
			w.opts.Logger.Warn("remove workspace", "task", c.Task.ID, "err", err)
		}
	}()
	interrupted := func() bool {
		cause := context.Cause(ctx)
		return errors.Is(cause, errShutdown) || errors.Is(cause, errLeaseLost)
	}
	res, err := w.opts.Runner.Run(ctx, Run{TaskID: c.Task.ID, Spec: spec, Secrets: secrets, Workspace: ws, Emit: emit, Interrupted: interrupted})
	if res.Redactor != nil {
		red = res.Redactor // knows the values derived from secrets too
	}
	return res, red, err
}
