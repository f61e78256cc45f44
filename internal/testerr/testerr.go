// Package testerr checks the error of a table test's case.
package testerr

import (
	"strings"
	"testing"
)

// Check fails the test unless err is what the case wants: no error when want is "", else an
// error whose text contains want. It reports whether err was a wanted error, so the case has
// nothing more to check: `if testerr.Check(t, err, tt.wantErr) { return }`.
func Check(t testing.TB, err error, want string) bool {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return false
	}
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error = %v, want one containing %q", err, want)
	}
	return true
}
