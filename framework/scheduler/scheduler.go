package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/robfig/cron/v3"

	"github.com/portico-dev/portico/framework/database"
)

// Sentinel errors of [Scheduler.Trigger].
var (
	// ErrNotFound: no task has that id.
	ErrNotFound = errors.New("task not found")
	// ErrConflict: the task is running.
	ErrConflict = errors.New("task is running")
)

// DefaultPollInterval is how often replicas look for due tasks, unless a
// task's cadence is shorter.
const DefaultPollInterval = 5 * time.Second

// minPollInterval keeps a tiny cadence from turning the loop into a spin.
const minPollInterval = 10 * time.Millisecond

// releaseTimeout bounds writing a run's outcome after shutdown began.
const releaseTimeout = 10 * time.Second

// Options configure a [Scheduler].
type Options struct {
	// DB is the plugin's database; the scheduler keeps its table there.
	DB *database.DB
	// Logger receives run failures and lease events; nil discards.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// PollInterval is the longest wait between ticks of [Scheduler.Run];
	// 0 means DefaultPollInterval.
	PollInterval time.Duration
	// WorkerID names this replica in run tickets; "" means a random ID. A stable ID (the
	// framework passes the instance identity) lets New take back at once the runs a
	// previous incarnation with the same ID left when it died; other IDs' runs keep their
	// leases until they expire.
	WorkerID string
}

// Scheduler runs one plugin's tasks. Create it with [New], add tasks with
// [Scheduler.Schedule] (before or after Run starts) and drive it with
// [Scheduler.Run], or step by step with [Scheduler.Tick] in tests.
type Scheduler struct {
	store    *store
	logger   *slog.Logger
	now      func() time.Time
	poll     time.Duration
	workerID string
	pluginID string

	running atomic.Bool   // Run is active
	tickMu  sync.Mutex    // one Tick at a time
	wake    chan struct{} // asks Run to tick now

	mu       sync.Mutex
	tasks    map[string]*task
	order    []string      // registration order, for Tasks
	inflight int           // runs started and not yet released
	idle     chan struct{} // closed when inflight drops to zero
}

// task is one registered task and, while it runs here, its run.
type task struct {
	spec      TaskSpec
	settings  TaskSettings
	cron      cron.Schedule
	notBefore time.Time // registration + InitialDelay
	run       *run

	// local scope only: in-process schedule and last outcome
	next      time.Time // zero: not due (manual, untriggered)
	lastEnded time.Time
	lastError string
}

// run is one execution in flight in this process.
type run struct {
	ticket   string
	started  time.Time
	deadline time.Time // by the injected clock
	due      time.Time // the start it was due at
	cancel   context.CancelCauseFunc
}

