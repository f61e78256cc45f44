package ui

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"

	"github.com/portico-dev/portico/plugins/catalog/entityui"
	"github.com/portico-dev/portico/plugins/catalog/model"
)

// maxPerRelation bounds how many entities of one relation type a card lists.
const maxPerRelation = entityui.MaxPerRelation

// relatedFields are the fields of related entities the cards show.
func relatedFields() []string {
	return []string{"kind", "metadata.name", "metadata.namespace", "metadata.title", "metadata.description",
		"spec.type", "spec.lifecycle", "spec.owner", "spec.profile.displayName", "spec.profile.email"}
}

// relationLinks links to the targets of relType, labelled relative to defaultKind.
func relationLinks(ec *entityui.EntityContext, relType, defaultKind string) []linkView {
	var out []linkView
	for _, t := range ec.RelationTargets(relType) {
		out = append(out, refLink(t, defaultKind, ec.Links()))
	}
	return out
}

// fetchRelated reads the summaries of the first maxPerRelation targets of every relation
// type of e in one query.
func fetchRelated(ctx context.Context, r Reader, e *model.Entity, l links) (map[string]entityui.RelatedEntity, error) {
	perType := map[string]int{}
	seen := map[string]bool{}
	var refs []string
	for _, rel := range e.Relations {
		if perType[rel.Type] >= maxPerRelation || seen[rel.TargetRef] {
			continue
		}
		perType[rel.Type]++
		seen[rel.TargetRef] = true
		refs = append(refs, rel.TargetRef)
	}
	related := make(map[string]entityui.RelatedEntity, len(refs))
	if len(refs) == 0 {
		return related, nil
	}
	items, err := r.ByRefs(ctx, refs, nil, relatedFields())
	if err != nil {
		return nil, fmt.Errorf("read related entities: %w", err)
	}
	for i, raw := range items {
		if raw == nil {
			continue
		}
		var e struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Name, Namespace, Title, Description string
			} `json:"metadata"`
			Spec struct {
				Type, Lifecycle, Owner any
				Profile                struct{ DisplayName, Email string } `json:"profile"`
			} `json:"spec"`
		}
		if err := json.Unmarshal(raw, &e); err != nil {
			return nil, fmt.Errorf("decode related entity %s: %w", refs[i], err)
		}
		ref := model.EntityRef{Kind: e.Kind, Namespace: cmp.Or(e.Metadata.Namespace, model.DefaultNamespace), Name: e.Metadata.Name}
		str := func(v any) string { s, _ := v.(string); return s }
		related[refs[i]] = entityui.RelatedEntity{
			Ref:         refs[i],
			Kind:        e.Kind,
			Title:       cmp.Or(e.Metadata.Title, e.Spec.Profile.DisplayName, e.Metadata.Name),
			Href:        l.Entity(ref),
			Type:        str(e.Spec.Type),
			Lifecycle:   str(e.Spec.Lifecycle),
			Owner:       str(e.Spec.Owner),
			Description: truncate(e.Metadata.Description, maxDescription),
			Email:       e.Spec.Profile.Email,
		}
	}
	return related, nil
}
