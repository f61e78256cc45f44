// Package store keeps the scaffolder's tasks and their events in the plugin's database, on
// SQLite and PostgreSQL with one SQL text.
//
// Contract:
//   - A task is created open. Workers take open tasks with [Store.Claim], which moves one to
//     processing under a lease (owner, expiry) and bumps its epoch. Claims never hand one task
//     to two workers: FOR UPDATE SKIP LOCKED on PostgreSQL, the single writer on SQLite.
//   - Every later write of a worker ([Store.Heartbeat], [Store.AppendEvent], [Store.Complete])
//     names the [Lease] it holds and is fenced by the epoch: once the lease expired and the task
//     was recovered or finished by someone else, the write fails with [ErrLeaseLost] and changes
//     nothing.
//   - Completion sets the final status, clears the secrets and inserts the completion event in
//     one transaction.
//   - [Store.RecoverExpired] handles tasks whose lease expired (their worker died): a task whose
//     template opted into startOver is reopened (a recovered event marks the restart), others
//     are failed with a clear message.
//   - Event ids increase monotonically across the database. Times are UTC.
//   - Secrets are opaque sealed bytes here; they are cleared at claim time unless the task is
//     recoverable, and always on completion.
package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/portico-dev/portico/framework/apierr/errkind"
	"github.com/portico-dev/portico/framework/database"
)

// Sentinel errors.
var (
	// ErrNotFound means no task has the id.
	ErrNotFound = errkind.New(errkind.NotFound, "task not found")
	// ErrConflict means the task is not in a state that allows the operation.
	ErrConflict = errkind.New(errkind.Conflict, "task state conflict")
	// ErrLeaseLost means the caller no longer holds the task: its lease expired and the task
	// was recovered, cancelled or finished by someone else.
	ErrLeaseLost = errors.New("task lease lost")
)

// Status is a task's state.
type Status string

// Task states.
const (
	StatusOpen       Status = "open"
	StatusProcessing Status = "processing"
	StatusFailed     Status = "failed"
	StatusCancelled  Status = "cancelled"
	StatusCompleted  Status = "completed"
)

// Finished reports whether s is a final state.
func (s Status) Finished() bool {
	return s == StatusFailed || s == StatusCancelled || s == StatusCompleted
}

// ValidStatus reports whether s names a task state.
func ValidStatus(s string) bool {
	switch Status(s) {
	case StatusOpen, StatusProcessing, StatusFailed, StatusCancelled, StatusCompleted:
		return true
	}
	return false
}

// Event types.
const (
	EventLog        = "log"
	EventCompletion = "completion"
	EventCancelled  = "cancelled"
	EventRecovered  = "recovered"
)

// Recovery strategies (spec.EXPERIMENTAL_recovery.EXPERIMENTAL_strategy).
const (
	RecoverNone      = "none"
	RecoverStartOver = "startOver"
)

// Task is a stored task, without its secrets.
type Task struct {
	ID              string          `json:"id"`
	Spec            json.RawMessage `json:"spec"`
	Status          Status          `json:"status"`
	CreatedAt       time.Time       `json:"createdAt"`
	LastHeartbeatAt *time.Time      `json:"lastHeartbeatAt"`
	CreatedBy       string          `json:"createdBy"`
	// Not part of Backstage's task shape.
	Epoch           int64  `json:"-"`
	LeaseOwner      string `json:"-"`
	CancelRequested bool   `json:"-"`
	RecoverStrategy string `json:"-"`
}

// Event is one task event.
type Event struct {
	ID        int64           `json:"id"`
	TaskID    string          `json:"taskId"`
	Body      json.RawMessage `json:"body"`
	Type      string          `json:"type"`
	CreatedAt time.Time       `json:"createdAt"`
}

// NewTask is what [Store.Create] stores.
type NewTask struct {
	Spec            json.RawMessage
	CreatedBy       string
	Secrets         []byte // sealed; nil for none
	RecoverStrategy string // RecoverNone or RecoverStartOver
}