// New returns a Scheduler for opts.DB, creating its table through the
// database's migrations (namespace "scheduler", apart from the plugin's own
// versions). With SkipMigrations the table must already exist.
func New(ctx context.Context, opts Options) (*Scheduler, error) {
	if opts.DB == nil {
		return nil, fmt.Errorf("scheduler: no database")
	}
	s := &Scheduler{
		store:    newStore(opts.DB),
		logger:   opts.Logger,
		now:      opts.Now,
		poll:     opts.PollInterval,
		workerID: opts.WorkerID,
		pluginID: opts.DB.PluginID,
		wake:     make(chan struct{}, 1),
		tasks:    map[string]*task{},
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.poll <= 0 {
		s.poll = DefaultPollInterval
	}
	if s.workerID == "" {
		s.workerID = uuid.NewString()
	}
	if err := s.store.migrate(ctx); err != nil {
		return nil, fmt.Errorf("scheduler for plugin %s: %w", s.pluginID, err)
	}
	// Runs held under our WorkerID now were left by a previous incarnation of this
	// instance (killed before it released them): free them at once rather than when their
	// timeout ends, so a restart does not delay the task by a whole run timeout.
	n, err := s.store.reclaimOwn(ctx, s.now(), s.workerID)
	if err != nil {
		return nil, fmt.Errorf("scheduler for plugin %s: reclaim task leases: %w", s.pluginID, err)
	}
	if n > 0 {
		s.logger.InfoContext(ctx, "reclaimed the task leases this instance held before it restarted", "count", n)
	}
	return s, nil
}

// Schedule registers a task. A global task's row is upserted: its settings
// are replaced, and an existing next start is kept unless the new schedule
// would start earlier. Scheduling the same ID twice in one Scheduler fails.
func (s *Scheduler) Schedule(ctx context.Context, spec TaskSpec) error {
	sched, err := spec.validate()
	if err != nil {
		return fmt.Errorf("schedule: %w", err)
	}
	now := s.now()
	t := &task{
		spec:      spec,
		settings:  spec.settings(),
		cron:      sched,
		notBefore: now.Add(spec.InitialDelay),
	}
	s.mu.Lock()
	_, dup := s.tasks[spec.ID]
	s.mu.Unlock()
	if dup {
		return fmt.Errorf("schedule task %s: already scheduled", spec.ID)
	}

	first := t.firstStart(now)
	if spec.Scope == ScopeGlobal {
		regular := t.regularStart(now)
		if err := s.store.register(ctx, spec.ID, t.settings, nullTime(first), nullTime(regular)); err != nil {
			return fmt.Errorf("schedule task %s: %w", spec.ID, err)
		}
	} else {
		t.next = first
	}

	s.mu.Lock()
	if _, dup := s.tasks[spec.ID]; dup {
		s.mu.Unlock()
		return fmt.Errorf("schedule task %s: already scheduled", spec.ID)
	}
	s.tasks[spec.ID] = t
	s.order = append(s.order, spec.ID)
	s.mu.Unlock()
	s.logger.InfoContext(ctx, "scheduled task", "task", spec.ID, "scope", spec.Scope,
		"cadence", t.settings.Cadence, "timeout", t.settings.TimeoutAfterDuration)
	s.poke()
	return nil
}

// firstStart is when a newly registered task first runs: after the initial
// delay if any, else now for a duration, the next fire for cron, never
// (zero) for manual.
func (t *task) firstStart(now time.Time) time.Time {
	switch {
	case t.spec.Frequency.Manual:
		return time.Time{}
	case t.spec.InitialDelay > 0:
		return t.notBefore
	case t.cron == nil:
		return now
	default:
		return t.regularStart(now)
	}
}

// regularStart is the task's next start had it just run: compared with an
// existing row so that re-registering never postpones, and never hurries, a
// task more than its schedule says.
func (t *task) regularStart(now time.Time) time.Time {
	return t.nextStart(now, now)
}

// nextStart is the start after a run that was due at due and ended at now.
func (t *task) nextStart(due, now time.Time) time.Time {
	f := t.spec.Frequency
	switch {
	case f.Manual:
		return time.Time{}
	case t.cron != nil:
		return t.cron.Next(now)
	default:
		next := due.Add(f.Every)
		if next.Before(now) {
			next = now
		}
		return next
	}
}

func nullTime(t time.Time) database.NullTime {
	if t.IsZero() {
		return database.NullTime{}
	}
	return database.NewNullTime(t)
}

// Trigger makes a task due now. It fails with ErrNotFound when no task has
// the id (in this process for local tasks, in the database for global ones)
// and ErrConflict when the task is running.
func (s *Scheduler) Trigger(ctx context.Context, id string) error {
	now := s.now()
	s.mu.Lock()
	if t, ok := s.tasks[id]; ok && t.spec.Scope == ScopeLocal {
		defer s.mu.Unlock()
		if t.run != nil {
			return fmt.Errorf("trigger task %s: %w", id, ErrConflict)
		}
		t.next = now
		s.poke()
		return nil
	}
	s.mu.Unlock()
	found, free, err := s.store.triggerTask(ctx, id, now)
	switch {
	case err != nil:
		return fmt.Errorf("trigger task %s: %w", id, err)
	case !found:
		return fmt.Errorf("trigger task %s: %w", id, ErrNotFound)
	case !free:
		return fmt.Errorf("trigger task %s: %w", id, ErrConflict)
	}
	s.poke()
	return nil
}

// poke asks a running loop to tick now.
func (s *Scheduler) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// sortedTasks returns the registered tasks in ID order. Call with s.mu held.
func (s *Scheduler) sortedTasks() []*task {
	out := make([]*task, 0, len(s.tasks))
	for _, t := range s.tasks {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].spec.ID < out[j].spec.ID })
	return out
}
