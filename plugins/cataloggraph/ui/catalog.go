package ui

import (
	"context"
	"fmt"
	"strings"

	"github.com/portico-dev/portico/plugins/catalog/client"
	"github.com/portico-dev/portico/plugins/cataloggraph/graph"
)

// entityFields are the fields the graph reads of each entity.
func entityFields() []string {
	return []string{"kind", "metadata.name", "metadata.namespace", "metadata.title", "spec.type", "relations"}
}

// ClientFetcher reads entities for the graph through the catalog's public client, one
// POST /entities/by-refs per graph level.
func ClientFetcher(c *client.Client) graph.Fetcher {
	return graph.FetcherFunc(func(ctx context.Context, refs []string) ([]*graph.Entity, error) {
		ents, err := c.GetEntitiesByRefs(ctx, refs, entityFields())
		if err != nil {
			return nil, err
		}
		out := make([]*graph.Entity, len(ents))
		for i, e := range ents {
			if e == nil {
				continue
			}
			rels := make([]graph.Relation, 0, len(e.Relations))
			for _, r := range e.Relations {
				rels = append(rels, graph.Relation{Type: r.Type, TargetRef: r.TargetRef})
			}
			out[i] = newEntity(e.Kind, e.Metadata.Namespace, e.Metadata.Name, e.Metadata.Title, e.Spec, rels)
		}
		return out, nil
	})
}

// newEntity assembles a graph entity from the catalog entity's parts.
func newEntity(kind, namespace, name, title string, spec map[string]any, rels []graph.Relation) *graph.Entity {
	if namespace == "" {
		namespace = "default"
	}
	typ, _ := spec["type"].(string)
	return &graph.Entity{
		Ref:  strings.ToLower(kind + ":" + namespace + "/" + name),
		Kind: kind, Namespace: namespace, Name: name, Title: title, Type: typ, Relations: rels,
	}
}

// seeded answers for one entity the caller already has (the entity page's) and asks f for
// the rest, saving the card a catalog call.
func seeded(f graph.Fetcher, known *graph.Entity) graph.Fetcher {
	return graph.FetcherFunc(func(ctx context.Context, refs []string) ([]*graph.Entity, error) {
		out := make([]*graph.Entity, len(refs))
		var ask []string
		var at []int
		for i, r := range refs {
			if r == known.Ref {
				e := *known
				out[i] = &e
				continue
			}
			ask = append(ask, r)
			at = append(at, i)
		}
		if len(ask) == 0 {
			return out, nil
		}
		if f == nil {
			return nil, fmt.Errorf("no catalog to read %d entities from", len(ask))
		}
		got, err := f.Entities(ctx, ask)
		if err != nil {
			return nil, err
		}
		if len(got) != len(ask) {
			return nil, fmt.Errorf("asked for %d entities, got %d", len(ask), len(got))
		}
		for j, e := range got {
			out[at[j]] = e
		}
		return out, nil
	})
}