// Lease is a worker's hold on a task, returned by [Store.Claim].
type Lease struct {
	TaskID string
	Owner  string
	Epoch  int64
}

// Claimed is a task handed to a worker.
type Claimed struct {
	Task    Task
	Secrets []byte // sealed secrets as stored before the claim
	Lease   Lease
}

// Store is the scaffolder's task store. It is safe for concurrent use.
type Store struct {
	db  *database.DB
	now func() time.Time
}

// New returns a store on db (already migrated with [migrations.FS]). now is the clock; nil
// means time.Now.
func New(db *database.DB, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{db: db, now: func() time.Time { return now().UTC() }}
}

func (s *Store) q(query string) string { return s.db.Dialect.Rebind(query) }

const taskColumns = `id, spec, status, created_by, created_at, last_heartbeat_at, epoch, lease_owner, cancel_requested, recover_strategy`

type scanner interface{ Scan(dest ...any) error }

func scanTask(sc scanner) (Task, error) {
	var t Task
	var spec string
	var createdBy, owner sql.NullString
	var created, hb database.NullTime
	if err := sc.Scan(&t.ID, &spec, &t.Status, &createdBy, &created, &hb, &t.Epoch, &owner, &t.CancelRequested, &t.RecoverStrategy); err != nil {
		return Task{}, err
	}
	t.Spec = json.RawMessage(spec)
	t.CreatedBy = createdBy.String
	t.LeaseOwner = owner.String
	t.CreatedAt = created.Time
	if hb.Valid {
		h := hb.Time
		t.LastHeartbeatAt = &h
	}
	return t, nil
}

// Create stores a new open task and returns its id (a UUID v4).
func (s *Store) Create(ctx context.Context, nt NewTask) (string, error) {
	if !json.Valid(nt.Spec) {
		return "", errors.New("create task: spec is not valid JSON")
	}
	if nt.RecoverStrategy == "" {
		nt.RecoverStrategy = RecoverNone
	}
	id := uuid.NewString()
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO tasks (id, spec, status, created_by, created_at, recover_strategy, secrets)
VALUES (?, ?, ?, ?, ?, ?, ?)`), id, string(nt.Spec), StatusOpen, nullString(nt.CreatedBy), database.NewNullTime(s.now()), nt.RecoverStrategy, nullBytes(nt.Secrets))
	if err != nil {
		return "", fmt.Errorf("create task: %w", err)
	}
	return id, nil
}

// Get returns the task with id, or ErrNotFound.
func (s *Store) Get(ctx context.Context, id string) (Task, error) {
	t, err := scanTask(s.db.QueryRowContext(ctx, s.q(`SELECT `+taskColumns+` FROM tasks WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		return Task{}, fmt.Errorf("get task %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return Task{}, fmt.Errorf("get task %s: %w", id, err)
	}
	return t, nil
}

// ListOptions filter and page [Store.List].
type ListOptions struct {
	CreatedBy []string
	Status    []Status
	// Order is a list of "asc:<field>" / "desc:<field>" with field created_at, status or
	// created_by; empty means newest first.
	Order  []string
	Limit  int // 0 means no limit
	Offset int
}

// ErrBadOrder is returned by List for an order it does not support.
var ErrBadOrder = errors.New("invalid order")

