package engine

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"path/filepath"

	"github.com/portico-dev/portico/plugins/catalog/model"
)

// Provider names, as Backstage names them (they are the source_key of their buckets).
const (
	ConfigLocationProviderName     = "ConfigLocationProvider"
	RegisteredLocationProviderName = "DefaultLocationStore"
)

// LocationEntity returns the generated Location entity Backstage emits for a root location:
// named generated-<sha1(type:target)>, managed by (and originating from) that location.
func LocationEntity(typ, target string) *model.Entity {
	ref := model.LocationRef{Type: typ, Target: target}.String()
	sum := sha1.Sum([]byte(ref))
	e := &model.Entity{
		APIVersion: model.APIVersionV1alpha1,
		Kind:       model.KindLocation,
		Metadata: model.Metadata{
			Name:      "generated-" + hex.EncodeToString(sum[:]),
			Namespace: model.DefaultNamespace,
			Annotations: map[string]string{
				model.AnnotationManagedByLocation:       ref,
				model.AnnotationManagedByOriginLocation: ref,
			},
		},
		Spec: map[string]any{"type": typ, "target": target},
	}
	return e
}

func locationDeferred(typ, target string) DeferredEntity {
	return DeferredEntity{
		Entity:      LocationEntity(typ, target),
		LocationKey: model.LocationRef{Type: typ, Target: target}.String(),
	}
}

// configLocationProvider emits one generated Location per catalog.locations entry, as a full
// mutation on start.
type configLocationProvider struct {
	locations []ConfigLocation
}

func (p *configLocationProvider) Name() string { return ConfigLocationProviderName }

func (p *configLocationProvider) Connect(ctx context.Context, conn Connection) error {
	entities := make([]DeferredEntity, 0, len(p.locations))
	for _, l := range p.locations {
		entities = append(entities, locationDeferred(l.Type, l.Target))
	}
	if err := conn.ApplyMutation(ctx, FullMutation(entities...)); err != nil {
		return fmt.Errorf("config locations: %w", err)
	}
	return nil
}

// resolveConfigLocations makes file targets absolute, as Backstage resolves them against the
// backend's working directory.
func resolveConfigLocations(locs []ConfigLocation) ([]ConfigLocation, error) {
	out := make([]ConfigLocation, len(locs))
	for i, l := range locs {
		if l.Type == model.LocationTypeFile && !filepath.IsAbs(l.Target) {
			abs, err := filepath.Abs(l.Target)
			if err != nil {
				return nil, fmt.Errorf("resolve location %s: %w", l.Target, err)
			}
			l.Target = abs
		}
		out[i] = l
	}
	return out, nil
}

// registeredLocationProvider surfaces the locations table: a full mutation on start, deltas
// when locations are added or removed through the API.
type registeredLocationProvider struct {
	e *Engine
}

func (p *registeredLocationProvider) Name() string { return RegisteredLocationProviderName }

func (p *registeredLocationProvider) Connect(ctx context.Context, conn Connection) error {
	locs, err := p.e.listLocations(ctx)
	if err != nil {
		return err
	}
	entities := make([]DeferredEntity, 0, len(locs))
	for _, l := range locs {
		entities = append(entities, locationDeferred(l.Type, l.Target))
	}
	if err := conn.ApplyMutation(ctx, FullMutation(entities...)); err != nil {
		return fmt.Errorf("registered locations: %w", err)
	}
	return nil
}
