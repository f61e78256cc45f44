package framework

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/portico-dev/portico/framework/apierr"
	"github.com/portico-dev/portico/framework/database"
)

// ServerOptions configures the root HTTP server (backend.* keys).
type ServerOptions struct {
	Host    string // backend.listen.host; default 127.0.0.1
	Port    int    // backend.listen.port; default 7007 (0 = any free port)
	BaseURL string // backend.baseUrl
	CORS    CORSOptions
	// CSP holds directive overrides: a nil slice deletes the default directive.
	CSP                        map[string][]string
	HealthHeaders              map[string]string
	StartupRequestPauseTimeout time.Duration // default 5s
	ServerShutdownDelay        time.Duration
	ShutdownTimeout            time.Duration // default 30s: longest graceful drain before closing
	// TrustProxy honours X-Forwarded-For/-Proto for access logs.
	TrustProxy bool
}

func (o ServerOptions) withDefaults() ServerOptions {
	if o.Host == "" {
		o.Host = "127.0.0.1"
	}
	if o.StartupRequestPauseTimeout == 0 {
		o.StartupRequestPauseTimeout = 5 * time.Second
	}
	if o.ShutdownTimeout == 0 {
		o.ShutdownTimeout = 30 * time.Second
	}
	return o
}

// rootHandler is the backend's whole HTTP surface.
type rootHandler struct {
	opts    ServerOptions
	logger  *slog.Logger
	health  *Health
	routers *routers
	ready   <-chan struct{}
	index   http.Handler
	metrics *httpMetrics
	gather  prometheus.Gatherer
	csp     string
	cors    *corsPolicy
	// failureLog throttles the log lines of failed requests.
	failureLog *logThrottle
}

func (h *rootHandler) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.backstage/health/v1/liveness", h.health.liveness)
	mux.HandleFunc("GET /.backstage/health/v1/readiness", h.health.readiness)
	mux.HandleFunc("GET /healthcheck", h.health.readiness) // older Backstage alias
	mux.Handle("GET /metrics", promhttp.HandlerFor(h.gather, promhttp.HandlerOpts{}))
	mux.HandleFunc("/api/", h.serveAPI)
	if h.index != nil {
		mux.Handle("/", h.index)
	} else {
		mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			apierr.WriteStatus(w, r, http.StatusNotFound, "NotFoundError", "Not found: "+r.URL.Path)
		})
	}
	var next http.Handler = newCompressor().middleware(mux)
	next = h.cors.middleware(next)
	next = h.securityHeaders(next)
	next = h.observe(next)
	return h.recoverPanics(next)
}

// serveAPI dispatches /api/<pluginId>/… to the plugin's router, pausing requests that arrive
// while plugins are still starting.
func (h *rootHandler) serveAPI(w http.ResponseWriter, r *http.Request) {
	id, rest, ok := splitAPIPath(r.URL.Path)
	if !ok {
		apierr.WriteStatus(w, r, http.StatusNotFound, "NotFoundError", "Not found: "+r.URL.Path)
		return
	}
	if !h.waitReady(r.Context()) {
		apierr.WriteStatus(w, r, http.StatusServiceUnavailable, "ServiceUnavailableError",
			fmt.Sprintf("Plugin '%s' is not yet started", id))
		return
	}
	pr := h.routers.get(id)
	if pr == nil {
		apierr.WriteStatus(w, r, http.StatusNotFound, "NotFoundError", fmt.Sprintf("No plugin '%s' is installed", id))
		return
	}
	r2 := r.Clone(r.Context())
	r2.URL.Path = rest
	r2.URL.RawPath = ""
	if r.URL.RawPath != "" {
		_, rawRest, _ := splitAPIPath(r.URL.RawPath)
		r2.URL.RawPath = rawRest
	}
	pr.ServeHTTP(w, r2)
}

func (h *rootHandler) waitReady(ctx context.Context) bool {
	select {
	case <-h.ready:
		return true
	default:
	}
	t := time.NewTimer(h.opts.StartupRequestPauseTimeout)
	defer t.Stop()
	select {
	case <-h.ready:
		return true
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	}
}

