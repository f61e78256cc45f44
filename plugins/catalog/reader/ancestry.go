package reader

import (
	"context"
	"encoding/json"
	"fmt"
)

// Ancestry is the processing lineage of an entity: the entity first, then
// the entities that emitted it, breadth first.
type Ancestry struct {
	RootEntityRef string         `json:"rootEntityRef"`
	Items         []AncestryItem `json:"items"`
}

// AncestryItem is one entity of an Ancestry and the refs of its parents.
type AncestryItem struct {
	Entity           json.RawMessage `json:"entity"`
	ParentEntityRefs []string        `json:"parentEntityRefs"`
}

// Ancestry walks refresh_state_references upwards from ref. It returns an
// error wrapping model.ErrNotFound when the entity does not exist.
func (r *Reader) Ancestry(ctx context.Context, ref string) (Ancestry, error) {
	root, err := canonicalRef(ref)
	if err != nil {
		return Ancestry{}, err
	}
	if _, err := r.ByRef(ctx, root); err != nil {
		return Ancestry{}, err
	}
	res := Ancestry{RootEntityRef: root}
	seen := map[string]bool{root: true}
	queue := []string{root}
	for len(queue) > 0 {
		current := queue[0]
		queue = queue[1:]
		entity, err := r.ByRef(ctx, current)
		if err != nil {
			// A parent that is gone (or not stitched yet) ends that branch.
			continue
		}
		parents, err := r.parents(ctx, current)
		if err != nil {
			return Ancestry{}, err
		}
		res.Items = append(res.Items, AncestryItem{Entity: entity, ParentEntityRefs: parents})
		for _, p := range parents {
			if !seen[p] {
				seen[p] = true
				queue = append(queue, p)
			}
		}
	}
	return res, nil
}

func (r *Reader) parents(ctx context.Context, ref string) ([]string, error) {
	rows, err := r.db.QueryContext(ctx, r.q(`SELECT DISTINCT source_entity_ref FROM refresh_state_references
		WHERE target_entity_ref = ? AND source_entity_ref IS NOT NULL ORDER BY source_entity_ref`), ref)
	if err != nil {
		return nil, fmt.Errorf("read parents of %s: %w", ref, err)
	}
	defer rows.Close()
	parents := []string{}
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, fmt.Errorf("scan parent: %w", err)
		}
		parents = append(parents, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read parents of %s: %w", ref, err)
	}
	return parents, nil
}
