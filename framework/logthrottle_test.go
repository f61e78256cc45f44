package framework

import (
	"fmt"
	"testing"
	"time"

	"github.com/portico-dev/portico/internal/fakeclock"
)

func TestLogThrottle(t *testing.T) {
	type step struct {
		advance        time.Duration
		kind           string
		wantOK         bool
		wantSuppressed int
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"first line of a kind passes", []step{{0, "a", true, 0}}},
		{"repeats inside the window are held back and counted on the next line", []step{
			{0, "a", true, 0}, {time.Second, "a", false, 0}, {time.Second, "a", false, 0},
			{8 * time.Second, "a", true, 2}, {time.Second, "a", false, 0},
		}},
		{"kinds are throttled apart", []step{{0, "a", true, 0}, {0, "b", true, 0}, {0, "a", false, 0}, {0, "b", false, 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := fakeclock.New(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
			l := newLogThrottle(10*time.Second, clk.Now)
			for i, s := range tt.steps {
				clk.Advance(s.advance)
				ok, n := l.allow(s.kind)
				if ok != s.wantOK || n != s.wantSuppressed {
					t.Errorf("step %d (%+v): allow = %v, %d; want %v, %d", i, s, ok, n, s.wantOK, s.wantSuppressed)
				}
			}
		})
	}
	t.Run("the number of kinds is bounded", func(t *testing.T) {
		clk := fakeclock.New(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		l := newLogThrottle(10*time.Second, clk.Now)
		for i := range 10 * failureLogKinds {
			l.allow(fmt.Sprint("kind-", i))
		}
		if len(l.kinds) > failureLogKinds {
			t.Errorf("%d kinds remembered, want at most %d", len(l.kinds), failureLogKinds)
		}
	})
}
