package scheduler

import (
	"context"
	"testing"
	"time"
)

func TestISODuration(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		{0, "PT0S"},
		{30 * time.Minute, "PT30M"},
		{90 * time.Second, "PT1M30S"},
		{48 * time.Hour, "PT48H"},
		{time.Hour + 2*time.Minute + 3*time.Second, "PT1H2M3S"},
		{1500 * time.Millisecond, "PT1.5S"},
		{-time.Minute, "-PT1M"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := isoDuration(tt.in); got != tt.want {
				t.Errorf("isoDuration(%v) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNextStart(t *testing.T) {
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		freq     Frequency
		due, end time.Time
		want     time.Time
	}{
		{name: "duration on time", freq: Frequency{Every: time.Hour}, due: base, end: base.Add(time.Minute), want: base.Add(time.Hour)},
		{name: "duration overran", freq: Frequency{Every: time.Hour}, due: base, end: base.Add(3 * time.Hour), want: base.Add(3 * time.Hour)},
		{name: "cron", freq: Frequency{Cron: "CRON_TZ=UTC 30 * * * *"}, due: base, end: base.Add(31 * time.Minute), want: base.Add(90 * time.Minute)},
		{name: "manual", freq: Frequency{Manual: true}, due: base, end: base, want: time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := TaskSpec{ID: "x", Frequency: tt.freq, Timeout: time.Second, Fn: func(context.Context) error { return nil }}
			sched, err := spec.validate()
			if err != nil {
				t.Fatal(err)
			}
			tk := &task{spec: spec, cron: sched}
			if got := tk.nextStart(tt.due, tt.end); !got.Equal(tt.want) {
				t.Errorf("nextStart(%v, %v) = %v, want %v", tt.due, tt.end, got, tt.want)
			}
		})
	}
}