// List returns a page of tasks and the number of tasks matching the filters.
func (s *Store) List(ctx context.Context, o ListOptions) ([]Task, int, error) {
	var where []string
	var args []any
	if len(o.CreatedBy) > 0 {
		where = append(where, "created_by IN ("+placeholders(len(o.CreatedBy))+")")
		for _, c := range o.CreatedBy {
			args = append(args, c)
		}
	}
	if len(o.Status) > 0 {
		where = append(where, "status IN ("+placeholders(len(o.Status))+")")
		for _, st := range o.Status {
			args = append(args, string(st))
		}
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var order []string
	for _, spec := range o.Order {
		dir, field, ok := strings.Cut(spec, ":")
		if !ok {
			dir, field = "asc", spec
		}
		dir = strings.ToLower(dir)
		if dir != "asc" && dir != "desc" {
			return nil, 0, fmt.Errorf("list tasks: %w %q: direction must be asc or desc", ErrBadOrder, spec)
		}
		switch field {
		case "created_at", "status", "created_by":
		default:
			return nil, 0, fmt.Errorf("list tasks: %w %q: field must be created_at, status or created_by", ErrBadOrder, spec)
		}
		order = append(order, field+" "+strings.ToUpper(dir))
	}
	if len(order) == 0 {
		order = []string{"created_at DESC"}
	}
	order = append(order, "id ASC")
	var total int
	if err := s.db.QueryRowContext(ctx, s.q(`SELECT count(*) FROM tasks`+cond), args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count tasks: %w", err)
	}
	query := `SELECT ` + taskColumns + ` FROM tasks` + cond + ` ORDER BY ` + strings.Join(order, ", ")
	switch {
	case o.Limit > 0:
		query += fmt.Sprintf(" LIMIT %d", o.Limit)
	case o.Offset > 0 && s.db.Dialect.IsPostgres():
		query += " LIMIT ALL"
	case o.Offset > 0:
		query += " LIMIT -1" // SQLite needs a LIMIT before OFFSET
	}
	if o.Offset > 0 {
		query += fmt.Sprintf(" OFFSET %d", o.Offset)
	}
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list tasks: %w", err)
	}
	defer func() { _ = rows.Close() }()
	out := []Task{}
	for rows.Next() {
		t, err := scanTask(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("list tasks: %w", err)
		}
		out = append(out, t)
	}
	return out, total, rows.Err()
}

// Claim hands the oldest open task to owner under a lease of the given duration, or returns
// nil when no task is open.
func (s *Store) Claim(ctx context.Context, owner string, lease time.Duration) (*Claimed, error) {
	var c *Claimed
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		row := tx.QueryRowContext(ctx, s.q(`SELECT `+taskColumns+`, secrets FROM tasks WHERE status = ?
ORDER BY created_at, id LIMIT 1 `+s.db.Dialect.ForUpdateSkipLocked()), StatusOpen)
		var t Task
		var secrets []byte
		var spec string
		var createdBy, lowner sql.NullString
		var created, hb database.NullTime
		err := row.Scan(&t.ID, &spec, &t.Status, &createdBy, &created, &hb, &t.Epoch, &lowner, &t.CancelRequested, &t.RecoverStrategy, &secrets)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		t.Spec, t.CreatedBy, t.CreatedAt = json.RawMessage(spec), createdBy.String, created.Time
		now := s.now()
		res, err := tx.ExecContext(ctx, s.q(`UPDATE tasks SET status = ?, lease_owner = ?, lease_expires_at = ?,
last_heartbeat_at = ?, epoch = epoch + 1, cancel_requested = ?,
secrets = CASE WHEN recover_strategy = ? THEN secrets ELSE NULL END
WHERE id = ? AND status = ? AND epoch = ?`),
			StatusProcessing, owner, database.NewNullTime(now.Add(lease)), database.NewNullTime(now), false,
			RecoverStartOver, t.ID, StatusOpen, t.Epoch)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n != 1 {
			return err // someone else took it; report no task this round
		}
		t.Epoch++
		t.Status = StatusProcessing
		t.LeaseOwner = owner
		t.CancelRequested = false
		t.LastHeartbeatAt = &now
		c = &Claimed{Task: t, Secrets: secrets, Lease: Lease{TaskID: t.ID, Owner: owner, Epoch: t.Epoch}}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claim task: %w", err)
	}
	return c, nil
}

// Heartbeat extends the lease and records the heartbeat. It reports whether a cancel was
// requested, or ErrLeaseLost.
func (s *Store) Heartbeat(ctx context.Context, l Lease, lease time.Duration) (cancelRequested bool, err error) {
	now := s.now()
	err = s.db.QueryRowContext(ctx, s.q(`UPDATE tasks SET last_heartbeat_at = ?, lease_expires_at = ?
WHERE id = ? AND epoch = ? AND status = ? RETURNING cancel_requested`),
		database.NewNullTime(now), database.NewNullTime(now.Add(lease)), l.TaskID, l.Epoch, StatusProcessing).Scan(&cancelRequested)
	if errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("heartbeat task %s: %w", l.TaskID, ErrLeaseLost)
	}
	if err != nil {
		return false, fmt.Errorf("heartbeat task %s: %w", l.TaskID, err)
	}
	return cancelRequested, nil
}

