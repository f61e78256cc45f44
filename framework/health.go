package framework

import (
	"encoding/json"
	"net/http"
	"sync/atomic"
)

// Health reports liveness and readiness at /.backstage/health/v1/*.
type Health struct {
	state   atomic.Int32 // 0 starting, 1 ready, 2 stopping
	headers map[string]string
}

const (
	healthStarting int32 = iota
	healthReady
	healthStopping
)

func newHealth(headers map[string]string) *Health { return &Health{headers: headers} }

// Ready reports whether the backend has started and is not shutting down.
func (h *Health) Ready() bool { return h.state.Load() == healthReady }

func (h *Health) setReady()    { h.state.Store(healthReady) }
func (h *Health) setStopping() { h.state.Store(healthStopping) }

func (h *Health) write(w http.ResponseWriter, status int, body map[string]string) {
	for k, v := range h.headers {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func (h *Health) liveness(w http.ResponseWriter, _ *http.Request) {
	h.write(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (h *Health) readiness(w http.ResponseWriter, _ *http.Request) {
	switch h.state.Load() {
	case healthReady:
		h.write(w, http.StatusOK, map[string]string{"status": "ok"})
	case healthStopping:
		h.write(w, http.StatusServiceUnavailable, map[string]string{"status": "error", "message": "Backend is shutting down"})
	default:
		h.write(w, http.StatusServiceUnavailable, map[string]string{"status": "error", "message": "Backend has not started yet"})
	}
}
