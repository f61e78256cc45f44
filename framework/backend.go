package framework

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"golang.org/x/sync/errgroup"

	"github.com/portico-dev/portico/config"
)

// Options are what a backend is built from; everything else comes from config and services.
type Options struct {
	Config *config.Config
	Logger *slog.Logger
	// Listener, when set, is used instead of listening on backend.listen (tests pass one on
	// port 0).
	Listener net.Listener
	// Version is reported in logs and metrics.
	Version string
}

// Backend is one Portico process: a service container, the installed plugins and modules, and
// the HTTP server.
type Backend struct {
	opts      Options
	container *container
	plugins   []Plugin
	modules   []Module
	ids       map[string]bool

	lifecycle *rootLifecycle
	health    *Health
	routers   *routers
	rootMux   *rootRouter
	registry  *prometheus.Registry
	ready     chan struct{}

	mu       sync.Mutex
	server   *http.Server
	addr     net.Addr
	stopOnce sync.Once
}

// New creates a backend with the core service factories installed.
func New(opts Options) *Backend {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Config == nil {
		opts.Config = config.FromMap(map[string]any{}, "defaults")
	}
	b := &Backend{
		opts:      opts,
		container: newContainer(),
		ids:       map[string]bool{},
		lifecycle: newRootLifecycle(opts.Logger),
		routers:   &routers{},
		health:    newHealth(nil, opts.Logger),
		rootMux:   newRootRouter(),
		registry:  prometheus.NewRegistry(),
		ready:     make(chan struct{}),
	}
	for _, f := range b.coreFactories() {
		b.container.add(f)
	}
	return b
}

// Add installs plugins, modules and service factories. It must be called before Start.
func (b *Backend) Add(features ...Feature) {
	for _, f := range features {
		switch f := f.(type) {
		case Plugin:
			b.plugins = append(b.plugins, f)
		case Module:
			b.modules = append(b.modules, f)
		case ServiceFactory:
			b.container.add(f)
		}
	}
}

// Plugins returns the installed plugins, in the order they were added.
func (b *Backend) Plugins() []Plugin { return append([]Plugin(nil), b.plugins...) }

// Modules returns the installed modules.
func (b *Backend) Modules() []Module { return append([]Module(nil), b.modules...) }

// Routes lists every route plugins registered, for introspection.
func (b *Backend) Routes() []Route { return b.routers.routes() }

// Addr is the address the server listens on, once Start has returned.
func (b *Backend) Addr() net.Addr {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.addr
}

// Run starts the backend, serves until ctx is done or a part fails, then shuts down gracefully.
func (b *Backend) Run(ctx context.Context) error {
	runCtx, cancelRunners := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelRunners()
	g, gctx := errgroup.WithContext(runCtx)
	serveErr := make(chan error, 1)
	if err := b.start(ctx, g, gctx, serveErr); err != nil {
		cancelRunners()
		_ = b.shutdown(context.WithoutCancel(ctx), cancelRunners, g)
		return err
	}
	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-serveErr:
	case <-gctx.Done():
	}
	b.opts.Logger.Info("shutting down")
	err := b.shutdown(context.WithoutCancel(ctx), cancelRunners, g)
	return errors.Join(runErr, err)
}

func (b *Backend) validateFeatures() error {
	for _, p := range b.plugins {
		if !ValidID(p.ID) {
			return fmt.Errorf("plugin ID %q is invalid: use lower-case letters, digits and dashes", p.ID)
		}
		if b.ids[p.ID] {
			return fmt.Errorf("plugin %q is installed twice", p.ID)
		}
		b.ids[p.ID] = true
	}
	seen := map[string]bool{}
	for _, m := range b.modules {
		key := m.PluginID + "/" + m.ModuleID
		if !ValidID(m.ModuleID) {
			return fmt.Errorf("module ID %q is invalid", key)
		}
		if seen[key] {
			return fmt.Errorf("module %q is installed twice", key)
		}
		seen[key] = true
		if !b.ids[m.PluginID] {
			return fmt.Errorf("module %q extends plugin %q, which is not installed", key, m.PluginID)
		}
	}
	return nil
}

// start creates root services, listens, initialises every plugin and module, runs startup
// hooks, launches runners and flips readiness.
func (b *Backend) start(ctx context.Context, g *errgroup.Group, gctx context.Context, serveErr chan<- error) error {
	log := b.opts.Logger
	if err := b.validateFeatures(); err != nil {
		return err
	}
	b.warnUnusedConfig()
	rootDeps := &Deps{c: b.container}
	srvOpts, err := Use(ctx, rootDeps, serverOptionsService)
	if err != nil {
		return err
	}
	b.health.headers = srvOpts.HealthHeaders // before the server starts reading it
	if err := registerProcessMetrics(b.registry, b.opts.Version); err != nil {
		return err
	}
	if err := b.listenAndServe(srvOpts, serveErr); err != nil {
		return err
	}
	// Root services are created eagerly so their errors surface before any plugin runs.
	for _, id := range b.rootServiceIDs() {
		if _, err := b.container.resolve(ctx, rootDeps, id, ScopeRoot); err != nil {
			return err
		}
	}
	if err := b.attachWebAuth(ctx); err != nil {
		return err
	}
	for _, p := range b.plugins {
		t0 := time.Now()
		if err := b.initPlugin(ctx, p); err != nil {
			return err
		}
		if err := b.attachAuth(ctx, p.ID); err != nil {
			return err
		}
		log.Debug("plugin initialised", "plugin", p.ID, "duration", time.Since(t0))
	}
	if err := b.lifecycle.runStartup(ctx); err != nil {
		return err
	}
	for _, r := range b.lifecycle.takeRunners() {
		g.Go(func() error {
			err := r.fn(gctx)
			if err != nil && !errors.Is(err, context.Canceled) {
				return fmt.Errorf("%s: %s stopped: %w", ownerName(r.owner), r.name, err)
			}
			return nil
		})
	}
	b.health.setReady()
	close(b.ready)
	log.Info("portico is ready", "url", "http://"+b.Addr().String(), "plugins", len(b.plugins), "modules", len(b.modules))
	return nil
}