// AppendEvent adds an event to the task the worker holds.
func (s *Store) AppendEvent(ctx context.Context, l Lease, typ string, body any) (Event, error) {
	var ev Event
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.checkLease(ctx, tx, l); err != nil {
			return err
		}
		var err error
		ev, err = s.insertEvent(ctx, tx, l.TaskID, typ, body)
		return err
	})
	if err != nil {
		return Event{}, fmt.Errorf("append event to task %s: %w", l.TaskID, err)
	}
	return ev, nil
}

// checkLease locks the task row (PostgreSQL) and fails with ErrLeaseLost unless l still holds it.
func (s *Store) checkLease(ctx context.Context, tx *sql.Tx, l Lease) error {
	lock := ""
	if s.db.Dialect.IsPostgres() {
		lock = " FOR UPDATE"
	}
	var n int
	err := tx.QueryRowContext(ctx, s.q(`SELECT 1 FROM tasks WHERE id = ? AND epoch = ? AND status = ?`+lock), l.TaskID, l.Epoch, StatusProcessing).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrLeaseLost
	}
	return err
}

func (s *Store) insertEvent(ctx context.Context, tx *sql.Tx, taskID, typ string, body any) (Event, error) {
	blob, err := json.Marshal(body)
	if err != nil {
		return Event{}, fmt.Errorf("encode event body: %w", err)
	}
	ev := Event{TaskID: taskID, Type: typ, Body: blob, CreatedAt: s.now()}
	err = tx.QueryRowContext(ctx, s.q(`INSERT INTO task_events (task_id, body, event_type, created_at) VALUES (?, ?, ?, ?) RETURNING id`),
		taskID, string(blob), typ, database.NewNullTime(ev.CreatedAt)).Scan(&ev.ID)
	return ev, err
}

// Complete ends the task the worker holds with a final status and inserts the completion
// event with body, atomically.
func (s *Store) Complete(ctx context.Context, l Lease, status Status, body any) error {
	if !status.Finished() {
		return fmt.Errorf("complete task %s: status %q is not final", l.TaskID, status)
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE tasks SET status = ?, secrets = NULL, lease_owner = NULL, lease_expires_at = NULL
WHERE id = ? AND epoch = ? AND status = ?`), status, l.TaskID, l.Epoch, StatusProcessing)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return ErrLeaseLost
		}
		_, err = s.insertEvent(ctx, tx, l.TaskID, EventCompletion, body)
		return err
	})
	if err != nil {
		return fmt.Errorf("complete task %s: %w", l.TaskID, err)
	}
	return nil
}

// lockedStatus reads a task's status, locking its row for the transaction; ErrNotFound when
// there is no such task.
func (s *Store) lockedStatus(ctx context.Context, tx *sql.Tx, id string) (Status, error) {
	var st Status
	err := tx.QueryRowContext(ctx, s.q(`SELECT status FROM tasks WHERE id = ?`+s.forUpdate()), id).Scan(&st)
	if errors.Is(err, sql.ErrNoRows) {
		return st, ErrNotFound
	}
	return st, err
}

// Cancel asks for a task to stop. An open task is cancelled at once (cancelled and completion
// events); a processing task gets a cancelled event and its worker sees the request at its next
// heartbeat. A finished task yields ErrConflict.
func (s *Store) Cancel(ctx context.Context, id string, body any) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		st, err := s.lockedStatus(ctx, tx, id)
		if err != nil {
			return err
		}
		switch st {
		case StatusOpen:
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE tasks SET status = ?, secrets = NULL, epoch = epoch + 1 WHERE id = ?`), StatusCancelled, id); err != nil {
				return err
			}
			if _, err := s.insertEvent(ctx, tx, id, EventCancelled, body); err != nil {
				return err
			}
			_, err = s.insertEvent(ctx, tx, id, EventCompletion, map[string]any{"message": "Run completed with status: cancelled"})
			return err
		case StatusProcessing:
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE tasks SET cancel_requested = ? WHERE id = ?`), true, id); err != nil {
				return err
			}
			_, err := s.insertEvent(ctx, tx, id, EventCancelled, body)
			return err
		default:
			return fmt.Errorf("%w: task is %s", ErrConflict, st)
		}
	})
	if err != nil {
		return fmt.Errorf("cancel task %s: %w", id, err)
	}
	return nil
}

// Retry reopens a finished task so a worker runs it again from the start, with new sealed
// secrets. A recovered event marks the restart; event listings start from it.
func (s *Store) Retry(ctx context.Context, id string, secrets []byte) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		st, err := s.lockedStatus(ctx, tx, id)
		if err != nil {
			return err
		}
		if !st.Finished() {
			return fmt.Errorf("%w: task is %s", ErrConflict, st)
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE tasks SET status = ?, secrets = ?, epoch = epoch + 1, cancel_requested = ?,
lease_owner = NULL, lease_expires_at = NULL WHERE id = ?`), StatusOpen, nullBytes(secrets), false, id); err != nil {
			return err
		}
		_, err = s.insertEvent(ctx, tx, id, EventRecovered, map[string]any{"message": "Task retried from the start", "recoverStrategy": RecoverStartOver})
		return err
	})
	if err != nil {
		return fmt.Errorf("retry task %s: %w", id, err)
	}
	return nil
}

