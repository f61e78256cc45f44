package ui

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/url"

	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/web"
)

// maxPerRelation bounds how many entities of one relation type a card lists, so a group
// owning thousands of entities still gets a small page; cards link to the full list.
const maxPerRelation = 50

// relatedFields are the fields of related entities the cards show.
func relatedFields() []string {
	return []string{"kind", "metadata.name", "metadata.namespace", "metadata.title", "metadata.description",
		"spec.type", "spec.lifecycle", "spec.owner", "spec.profile.displayName", "spec.profile.email"}
}

// EntityContext is what entity tabs and cards render from: the entity, decoded both typed
// and as a generic map (for extension filters), and summaries of the entities it relates to.
type EntityContext struct {
	Entity *model.Entity
	Raw    map[string]any
	Shell  *web.Shell

	links   links
	related map[string]RelatedEntity // canonical ref → summary
}

// RelatedEntity summarises an entity at the other end of a relation.
type RelatedEntity struct {
	Ref         string // canonical reference
	Kind        string
	Title       string // title, display name or name
	Href        string // entity page; "" when the page is disabled
	Type        string
	Lifecycle   string
	Owner       string
	Description string
	Email       string
	Missing     bool // the relation points at an entity the catalog does not have
}

// Execute renders one of the shell's templates, for cards and tabs.
func (ec *EntityContext) Execute(name string, data any) (template.HTML, error) {
	return ec.Shell.Execute(name, data)
}

// EntityHref returns the entity page URL of a reference string.
func (ec *EntityContext) EntityHref(ref string) string { return ec.links.EntityString(ref) }

// IndexHref returns the catalog index URL with the given query.
func (ec *EntityContext) IndexHref(q url.Values) string { return ec.links.Index(q) }

// RelationTargets returns the target refs of the entity's relations of one type, in order.
func (ec *EntityContext) RelationTargets(relType string) []string {
	var out []string
	for _, r := range ec.Entity.Relations {
		if r.Type == relType {
			out = append(out, r.TargetRef)
		}
	}
	return out
}

// Related returns summaries of the first maxPerRelation targets of relType and how many
// targets there are in all.
func (ec *EntityContext) Related(relType string) ([]RelatedEntity, int) {
	targets := ec.RelationTargets(relType)
	out := make([]RelatedEntity, 0, min(len(targets), maxPerRelation))
	for _, t := range targets[:min(len(targets), maxPerRelation)] {
		out = append(out, ec.relatedEntity(t))
	}
	return out, len(targets)
}

func (ec *EntityContext) relatedEntity(ref string) RelatedEntity {
	if re, ok := ec.related[ref]; ok {
		return re
	}
	re := RelatedEntity{Ref: ref, Title: ref, Href: ec.links.EntityString(ref), Missing: true}
	if r, err := model.ParseEntityRef(ref, model.RefContext{}); err == nil {
		re.Kind, re.Title = r.Kind, humanRef(r, r.Kind)
	}
	return re
}

// relationLinks links to the targets of relType, labelled relative to defaultKind.
func (ec *EntityContext) relationLinks(relType, defaultKind string) []linkView {
	var out []linkView
	for _, t := range ec.RelationTargets(relType) {
		out = append(out, refLink(t, defaultKind, ec.links))
	}
	return out
}

// fetchRelated reads the summaries of the first maxPerRelation targets of every relation
// type in one query.
func (ec *EntityContext) fetchRelated(ctx context.Context, r Reader) error {
	perType := map[string]int{}
	seen := map[string]bool{}
	var refs []string
	for _, rel := range ec.Entity.Relations {
		if perType[rel.Type] >= maxPerRelation || seen[rel.TargetRef] {
			continue
		}
		perType[rel.Type]++
		seen[rel.TargetRef] = true
		refs = append(refs, rel.TargetRef)
	}
	ec.related = make(map[string]RelatedEntity, len(refs))
	if len(refs) == 0 {
		return nil
	}
	items, err := r.ByRefs(ctx, refs, nil, relatedFields())
	if err != nil {
		return fmt.Errorf("read related entities: %w", err)
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
			return fmt.Errorf("decode related entity %s: %w", refs[i], err)
		}
		ref := model.EntityRef{Kind: e.Kind, Namespace: cmp.Or(e.Metadata.Namespace, model.DefaultNamespace), Name: e.Metadata.Name}
		str := func(v any) string { s, _ := v.(string); return s }
		ec.related[refs[i]] = RelatedEntity{
			Ref:         refs[i],
			Kind:        e.Kind,
			Title:       cmp.Or(e.Metadata.Title, e.Spec.Profile.DisplayName, e.Metadata.Name),
			Href:        ec.links.Entity(ref),
			Type:        str(e.Spec.Type),
			Lifecycle:   str(e.Spec.Lifecycle),
			Owner:       str(e.Spec.Owner),
			Description: truncate(e.Metadata.Description, maxDescription),
			Email:       e.Spec.Profile.Email,
		}
	}
	return nil
}