func (b *Backend) rootServiceIDs() []string {
	var ids []string
	for id, f := range b.container.factories {
		if f.scope == ScopeRoot {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

func (b *Backend) initPlugin(ctx context.Context, p Plugin) error {
	ext := &extensionScope{points: map[string]any{}}
	reg := &PluginRegistrar{pluginID: p.ID, ext: ext}
	if p.Register != nil {
		p.Register(reg)
	}
	if reg.err != nil {
		return reg.err
	}
	for _, m := range b.modules {
		if m.PluginID != p.ID {
			continue
		}
		mreg := &ModuleRegistrar{}
		if m.Register != nil {
			m.Register(mreg)
		}
		deps := &Deps{c: b.container, pluginID: p.ID, ext: ext}
		for _, fn := range mreg.inits {
			if err := fn(ctx, deps); err != nil {
				return fmt.Errorf("module %s/%s: init: %w", m.PluginID, m.ModuleID, err)
			}
		}
	}
	ext.closed = true
	deps := &Deps{c: b.container, pluginID: p.ID}
	for _, fn := range reg.inits {
		if err := fn(ctx, deps); err != nil {
			return fmt.Errorf("plugin %s: init: %w", p.ID, err)
		}
	}
	return nil
}

func (b *Backend) listenAndServe(o ServerOptions, serveErr chan<- error) error {
	ln := b.opts.Listener
	if ln == nil {
		addr := net.JoinHostPort(o.Host, fmt.Sprint(o.Port))
		var err error
		ln, err = net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("listen on %s (backend.listen): %w", addr, err)
		}
	}
	root := &rootHandler{
		opts:    o,
		logger:  b.opts.Logger,
		health:  b.health,
		routers: b.routers,
		ready:   b.ready,
		index:   b.rootMux,
		gather:  b.registry,
		csp:     buildCSP(o.CSP),
		cors:    newCORSPolicy(o.CORS),

		failureLog: newLogThrottle(failureLogWindow, nil),
	}
	m, err := newHTTPMetrics(b.registry)
	if err != nil {
		return err
	}
	root.metrics = m
	srv := &http.Server{
		Handler:           root.handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(b.opts.Logger.Handler(), slog.LevelWarn),
	}
	b.mu.Lock()
	b.server, b.addr = srv, ln.Addr()
	b.mu.Unlock()
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			serveErr <- fmt.Errorf("http server: %w", err)
		}
	}()
	return nil
}

// shutdown: readiness off, optional drain delay, stop HTTP (in-flight requests finish), stop
// runners, then plugin and root shutdown hooks (which close stores last).
func (b *Backend) shutdown(ctx context.Context, cancelRunners context.CancelFunc, g *errgroup.Group) error {
	var errs []error
	b.stopOnce.Do(func() {
		b.health.setStopping()
		srvOpts, _ := Use(ctx, &Deps{c: b.container}, serverOptionsService)
		if srvOpts.ServerShutdownDelay > 0 {
			time.Sleep(srvOpts.ServerShutdownDelay)
		}
		timeout := srvOpts.ShutdownTimeout
		if timeout == 0 {
			timeout = 30 * time.Second
		}
		sctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		b.mu.Lock()
		srv := b.server
		b.mu.Unlock()
		if srv != nil {
			if err := srv.Shutdown(sctx); err != nil {
				errs = append(errs, fmt.Errorf("http server shutdown: %w", err))
				_ = srv.Close()
			}
		}
		cancelRunners()
		if err := g.Wait(); err != nil {
			errs = append(errs, err)
		}
		if err := b.lifecycle.runShutdown(sctx); err != nil {
			b.opts.Logger.Warn("some shutdown hooks failed", "err", err)
		}
	})
	return errors.Join(errs...)
}

// registerProcessMetrics adds Go runtime and process collectors to the backend's registry.
func registerProcessMetrics(reg *prometheus.Registry, version string) error {
	build := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "portico_build_info", Help: "Portico build information."}, []string{"version"})
	build.WithLabelValues(version).Set(1)
	for _, c := range []prometheus.Collector{collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), build} {
		if err := reg.Register(c); err != nil {
			return fmt.Errorf("register metrics: %w", err)
		}
	}
	return nil
}
