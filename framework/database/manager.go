package database

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/google/uuid"
)

// Manager opens and caches one [DB] per plugin. Pool defaults: SQLite 4
// connections per plugin (see the note on WAL in sqlite.go), PostgreSQL 10
// with idle connections closed after five minutes.
type Manager struct {
	opts   Options
	logger *slog.Logger
	// id names this manager's in-memory SQLite databases, so two managers in
	// one process never share one.
	id string

	mu     sync.Mutex
	closed bool
	dbs    map[string]*entry
}

// entry is one plugin's database, possibly still opening.
type entry struct {
	done chan struct{}
	db   *DB
	err  error
}

// NewManager checks opts and returns a Manager. Nothing is opened until
// [Manager.ForPlugin]. A nil logger discards.
func NewManager(opts Options, logger *slog.Logger) (*Manager, error) {
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("database options: %w", err)
	}
	for id, ov := range opts.PerPlugin {
		if err := validPluginID(id); err != nil {
			return nil, fmt.Errorf("database options for plugin: %w", err)
		}
		if len(ov.PerPlugin) > 0 {
			return nil, fmt.Errorf("database options for plugin %s: nested per-plugin options", id)
		}
		if err := ov.validate(); err != nil {
			return nil, fmt.Errorf("database options for plugin %s: %w", id, err)
		}
		if eff, _ := opts.forPlugin(id); eff.Memory && eff.Filename != "" {
			return nil, fmt.Errorf("database options for plugin %s: sqlite memory and filename are mutually exclusive", id)
		}
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Manager{
		opts:   opts,
		logger: logger,
		id:     uuid.NewString()[:8],
		dbs:    map[string]*entry{},
	}, nil
}

// ForPlugin returns the plugin's database, opening (and with EnsureExists
// creating) it on first use. Later calls return the same *DB. A failed open
// is not cached, so a later call tries again.
func (m *Manager) ForPlugin(ctx context.Context, pluginID string) (*DB, error) {
	if err := validPluginID(pluginID); err != nil {
		return nil, fmt.Errorf("database for plugin: %w", err)
	}
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return nil, ErrClosed
	}
	if e, ok := m.dbs[pluginID]; ok {
		m.mu.Unlock()
		select {
		case <-e.done:
			return e.db, e.err
		case <-ctx.Done():
			return nil, fmt.Errorf("database for plugin %s: %w", pluginID, ctx.Err())
		}
	}
	e := &entry{done: make(chan struct{})}
	m.dbs[pluginID] = e
	m.mu.Unlock()

	db, err := m.open(ctx, pluginID)

	m.mu.Lock()
	defer m.mu.Unlock()
	if err == nil && m.closed {
		_ = db.close()
		db, err = nil, ErrClosed
	}
	if err != nil {
		delete(m.dbs, pluginID)
	}
	e.db, e.err = db, err
	close(e.done)
	return db, err
}

func (m *Manager) open(ctx context.Context, pluginID string) (*DB, error) {
	o, perPluginConn := m.opts.forPlugin(pluginID)
	switch o.Client {
	case ClientPostgres:
		return m.openPostgres(ctx, pluginID, o, perPluginConn)
	default:
		return m.openSQLite(ctx, pluginID, o)
	}
}

// Close closes every plugin database the manager opened. In-memory SQLite
// databases are gone afterwards.
func (m *Manager) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil
	}
	m.closed = true
	var errs []error
	for id, e := range m.dbs {
		select {
		case <-e.done:
		default:
			continue // still opening: ForPlugin closes it when done
		}
		if e.db != nil {
			if err := e.db.close(); err != nil {
				errs = append(errs, fmt.Errorf("close database of plugin %s: %w", id, err))
			}
		}
	}
	m.dbs = nil
	return errors.Join(errs...)
}