func (h *rootHandler) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				h.logger.ErrorContext(r.Context(), "handler panicked", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				apierr.WriteStatus(w, r, http.StatusInternalServerError, "Error", "Internal Server Error")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

type requestIDKey struct{}

// RequestID returns the ID of the request being served ("" outside one).
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// observe assigns a request ID, records the original URL, writes the access log and the
// request metrics.
func (h *rootHandler) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 128 || strings.ContainsAny(id, "\r\n") {
			id = uuid.NewString()
		}
		w.Header().Set("X-Request-Id", id)
		ctx := context.WithValue(r.Context(), requestIDKey{}, id)
		ctx = apierr.WithOriginalURL(ctx, r.URL.RequestURI())
		ctx, failure := apierr.WithFailure(ctx)
		rw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rw, r.WithContext(ctx))
		elapsed := time.Since(start)

		plugin := "-"
		if id, _, ok := splitAPIPath(r.URL.Path); ok && h.routers.get(id) != nil {
			plugin = id
		}
		h.metrics.observe(plugin, r.Method, rw.status, elapsed)

		level, msg := slog.LevelInfo, "request"
		if strings.HasPrefix(r.URL.Path, "/.backstage/health/") || r.URL.Path == "/metrics" {
			level = slog.LevelDebug
		}
		attrs := []slog.Attr{
			slog.String("method", r.Method),
			slog.String("url", r.URL.RequestURI()),
			slog.Int("status", rw.status),
			slog.Int64("bytes", rw.bytes),
			slog.Duration("duration", elapsed),
			slog.String("remote", h.remoteAddr(r)),
			slog.String("request_id", id),
		}
		if err := failure.Err(); err != nil {
			// One line per failed request, and during an outage one per kind and window.
			kind := failureKind(plugin, err)
			ok, suppressed := h.failureLog.allow(kind)
			if !ok {
				return
			}
			level, msg = slog.LevelError, "request failed"
			attrs = append(attrs, slog.String("err", err.Error()))
			if suppressed > 0 {
				attrs = append(attrs, slog.Int("suppressed", suppressed),
					slog.String("suppressed_note", "similar failed requests not logged in the last "+h.failureLog.window.String()))
			}
		}
		h.logger.LogAttrs(ctx, level, msg, attrs...)
	})
}

// failureKind groups failed requests for the log throttle: a database outage is one kind per
// plugin whatever the statement, other internal errors one kind per plugin and message.
func failureKind(plugin string, err error) string {
	if database.IsUnavailable(err) {
		return "database-unavailable/" + plugin
	}
	text := err.Error()
	if len(text) > 200 {
		text = text[:200]
	}
	return "internal/" + plugin + "/" + text
}

func (h *rootHandler) remoteAddr(r *http.Request) string {
	if h.opts.TrustProxy {
		if fwd := r.Header.Get("X-Forwarded-For"); fwd != "" {
			first, _, _ := strings.Cut(fwd, ",")
			return strings.TrimSpace(first)
		}
	}
	return r.RemoteAddr
}

// statusWriter records the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status      int
	bytes       int64
	wroteHeader bool
}

func (s *statusWriter) WriteHeader(code int) {
	if !s.wroteHeader {
		s.status, s.wroteHeader = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	s.wroteHeader = true
	n, err := s.ResponseWriter.Write(b)
	s.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach Flush and deadlines (SSE streams need them).
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// httpMetrics are the server's Prometheus metrics.
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newHTTPMetrics(reg prometheus.Registerer) (*httpMetrics, error) {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "portico_http_requests_total", Help: "HTTP requests served, by plugin, method and status code.",
		}, []string{"plugin", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "portico_http_request_duration_seconds", Help: "HTTP request latency, by plugin.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"plugin"}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.duration} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register http metrics: %w", err)
		}
	}
	return m, nil
}

func (m *httpMetrics) observe(plugin, method string, status int, d time.Duration) {
	m.requests.WithLabelValues(plugin, method, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(plugin).Observe(d.Seconds())
}
