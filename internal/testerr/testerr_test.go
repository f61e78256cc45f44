package testerr

import (
	"errors"
	"testing"
)

// recorder is a testing.TB that notes a fatal failure instead of stopping the goroutine.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Fatalf(string, ...any) { r.failed = true }

func TestCheck(t *testing.T) {
	boom := errors.New("open: disk on fire")
	tests := []struct {
		name       string
		err        error
		want       string
		wantResult bool
		wantFail   bool
	}{
		{"no error wanted, none", nil, "", false, false},
		{"no error wanted, one", boom, "", false, true},
		{"error wanted, matching", boom, "disk on fire", true, false},
		{"error wanted, other text", boom, "full", true, true},
		{"error wanted, none", nil, "disk", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{TB: t}
			if got := Check(r, tt.err, tt.want); got != tt.wantResult || r.failed != tt.wantFail {
				t.Errorf("Check = %v, failed %v; want %v, failed %v", got, r.failed, tt.wantResult, tt.wantFail)
			}
		})
	}
}
