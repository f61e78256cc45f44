package engine

import (
	"context"
	"sync"

	"github.com/portico-dev/portico/plugins/catalog/model"
)

// EntityProvider seeds entities into the catalog. Each provider owns a bucket of entities
// named by its Name; it pushes full or delta mutations through the connection whenever it
// likes (on a schedule, on events). Connect is called once when the engine starts and must
// not block: long-running providers start their own goroutines bound to ctx.
type EntityProvider interface {
	Name() string
	Connect(ctx context.Context, conn Connection) error
}

// Connection is what a provider uses to change its bucket.
type Connection interface {
	// ApplyMutation replaces (Full) or changes (delta) the provider's bucket.
	ApplyMutation(ctx context.Context, m Mutation) error
	// Refresh schedules every entity that registered one of keys for processing now.
	Refresh(ctx context.Context, keys []string) error
}

// Mutation changes a provider's bucket. With Full set the bucket becomes exactly Entities;
// otherwise Added are upserted and Removed are removed (with eager pruning of what only they
// produced).
type Mutation struct {
	Full     bool
	Entities []DeferredEntity
	Added    []DeferredEntity
	Removed  []DeferredEntity
}

// FullMutation returns a full mutation of entities.
func FullMutation(entities ...DeferredEntity) Mutation {
	return Mutation{Full: true, Entities: entities}
}

// DeltaMutation returns a delta mutation.
func DeltaMutation(added, removed []DeferredEntity) Mutation {
	return Mutation{Added: added, Removed: removed}
}

// DeferredEntity is an entity waiting to be processed, with the key that decides who may
// write its ref (see the location key rule). For removals EntityRef may be given instead of
// Entity.
type DeferredEntity struct {
	Entity      *model.Entity
	LocationKey string
	EntityRef   string
}

// ref returns the canonical ref of the deferred entity.
func (d DeferredEntity) ref() string {
	if d.Entity != nil {
		return d.Entity.Ref().String()
	}
	if r, err := model.NormalizeEntityRef(d.EntityRef); err == nil {
		return r
	}
	return d.EntityRef
}

// Registry collects the providers and processors modules contribute through the catalog's
// extension point. It is a value owned by the catalog plugin (no globals) and safe for
// concurrent use; pass its contents to Options.
type Registry struct {
	mu         sync.Mutex
	providers  []EntityProvider
	processors []Processor
	kinds      []model.Kind
}

// AddEntityProvider registers providers.
func (r *Registry) AddEntityProvider(p ...EntityProvider) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.providers = append(r.providers, p...)
}

// AddProcessor registers processors; they run after the built-ins, in registration order.
func (r *Registry) AddProcessor(p ...Processor) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.processors = append(r.processors, p...)
}

// AddKind registers entity kinds that validation accepts.
func (r *Registry) AddKind(k ...model.Kind) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.kinds = append(r.kinds, k...)
}

// Apply copies the registered extensions into opts.
func (r *Registry) Apply(opts *Options) {
	r.mu.Lock()
	defer r.mu.Unlock()
	opts.Providers = append(opts.Providers, r.providers...)
	opts.Processors = append(opts.Processors, r.processors...)
	opts.Kinds = append(opts.Kinds, r.kinds...)
}

// connection binds a provider name to the engine's store.
type connection struct {
	e    *Engine
	name string
}

func (c connection) ApplyMutation(ctx context.Context, m Mutation) error {
	return c.e.applyMutation(ctx, c.name, m)
}

func (c connection) Refresh(ctx context.Context, keys []string) error {
	return c.e.refreshKeys(ctx, keys)
}
