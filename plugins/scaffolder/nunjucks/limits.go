package nunjucks

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"
)

// ErrLimit is wrapped by the errors of renders stopped because they spent their budget
// (operations, time, output size or nesting depth). A render stopped because its context
// ended wraps the context's cause instead.
var ErrLimit = errors.New("template limit exceeded")

// Limits bound one render (one RenderString, RenderValue or EvalCondition call), so a hostile
// template cannot keep a CPU busy or exhaust memory. Zero fields take the defaults.
type Limits struct {
	// Operations is how many evaluation steps a render may take: nodes rendered, expressions
	// evaluated, loop iterations, macro calls, and filter work (default 5,000,000, one or two
	// seconds of CPU).
	Operations int64
	// Timeout bounds a render's wall-clock time (default 10 s).
	Timeout time.Duration
	// OutputBytes bounds a render's output and any string value it builds (default 16 MiB).
	OutputBytes int
}

// Default limits.
const (
	DefaultOperations  = 5_000_000
	DefaultTimeout     = 10 * time.Second
	DefaultOutputBytes = maxOutput
)

func (l Limits) withDefaults() Limits {
	if l.Operations <= 0 {
		l.Operations = DefaultOperations
	}
	if l.Timeout <= 0 {
		l.Timeout = DefaultTimeout
	}
	if l.OutputBytes <= 0 || l.OutputBytes > maxOutput {
		l.OutputBytes = DefaultOutputBytes
	}
	return l
}

const (
	// maxNesting bounds the evaluator's recursion (nested expressions and blocks, counted at
	// run time) so no template can overflow the goroutine stack, which Go cannot recover from.
	maxNesting = 5000
	// maxParseNesting bounds the parser's recursion (parentheses, lists, nested tags).
	maxParseNesting = 256
	// checkEvery is how many operations pass between two looks at the context.
	checkEvery = 1024
)

func limitErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrLimit, fmt.Sprintf(format, args...))
}

// begin prepares a render: its context gets the render timeout, and the engine counts it as
// active until the returned function is called.
func (e *Engine) begin(ctx context.Context, vars map[string]any) (*state, func()) {
	ctx, cancel := context.WithTimeoutCause(ctx, e.limits.Timeout,
		limitErr("template rendering took longer than %s", e.limits.Timeout))
	st := e.newState(vars)
	st.rctx = ctx
	st.done = ctx.Done()
	e.stats.active.Add(1)
	return st, func() {
		cancel()
		e.stats.ops.Add(st.ops % checkEvery)
		e.stats.active.Add(-1)
	}
}

// tick charges n operations to the render and stops it when the budget is spent or its
// context is done. Once stopped, every later tick returns the same error.
func (s *state) tick(n int64) error {
	if s.stopped != nil {
		return s.stopped
	}
	before := s.ops
	s.ops += n
	if s.ops > s.e.limits.Operations {
		s.stopped = limitErr("template rendering exceeded %d operations", s.e.limits.Operations)
		return s.stopped
	}
	if s.ops/checkEvery != before/checkEvery {
		s.e.stats.ops.Add(s.ops/checkEvery*checkEvery - before/checkEvery*checkEvery)
		select {
		case <-s.done:
			s.stopped = s.ctxErr()
			return s.stopped
		default:
		}
	}
	return nil
}

func (s *state) ctxErr() error {
	cause := context.Cause(s.rctx)
	if errors.Is(cause, ErrLimit) {
		return cause
	}
	return &stopError{fmt.Errorf("template rendering stopped: %w", cause)}
}

// addOutput counts n more bytes of rendered output: the limit holds for a whole RenderValue,
// not for each of its strings.
func (s *state) addOutput(n int) error {
	s.output += n
	if s.output > s.e.limits.OutputBytes {
		s.stopped = limitErr("template output exceeds %d bytes", s.e.limits.OutputBytes)
		return s.stopped
	}
	return nil
}

// enter counts one level of evaluator recursion; leave undoes it.
func (s *state) enter() error {
	s.nesting++
	if s.nesting > maxNesting {
		s.stopped = limitErr("template nested deeper than %d levels", maxNesting)
		return s.stopped
	}
	return nil
}

func (s *state) leave() { s.nesting-- }

// stats are an engine's counters, shared by the engines WithFileOptions derives.
type stats struct {
	active atomic.Int64
	ops    atomic.Int64
}

// Active is the number of renders running now.
func (e *Engine) Active() int64 { return e.stats.active.Load() }

// Operations is the number of evaluation steps renders of this engine have taken (counted in
// batches while a render runs, exactly when it ends).
func (e *Engine) Operations() int64 { return e.stats.ops.Load() }

// IsStopped reports whether err ended a render for a reason that must not be papered over:
// a spent budget or an ended context.
func IsStopped(err error) bool {
	var se *stopError
	return errors.Is(err, ErrLimit) || errors.As(err, &se)
}

// stopError marks the error of a render stopped by its context (whatever the cause).
type stopError struct{ err error }

func (e *stopError) Error() string { return e.err.Error() }
func (e *stopError) Unwrap() error { return e.err }
