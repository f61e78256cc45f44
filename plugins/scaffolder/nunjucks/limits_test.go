package nunjucks_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/portico-dev/portico/plugins/scaffolder/nunjucks"
)

// exponentialMacro makes 2^60 macro calls: it never ends without a budget.
const exponentialMacro = `{% macro f(n) %}{% if n > 0 %}${{ f(n-1) }}${{ f(n-1) }}{% endif %}{% endmacro %}${{ f(60) }}`

// TestRenderBudget runs templates that would burn CPU, memory or stack without limits: each
// must stop with an error wrapping ErrLimit (or a syntax error for what cannot even parse).
func TestRenderBudget(t *testing.T) {
	tests := []struct {
		name    string
		limits  nunjucks.Limits
		tpl     string
		wantErr string
		limit   bool // the error wraps ErrLimit
	}{
		{name: "exponential macro", tpl: exponentialMacro, limits: nunjucks.Limits{Operations: 100_000, Timeout: time.Hour}, wantErr: "exceeded 100000 operations", limit: true},
		{name: "exponential macro, default budget", tpl: exponentialMacro, wantErr: "exceeded", limit: true},
		{name: "timeout", tpl: exponentialMacro, limits: nunjucks.Limits{Operations: 1 << 62, Timeout: 20 * time.Millisecond}, wantErr: "took longer than 20ms", limit: true},
		{name: "output bytes", tpl: `{% for i in range(10000) %}0123456789{% endfor %}`, limits: nunjucks.Limits{OutputBytes: 1000}, wantErr: "output exceeds 1000 bytes", limit: true},
		{name: "doubling string", tpl: `{% set s = "ab" %}{% for i in range(40) %}{% set s = s ~ s %}{% endfor %}`, limits: nunjucks.Limits{OutputBytes: 1 << 20}, wantErr: "value exceeds", limit: true},
		{name: "long operator chain", tpl: "${{ 1" + strings.Repeat(" + 1", 20_000) + " }}", wantErr: "nested deeper than", limit: true},
		{name: "deep parentheses", tpl: "${{ " + strings.Repeat("(", 20_000) + "1" + strings.Repeat(")", 20_000) + " }}", wantErr: "nested deeper than 256"},
		{name: "deep not", tpl: "${{ " + strings.Repeat("not ", 40_000) + "1 }}", wantErr: "nested deeper than 256"},
		{name: "deep minus", tpl: "${{ " + strings.Repeat("-", 40_000) + "1 }}", wantErr: "nested deeper than 256"},
		{name: "deep if", tpl: strings.Repeat("{% if true %}", 100_000) + "x" + strings.Repeat("{% endif %}", 100_000), wantErr: "nested deeper than 256"},
		{name: "deep macro recursion", tpl: `{% macro f(n) %}${{ f(n+1) }}{% endmacro %}${{ f(0) }}`, wantErr: "nested deeper than 64"},
		{name: "huge tag of parentheses", tpl: "${{ " + strings.Repeat("(", 1_000_000) + "1" + strings.Repeat(")", 1_000_000) + " }}", wantErr: "more than 50000 tokens"},
		{name: "huge tag", tpl: "${{ [" + strings.Repeat("1,", 60_000) + "1] }}", wantErr: "more than 50000 tokens"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := nunjucks.New(nunjucks.Options{Limits: tc.limits})
			out, err := e.RenderString(t.Context(), tc.tpl, nil)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("got %d bytes and error %v, want an error containing %q", len(out), err, tc.wantErr)
			}
			if got := errors.Is(err, nunjucks.ErrLimit); got != tc.limit {
				t.Errorf("errors.Is(%v, ErrLimit) = %v, want %v", err, got, tc.limit)
			}
			// A step input whose render is stopped fails as a whole: the string is not
			// "kept as written" as for other render errors.
			if tc.limit {
				if v, err := e.RenderValue(t.Context(), map[string]any{"a": "ok", "b": tc.tpl}, nil); err == nil || !nunjucks.IsStopped(err) {
					t.Errorf("RenderValue: got %v, %v; want a stopped render", v, err)
				}
			}
			if e.Active() != 0 {
				t.Errorf("Active() = %d after the render returned", e.Active())
			}
		})
	}
}

// TestRenderObservesContext starts the exponential macro with a budget that would last for
// hours and cancels its context: the render must stop, with the context's cause.
func TestRenderObservesContext(t *testing.T) {
	e := nunjucks.New(nunjucks.Options{Limits: nunjucks.Limits{Operations: 1 << 62, Timeout: time.Hour}})
	cause := errors.New("client went away")
	ctx, cancel := context.WithCancelCause(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := e.RenderValue(ctx, map[string]any{"x": exponentialMacro}, nil)
		done <- err
	}()
	deadline := time.Now().Add(10 * time.Second)
	for e.Operations() < 100_000 {
		if time.Now().After(deadline) {
			t.Fatal("the render did not start")
		}
		time.Sleep(time.Millisecond)
	}
	cancel(cause)
	select {
	case err := <-done:
		if !errors.Is(err, cause) || !nunjucks.IsStopped(err) {
			t.Fatalf("got %v, want a stopped render wrapping %v", err, cause)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the render went on after its context was cancelled")
	}
}
