package scheduler

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"io/fs"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/portico-dev/portico/framework/database"
)

// migrationNamespace keeps the scheduler's migration versions apart from the
// plugin's own in the same database.
const migrationNamespace = "scheduler"

//go:embed migrations
var migrationsFS embed.FS

// tasksTable is Backstage's table name, so operators find what they know.
const tasksTable = "backstage_backend_tasks__tasks"

// ticketIDLen is the length of a run ticket's random part (a UUID string).
const ticketIDLen = 36

// store holds the scheduler's SQL, rebound once for the database's dialect.
type store struct {
	db *database.DB

	upsert, claim, release, trigger, exists, reap, reclaim, states string
}

func newStore(db *database.DB) *store {
	d := db.Dialect
	return &store{
		db: db,
		// The existing next start is kept unless the new schedule's first
		// regular start is earlier; a NULL (manual, never triggered) start
		// takes the new one.
		upsert: d.Rebind(`INSERT INTO ` + tasksTable + ` (id, settings_json, next_run_start_at) VALUES (?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
	settings_json = excluded.settings_json,
	next_run_start_at = CASE
		WHEN ` + tasksTable + `.next_run_start_at IS NULL THEN excluded.next_run_start_at
		WHEN ? < ` + tasksTable + `.next_run_start_at THEN ?
		ELSE ` + tasksTable + `.next_run_start_at
	END`),
		claim: d.Rebind(`UPDATE ` + tasksTable + `
SET current_run_ticket = ?, current_run_started_at = ?, current_run_expires_at = ?
WHERE id = ? AND current_run_ticket IS NULL AND next_run_start_at IS NOT NULL AND next_run_start_at <= ?
RETURNING next_run_start_at`),
		release: d.Rebind(`UPDATE ` + tasksTable + `
SET current_run_ticket = NULL, current_run_started_at = NULL, current_run_expires_at = NULL,
	next_run_start_at = ?, last_run_ended_at = ?, last_run_error_json = ?
WHERE id = ? AND current_run_ticket = ?`),
		trigger: d.Rebind(`UPDATE ` + tasksTable + ` SET next_run_start_at = ? WHERE id = ? AND current_run_ticket IS NULL`),
		exists:  d.Rebind(`SELECT count(*) FROM ` + tasksTable + ` WHERE id = ?`),
		reap: `UPDATE ` + tasksTable + `
SET current_run_ticket = NULL, current_run_started_at = NULL, current_run_expires_at = NULL,
	last_run_ended_at = ?, last_run_error_json = ?
WHERE current_run_ticket IS NOT NULL AND current_run_expires_at < ?`,
		// A ticket is "<workerID>/<uuid>": its length and prefix name its worker exactly.
		reclaim: d.Rebind(`UPDATE ` + tasksTable + `
SET current_run_ticket = NULL, current_run_started_at = NULL, current_run_expires_at = NULL,
	last_run_ended_at = ?, last_run_error_json = ?
WHERE current_run_ticket IS NOT NULL AND length(current_run_ticket) = ? AND substr(current_run_ticket, 1, ?) = ?`),
		states: `SELECT id, next_run_start_at, current_run_ticket, current_run_started_at, current_run_expires_at,
	last_run_ended_at, last_run_error_json FROM ` + tasksTable,
	}
}

func (s *store) migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrationsFS, "migrations")
	if err != nil {
		return err
	}
	return s.db.MigrateNamespace(ctx, migrationNamespace, sub)
}

// register upserts the task's settings. startAt is the first start for a
// new row, regular the first regular start compared with an existing one.
func (s *store) register(ctx context.Context, id string, settings TaskSettings, startAt, regular database.NullTime) error {
	blob, err := json.Marshal(settings)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, s.upsert, id, string(blob), startAt, regular, regular)
	return err
}

// claimTask takes the task if it is due and free; it returns the start time
// the run was due at.
func (s *store) claimTask(ctx context.Context, id, ticket string, now, expires time.Time) (due time.Time, ok bool, err error) {
	var next database.NullTime
	err = s.db.QueryRowContext(ctx, s.claim, ticket, database.NewNullTime(now), database.NewNullTime(expires), id, database.NewNullTime(now)).Scan(&next)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, err
	}
	return next.Time, true, nil
}

// releaseTask ends our run; ok is false when the ticket was no longer ours.
func (s *store) releaseTask(ctx context.Context, id, ticket string, next database.NullTime, ended time.Time, errJSON sql.NullString) (ok bool, err error) {
	res, err := s.db.ExecContext(ctx, s.release, next, database.NewNullTime(ended), errJSON, id, ticket)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// triggerTask makes a free task due now; found and free report why not.
func (s *store) triggerTask(ctx context.Context, id string, now time.Time) (found, free bool, err error) {
	res, err := s.db.ExecContext(ctx, s.trigger, database.NewNullTime(now), id)
	if err != nil {
		return false, false, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return true, true, err
	}
	var count int
	if err := s.db.QueryRowContext(ctx, s.exists, id).Scan(&count); err != nil {
		return false, false, err
	}
	return count > 0, false, nil
}

// reapExpired clears tickets whose lease expired before now, except the
// tickets this process holds (it cancels and releases those itself).
func (s *store) reapExpired(ctx context.Context, now time.Time, own []string) (int64, error) {
	query := s.reap
	args := []any{database.NewNullTime(now), errorJSON("task lease expired before its worker released it"), database.NewNullTime(now)}
	if len(own) > 0 {
		query += " AND current_run_ticket NOT IN (" + strings.Repeat("?, ", len(own)-1) + "?)"
		for _, t := range own {
			args = append(args, t)
		}
	}
	res, err := s.db.ExecContext(ctx, s.db.Dialect.Rebind(query), args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// reclaimOwn clears the tickets held under workerID: at start, before this process
// claimed anything, they were left by a previous incarnation that died holding them.
func (s *store) reclaimOwn(ctx context.Context, now time.Time, workerID string) (int64, error) {
	prefix := workerID + "/"
	n := utf8.RuneCountInString(prefix)
	res, err := s.db.ExecContext(ctx, s.reclaim, database.NewNullTime(now),
		errorJSON("task run interrupted: its instance stopped before the run ended"), n+ticketIDLen, n, prefix)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// row is one task's stored state.
type row struct {
	next, started, expires, ended database.NullTime
	ticket, lastError             sql.NullString
}

// loadStates returns every stored task's state by id.
func (s *store) loadStates(ctx context.Context) (map[string]row, error) {
	rows, err := s.db.QueryContext(ctx, s.states)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	out := map[string]row{}
	for rows.Next() {
		var id string
		var r row
		if err := rows.Scan(&id, &r.next, &r.ticket, &r.started, &r.expires, &r.ended, &r.lastError); err != nil {
			return nil, err
		}
		out[id] = r
	}
	return out, rows.Err()
}

// errorJSON serialises a run error like Backstage does: {"name","message"}.
func errorJSON(msg string) sql.NullString {
	// Marshalling two strings cannot fail.
	blob, _ := json.Marshal(struct {
		Name    string `json:"name"`
		Message string `json:"message"`
	}{Name: "Error", Message: msg})
	return sql.NullString{String: string(blob), Valid: true}
}