// Recovery counts what [Store.RecoverExpired] did.
type Recovery struct {
	Restarted, Failed []string // task ids
}

// StaleMessage is the log line written on a task failed because its worker vanished.
const StaleMessage = "This task was marked as failed because its worker stopped before finishing it (lease expired); the template does not opt into recovery (spec.EXPERIMENTAL_recovery.EXPERIMENTAL_strategy: startOver)"

// RecoverExpired handles processing tasks whose lease expired (their worker died or lost
// the database for longer than the lease): startOver tasks are reopened, others failed.
func (s *Store) RecoverExpired(ctx context.Context) (Recovery, error) {
	return s.RecoverAbandoned(ctx, "")
}

// RecoverAbandoned is RecoverExpired plus the tasks leased to owner whatever their expiry: a
// worker calls it as it starts, when the tasks held under its (stable) owner name were left
// by its previous incarnation, which died without releasing them. "" recovers expired leases
// only.
func (s *Store) RecoverAbandoned(ctx context.Context, owner string) (Recovery, error) {
	var rec Recovery
	now := s.now()
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT id, epoch, recover_strategy FROM tasks
WHERE status = ? AND (lease_expires_at < ? OR lease_owner = ?)`),
		StatusProcessing, database.NewNullTime(now), owner)
	if err != nil {
		return rec, fmt.Errorf("find expired tasks: %w", err)
	}
	type stale struct {
		id       string
		epoch    int64
		strategy string
	}
	var list []stale
	for rows.Next() {
		var st stale
		if err := rows.Scan(&st.id, &st.epoch, &st.strategy); err != nil {
			_ = rows.Close()
			return rec, fmt.Errorf("find expired tasks: %w", err)
		}
		list = append(list, st)
	}
	_ = rows.Close()
	if err := rows.Err(); err != nil {
		return rec, fmt.Errorf("find expired tasks: %w", err)
	}
	for _, st := range list {
		restarted := st.strategy == RecoverStartOver
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			newStatus := StatusFailed
			if restarted {
				newStatus = StatusOpen
			}
			res, err := tx.ExecContext(ctx, s.q(`UPDATE tasks SET status = ?, epoch = epoch + 1, lease_owner = NULL, lease_expires_at = NULL,
cancel_requested = ?, secrets = CASE WHEN ? THEN secrets ELSE NULL END
WHERE id = ? AND epoch = ? AND status = ? AND (lease_expires_at < ? OR lease_owner = ?)`),
				newStatus, false, restarted, st.id, st.epoch, StatusProcessing, database.NewNullTime(now), owner)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n != 1 {
				return err // it moved on meanwhile
			}
			if restarted {
				_, err = s.insertEvent(ctx, tx, st.id, EventRecovered, map[string]any{
					"message":         "Task recovered after its worker stopped; starting over",
					"recoverStrategy": RecoverStartOver,
				})
				if err == nil {
					rec.Restarted = append(rec.Restarted, st.id)
				}
				return err
			}
			if _, err := s.insertEvent(ctx, tx, st.id, EventLog, map[string]any{"message": StaleMessage, "status": "failed"}); err != nil {
				return err
			}
			_, err = s.insertEvent(ctx, tx, st.id, EventCompletion, map[string]any{
				"message": "Run completed with status: failed",
				"error":   map[string]any{"name": "Error", "message": StaleMessage},
			})
			if err == nil {
				rec.Failed = append(rec.Failed, st.id)
			}
			return err
		})
		if err != nil {
			return rec, fmt.Errorf("recover task %s: %w", st.id, err)
		}
	}
	return rec, nil
}

// ListEvents returns the task's events with id > after, oldest first, starting at the last
// recovered marker (a retried or recovered task shows only its latest run). With
// includeCompletion the run's completion event is included even when its id <= after.
func (s *Store) ListEvents(ctx context.Context, taskID string, after int64, includeCompletion bool) ([]Event, error) {
	cond := `id > ?`
	args := []any{taskID, EventRecovered, taskID, after}
	if includeCompletion {
		cond = `(id > ? OR event_type = ?)`
		args = append(args, EventCompletion)
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT id, task_id, body, event_type, created_at FROM task_events
WHERE task_id = ? AND id >= (SELECT COALESCE(MAX(id), 0) FROM task_events WHERE event_type = ? AND task_id = ?) AND `+cond+`
ORDER BY id`), args...)
	if err != nil {
		return nil, fmt.Errorf("list events of task %s: %w", taskID, err)
	}
	defer func() { _ = rows.Close() }()
	out := []Event{}
	for rows.Next() {
		var ev Event
		var body string
		var created database.NullTime
		if err := rows.Scan(&ev.ID, &ev.TaskID, &body, &ev.Type, &created); err != nil {
			return nil, fmt.Errorf("list events of task %s: %w", taskID, err)
		}
		ev.Body, ev.CreatedAt = json.RawMessage(body), created.Time
		out = append(out, ev)
	}
	return out, rows.Err()
}

