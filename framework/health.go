package framework

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/portico-dev/portico/framework/httpapi"
)

// Readiness checks: each probe runs the registered checks at most once per
// readinessCacheTTL (probes from several load balancers must not hammer a struggling
// database), and a check that does not answer within readinessCheckTimeout fails.
const (
	readinessCacheTTL     = 2 * time.Second
	readinessCheckTimeout = 2 * time.Second
)

// Health reports liveness and readiness at /.backstage/health/v1/*. Readiness is 200 once the
// backend has started, until shutdown begins, while every readiness check passes (the
// databases answer, their disk has room); otherwise 503 with Backstage's body
// {"status":"error","message":…}.
type Health struct {
	state   atomic.Int32 // 0 starting, 1 ready, 2 stopping
	headers map[string]string
	logger  *slog.Logger
	now     func() time.Time

	checksMu sync.Mutex // registration
	checks   []readinessCheck

	probeMu   sync.Mutex // one probe runs the checks at a time; the others reuse its result
	checkedAt time.Time
	lastErr   error
}

// readinessCheck is one dependency readiness needs.
type readinessCheck struct {
	name  string
	check func(context.Context) error
}

const (
	healthStarting int32 = iota
	healthReady
	healthStopping
)

func newHealth(headers map[string]string, logger *slog.Logger) *Health {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Health{headers: headers, logger: logger, now: time.Now}
}

// Ready reports whether the backend has started and is not shutting down.
func (h *Health) Ready() bool { return h.state.Load() == healthReady }

func (h *Health) setReady()    { h.state.Store(healthReady) }
func (h *Health) setStopping() { h.state.Store(healthStopping) }

// AddReadinessCheck makes readiness depend on check: while it fails the backend reports
// not-ready. The error's message is shown to unauthenticated callers, so it must name the
// problem without secrets (no connection strings). check gets a context bounded by
// readinessCheckTimeout.
func (h *Health) AddReadinessCheck(name string, check func(context.Context) error) {
	h.checksMu.Lock()
	defer h.checksMu.Unlock()
	h.checks = append(h.checks, readinessCheck{name: name, check: check})
}

// Check runs the readiness checks, or returns the result of a run younger than
// readinessCacheTTL.
func (h *Health) Check(ctx context.Context) error {
	h.probeMu.Lock()
	defer h.probeMu.Unlock()
	now := h.now()
	if !h.checkedAt.IsZero() && now.Sub(h.checkedAt) < readinessCacheTTL {
		return h.lastErr
	}
	h.checksMu.Lock()
	checks := append([]readinessCheck(nil), h.checks...)
	h.checksMu.Unlock()
	var msgs []string
	for _, c := range checks {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), readinessCheckTimeout)
		err := c.check(cctx)
		if err != nil && cctx.Err() != nil {
			err = errors.New(c.name + " did not answer within " + readinessCheckTimeout.String())
		}
		cancel()
		if err != nil {
			msgs = append(msgs, err.Error())
		}
	}
	var err error
	if len(msgs) > 0 {
		err = errors.New(strings.Join(msgs, "; "))
	}
	switch {
	case err != nil && h.lastErr == nil:
		h.logger.ErrorContext(ctx, "backend not ready", "err", err)
	case err == nil && h.lastErr != nil:
		h.logger.InfoContext(ctx, "backend ready again")
	}
	h.checkedAt, h.lastErr = h.now(), err
	return err
}

func (h *Health) write(w http.ResponseWriter, status int, body map[string]string) {
	for k, v := range h.headers {
		w.Header().Set(k, v)
	}
	w.Header().Set("Cache-Control", "no-store")
	_ = httpapi.WriteJSON(w, status, body)
}

func (h *Health) liveness(w http.ResponseWriter, _ *http.Request) {
	h.write(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (h *Health) readiness(w http.ResponseWriter, r *http.Request) {
	switch h.state.Load() {
	case healthReady:
		if err := h.Check(r.Context()); err != nil {
			h.write(w, http.StatusServiceUnavailable, map[string]string{"status": "error", "message": "Backend is not ready: " + err.Error()})
			return
		}
		h.write(w, http.StatusOK, map[string]string{"status": "ok"})
	case healthStopping:
		h.write(w, http.StatusServiceUnavailable, map[string]string{"status": "error", "message": "Backend is shutting down"})
	default:
		h.write(w, http.StatusServiceUnavailable, map[string]string{"status": "error", "message": "Backend has not started yet"})
	}
}
