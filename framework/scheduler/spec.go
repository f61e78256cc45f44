package scheduler

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Task scopes.
const (
	// ScopeGlobal runs a task on one replica at a time (the default).
	ScopeGlobal = "global"
	// ScopeLocal runs a task on every replica, coordinated by nothing.
	ScopeLocal = "local"
)

// Frequency says when a task runs; set exactly one field.
type Frequency struct {
	// Every runs the task at a fixed cadence.
	Every time.Duration
	// Cron is a cron expression: standard five fields, or six with leading
	// seconds, or a descriptor such as @hourly. It is read in the process's
	// local time zone unless prefixed with CRON_TZ=<zone>.
	Cron string
	// Manual runs the task only when triggered.
	Manual bool
}

// TaskSpec describes a task to [Scheduler.Schedule].
type TaskSpec struct {
	// ID is unique within the plugin.
	ID        string
	Frequency Frequency
	// Timeout bounds one run; the run's context is cancelled when it passes.
	// Required.
	Timeout time.Duration
	// InitialDelay postpones the first run after registration.
	InitialDelay time.Duration
	// Scope is ScopeGlobal ("" means global) or ScopeLocal.
	Scope string
	// Fn does the work. It must return soon after ctx is done; an error or
	// a panic is recorded as the run's error.
	Fn func(ctx context.Context) error
}

// TaskSettings is the stored form of a task's schedule (Backstage's
// settings_json, version 2), with ISO 8601 durations.
type TaskSettings struct {
	Version int `json:"version"`
	// Cadence is an ISO duration (PT30M), a cron expression or "manual".
	Cadence              string `json:"cadence"`
	TimeoutAfterDuration string `json:"timeoutAfterDuration"`
	InitialDelayDuration string `json:"initialDelayDuration,omitempty"`
}

// cronParser accepts five fields, six with leading seconds, and descriptors.
func cronParser() cron.Parser {
	return cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
}

// validate checks spec, fills defaults and returns the parsed cron schedule
// (nil unless Frequency.Cron is set).
func (spec *TaskSpec) validate() (cron.Schedule, error) {
	if strings.TrimSpace(spec.ID) == "" {
		return nil, fmt.Errorf("task id is empty")
	}
	if spec.Fn == nil {
		return nil, fmt.Errorf("task %s: no function", spec.ID)
	}
	switch spec.Scope {
	case "":
		spec.Scope = ScopeGlobal
	case ScopeGlobal, ScopeLocal:
	default:
		return nil, fmt.Errorf("task %s: scope %q, want %q or %q", spec.ID, spec.Scope, ScopeGlobal, ScopeLocal)
	}
	if spec.Timeout <= 0 {
		return nil, fmt.Errorf("task %s: timeout must be positive", spec.ID)
	}
	if spec.InitialDelay < 0 {
		return nil, fmt.Errorf("task %s: initial delay must not be negative", spec.ID)
	}
	f := spec.Frequency
	set := 0
	for _, on := range []bool{f.Every != 0, f.Cron != "", f.Manual} {
		if on {
			set++
		}
	}
	if set != 1 {
		return nil, fmt.Errorf("task %s: frequency needs exactly one of every, cron or manual", spec.ID)
	}
	if f.Every < 0 {
		return nil, fmt.Errorf("task %s: frequency must be positive", spec.ID)
	}
	if f.Cron == "" {
		return nil, nil
	}
	sched, err := cronParser().Parse(f.Cron)
	if err != nil {
		return nil, fmt.Errorf("task %s: cron %q: %w", spec.ID, f.Cron, err)
	}
	return sched, nil
}

// settings returns the stored form of spec's schedule.
func (spec *TaskSpec) settings() TaskSettings {
	s := TaskSettings{Version: 2, TimeoutAfterDuration: isoDuration(spec.Timeout)}
	switch {
	case spec.Frequency.Manual:
		s.Cadence = "manual"
	case spec.Frequency.Cron != "":
		s.Cadence = spec.Frequency.Cron
	default:
		s.Cadence = isoDuration(spec.Frequency.Every)
	}
	if spec.InitialDelay > 0 {
		s.InitialDelayDuration = isoDuration(spec.InitialDelay)
	}
	return s
}

// isoDuration formats d as an ISO 8601 duration: PT1H30M, PT0.5S, PT0S.
func isoDuration(d time.Duration) string {
	if d == 0 {
		return "PT0S"
	}
	var b strings.Builder
	b.WriteString("PT")
	if d < 0 {
		b.Reset()
		b.WriteString("-PT")
		d = -d
	}
	if h := d / time.Hour; h > 0 {
		b.WriteString(strconv.FormatInt(int64(h), 10) + "H")
		d -= h * time.Hour
	}
	if m := d / time.Minute; m > 0 {
		b.WriteString(strconv.FormatInt(int64(m), 10) + "M")
		d -= m * time.Minute
	}
	if d > 0 {
		b.WriteString(strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "S")
	}
	return b.String()
}