// Secrets returns the sealed secrets stored for a task (nil when cleared).
func (s *Store) Secrets(ctx context.Context, id string) ([]byte, error) {
	var b []byte
	err := s.db.QueryRowContext(ctx, s.q(`SELECT secrets FROM tasks WHERE id = ?`), id).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("task %s: %w", id, ErrNotFound)
	}
	return b, err
}

func (s *Store) forUpdate() string {
	if s.db.Dialect.IsPostgres() {
		return " FOR UPDATE"
	}
	return ""
}

// inTx runs fn in a transaction, retrying a few times when the database is busy.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		err = s.tryTx(ctx, fn)
		if !database.IsBusy(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt+1) * 20 * time.Millisecond):
		}
	}
	return err
}

func (s *Store) tryTx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

func nullBytes(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}

// Release gives a task back without finishing it (the worker is shutting down): its lease
// expires now, so the next [Store.RecoverExpired] handles it at once.
func (s *Store) Release(ctx context.Context, l Lease) error {
	past := s.now().Add(-time.Millisecond)
	_, err := s.db.ExecContext(ctx, s.q(`UPDATE tasks SET lease_expires_at = ? WHERE id = ? AND epoch = ? AND status = ?`),
		database.NewNullTime(past), l.TaskID, l.Epoch, StatusProcessing)
	if err != nil {
		return fmt.Errorf("release task %s: %w", l.TaskID, err)
	}
	return nil
}
