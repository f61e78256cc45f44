package framework

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
)

// Lifecycle lets a plugin hook into the backend's start and stop.
type Lifecycle interface {
	// AddStartupHook runs fn after every plugin and module has initialised, before readiness.
	AddStartupHook(fn func(ctx context.Context) error)
	// AddShutdownHook runs fn when the backend stops; plugin hooks run before root hooks, in
	// reverse order of registration. Errors are logged, not fatal.
	AddShutdownHook(fn func(ctx context.Context) error)
	// Go runs a long-running part (an engine, a worker loop) from start until shutdown. Its ctx is
	// cancelled when shutdown begins; it must return promptly then. A non-nil error other than
	// context.Canceled stops the whole backend, since a dead worker must not go unnoticed.
	Go(name string, fn func(ctx context.Context) error)
}

type hook struct {
	owner string // plugin ID, "" for root
	fn    func(ctx context.Context) error
}

type runner struct {
	owner, name string
	fn          func(ctx context.Context) error
}

// rootLifecycle collects hooks and runners from every plugin.
type rootLifecycle struct {
	logger *slog.Logger

	mu       sync.Mutex
	startup  []hook
	shutdown []hook
	runners  []runner
	started  bool
}

func newRootLifecycle(logger *slog.Logger) *rootLifecycle { return &rootLifecycle{logger: logger} }

// forOwner returns the Lifecycle view of one plugin ("" = root).
func (l *rootLifecycle) forOwner(owner string) Lifecycle {
	return &ownedLifecycle{root: l, owner: owner}
}

type ownedLifecycle struct {
	root  *rootLifecycle
	owner string
}

func (o *ownedLifecycle) AddStartupHook(fn func(ctx context.Context) error) {
	o.root.mu.Lock()
	defer o.root.mu.Unlock()
	o.root.startup = append(o.root.startup, hook{o.owner, fn})
}

func (o *ownedLifecycle) AddShutdownHook(fn func(ctx context.Context) error) {
	o.root.mu.Lock()
	defer o.root.mu.Unlock()
	o.root.shutdown = append(o.root.shutdown, hook{o.owner, fn})
}

func (o *ownedLifecycle) Go(name string, fn func(ctx context.Context) error) {
	o.root.mu.Lock()
	defer o.root.mu.Unlock()
	o.root.runners = append(o.root.runners, runner{o.owner, name, fn})
}

func (l *rootLifecycle) runStartup(ctx context.Context) error {
	l.mu.Lock()
	hooks := append([]hook(nil), l.startup...)
	l.started = true
	l.mu.Unlock()
	for _, h := range hooks {
		if err := h.fn(ctx); err != nil {
			return fmt.Errorf("%s: startup hook: %w", ownerName(h.owner), err)
		}
	}
	return nil
}

// runShutdown runs plugin hooks (newest first), then root hooks (newest first).
func (l *rootLifecycle) runShutdown(ctx context.Context) error {
	l.mu.Lock()
	hooks := append([]hook(nil), l.shutdown...)
	l.mu.Unlock()
	var errs []error
	for _, pluginPhase := range []bool{true, false} {
		for i := len(hooks) - 1; i >= 0; i-- {
			h := hooks[i]
			if (h.owner != "") != pluginPhase {
				continue
			}
			if err := h.fn(ctx); err != nil {
				l.logger.Error("shutdown hook failed", "owner", ownerName(h.owner), "err", err)
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

func (l *rootLifecycle) takeRunners() []runner {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.runners
	l.runners = nil
	return r
}

func ownerName(owner string) string {
	if owner == "" {
		return "root"
	}
	return "plugin " + owner
}
