package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/portico-dev/portico/plugins/catalog/model"
)

// applyMutation changes a provider's bucket.
func (e *Engine) applyMutation(ctx context.Context, provider string, m Mutation) error {
	var added []childOut
	var removedRefs []string
	toChild := func(d DeferredEntity) (childOut, bool) {
		if d.Entity == nil {
			return childOut{}, false
		}
		_, okL := d.Entity.Annotation(model.AnnotationManagedByLocation)
		_, okO := d.Entity.Annotation(model.AnnotationManagedByOriginLocation)
		if !okL || !okO {
			e.log.Warn("entity provider emitted an entity without location annotations; rejected",
				"provider", provider, "entity", d.Entity.Ref().String())
			return childOut{}, false
		}
		ent := d.Entity.Clone()
		model.SetDefaults(ent)
		data, err := json.Marshal(ent)
		if err != nil {
			e.log.Warn("entity provider emitted an entity that cannot be encoded", "provider", provider, "err", err)
			return childOut{}, false
		}
		return childOut{Ref: ent.Ref().String(), JSON: data, Hash: sha1Hex(data), LocationKey: d.LocationKey}, true
	}
	entities := m.Added
	if m.Full {
		entities = m.Entities
	}
	for _, d := range entities {
		if c, ok := toChild(d); ok {
			added = append(added, c)
		}
	}
	for _, d := range m.Removed {
		removedRefs = append(removedRefs, d.ref())
	}
	return e.st.ApplyMutation(ctx, provider, m.Full, added, removedRefs)
}

// orphanRescan is how often deleteOrphans scans the catalog although no reference was removed
// since its last scan (a removal racing with a scan, or made by another replica).
const orphanRescan = 10 * time.Minute

// referencesRemoved notes that an entity may have lost its last reference: the next
// deleteOrphans scans for orphans.
func (e *Engine) referencesRemoved() { e.orphans.dirty.Store(true) }

// deleteOrphans deletes entities no provider or parent references (orphanStrategy delete).
// It scans the catalog only when a reference was removed since its last scan (or every
// orphanRescan): a scan probes every entity (docs/performance.md, "Orphan scans").
func (e *Engine) deleteOrphans(ctx context.Context) (int, error) {
	now := e.opts.Clock()
	last := time.Unix(0, e.orphans.lastScan.Load())
	if !e.orphans.dirty.Swap(false) && now.Sub(last) < orphanRescan {
		return 0, nil
	}
	e.orphans.lastScan.Store(now.UnixNano())
	total := 0
	for {
		n, err := e.st.DeleteOrphans(ctx)
		if err != nil {
			e.referencesRemoved() // scan again next time
			return total, fmt.Errorf("delete orphans: %w", err)
		}
		total += n
		if n == 0 {
			return total, nil
		}
	}
}

// removeUnknownProviderBuckets evicts the entities of providers that are no longer
// registered (Backstage's orphanProviderStrategy: delete).
func (e *Engine) removeUnknownProviderBuckets(ctx context.Context) error {
	known := map[string]bool{}
	for _, p := range e.providers {
		known[p.Name()] = true
	}
	return e.st.RemoveProviderBuckets(ctx, slices.Sorted(maps.Keys(known)))
}
