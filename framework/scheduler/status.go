package scheduler

import (
	"context"
	"fmt"
	"time"
)

// TaskStatus describes one task the way Backstage's
// GET /.backstage/scheduler/v1/tasks does (the response is {"tasks": [...]}).
type TaskStatus struct {
	TaskID   string       `json:"taskId"`
	PluginID string       `json:"pluginId"`
	Scope    string       `json:"scope"`
	Settings TaskSettings `json:"settings"`
	// TaskState is the cluster-wide state (from the database for global
	// tasks); nil when unknown.
	TaskState *TaskState `json:"taskState"`
	// WorkerState is this replica's view.
	WorkerState *WorkerState `json:"workerState"`
}

// TaskState is a task's run state.
type TaskState struct {
	// Status is "running" or "idle".
	Status string `json:"status"`
	// StartsAt is the next start of an idle task (zero: none scheduled).
	StartsAt time.Time `json:"startsAt,omitzero"`
	// StartedAt and TimesOutAt describe the current run of a running task.
	StartedAt      time.Time `json:"startedAt,omitzero"`
	TimesOutAt     time.Time `json:"timesOutAt,omitzero"`
	LastRunEndedAt time.Time `json:"lastRunEndedAt,omitzero"`
	// LastRunError is the serialised error of the last run, if it failed:
	// JSON {"name","message"}.
	LastRunError string `json:"lastRunError,omitempty"`
}

// WorkerState is "initial-wait", "idle" or "running".
type WorkerState struct {
	Status string `json:"status"`
}

// Task and worker statuses.
const (
	StatusIdle        = "idle"
	StatusRunning     = "running"
	StatusInitialWait = "initial-wait"
)

// Tasks lists the tasks scheduled in this Scheduler, in registration order.
func (s *Scheduler) Tasks(ctx context.Context) ([]TaskStatus, error) {
	states, err := s.store.loadStates(ctx)
	if err != nil {
		return nil, fmt.Errorf("list tasks: %w", err)
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]TaskStatus, 0, len(s.order))
	for _, id := range s.order {
		t := s.tasks[id]
		st := TaskStatus{
			TaskID:   id,
			PluginID: s.pluginID,
			Scope:    t.spec.Scope,
			Settings: t.settings,
		}
		switch {
		case now.Before(t.notBefore):
			st.WorkerState = &WorkerState{Status: StatusInitialWait}
		case t.run != nil:
			st.WorkerState = &WorkerState{Status: StatusRunning}
		default:
			st.WorkerState = &WorkerState{Status: StatusIdle}
		}
		if t.spec.Scope == ScopeLocal {
			ts := &TaskState{Status: StatusIdle, StartsAt: t.next, LastRunEndedAt: t.lastEnded}
			if t.lastError != "" {
				ts.LastRunError = errorJSON(t.lastError).String
			}
			if t.run != nil {
				ts.Status, ts.StartsAt = StatusRunning, time.Time{}
				ts.StartedAt, ts.TimesOutAt = t.run.started, t.run.deadline
			}
			st.TaskState = ts
		} else if row, ok := states[id]; ok {
			ts := &TaskState{Status: StatusIdle, LastRunEndedAt: row.ended.Time, LastRunError: row.lastError.String}
			if row.started.Valid {
				ts.Status = StatusRunning
				ts.StartedAt, ts.TimesOutAt = row.started.Time, row.expires.Time
			} else {
				ts.StartsAt = row.next.Time
			}
			st.TaskState = ts
		}
		out = append(out, st)
	}
	return out, nil
}
