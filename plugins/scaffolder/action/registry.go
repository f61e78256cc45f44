package action

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// ErrDuplicate is returned by Registry.Add for an ID that is already registered.
var ErrDuplicate = errors.New("action already registered")

// Registry holds the actions a scaffolder can run, by ID. It is safe for concurrent use.
type Registry struct {
	mu      sync.RWMutex
	actions map[string]Action
}

// NewRegistry returns a registry holding actions; it fails on a duplicate ID.
func NewRegistry(actions ...Action) (*Registry, error) {
	r := &Registry{actions: map[string]Action{}}
	for _, a := range actions {
		if err := r.Add(a); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Add registers a; an empty ID or one already taken is refused.
func (r *Registry) Add(a Action) error {
	id := a.ID()
	if strings.TrimSpace(id) == "" {
		return errors.New("register action: empty id")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.actions == nil {
		r.actions = map[string]Action{}
	}
	if _, ok := r.actions[id]; ok {
		return fmt.Errorf("register action %q: %w", id, ErrDuplicate)
	}
	r.actions[id] = a
	return nil
}

// Get returns the action registered under id.
func (r *Registry) Get(id string) (Action, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	a, ok := r.actions[id]
	return a, ok
}

// List returns every action, sorted by ID.
func (r *Registry) List() []Action {
	r.mu.RLock()
	out := make([]Action, 0, len(r.actions))
	for _, a := range r.actions {
		out = append(out, a)
	}
	r.mu.RUnlock()
	slices.SortFunc(out, func(a, b Action) int { return strings.Compare(a.ID(), b.ID()) })
	return out
}
