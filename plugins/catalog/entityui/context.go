package entityui

import (
	"net/url"

	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/web"
)

// MaxPerRelation bounds how many entities of one relation type the entity page summarises,
// so a group owning thousands of entities still gets a small page; cards link to the rest.
const MaxPerRelation = 50

// EntityContext is what entity tabs and cards render from: the entity, decoded both typed
// and as a generic map (for extension filters), and summaries of the entities it relates to.
// The catalog's entity page builds it; extensions only read it.
type EntityContext struct {
	Entity *model.Entity
	Raw    map[string]any
	Shell  *web.Shell

	links   Links
	related map[string]RelatedEntity // canonical ref → summary
}

// NewEntityContext returns the context of entity e (raw is the same entity as a generic map)
// rendered in shell, with related holding summaries of (some of) its relations' targets by
// canonical reference; targets not in related are shown as missing.
func NewEntityContext(e *model.Entity, raw map[string]any, shell *web.Shell, related map[string]RelatedEntity) *EntityContext {
	return &EntityContext{Entity: e, Raw: raw, Shell: shell, links: LinksFor(shell), related: related}
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

// Links returns the links to the catalog pages.
func (ec *EntityContext) Links() Links { return ec.links }

// EntityHref returns the entity page URL of a reference string.
func (ec *EntityContext) EntityHref(ref string) string { return ec.links.EntityString(ref) }

// IndexHref returns the catalog index URL with the given query.
func (ec *EntityContext) IndexHref(q url.Values) string { return ec.links.Index(q) }

// Spec returns the string at spec.key, or "".
func (ec *EntityContext) Spec(key string) string {
	s, _ := ec.Entity.Spec[key].(string)
	return s
}

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

// Related returns summaries of the first MaxPerRelation targets of relType and how many
// targets there are in all.
func (ec *EntityContext) Related(relType string) ([]RelatedEntity, int) {
	targets := ec.RelationTargets(relType)
	out := make([]RelatedEntity, 0, min(len(targets), MaxPerRelation))
	for _, t := range targets[:min(len(targets), MaxPerRelation)] {
		out = append(out, ec.Lookup(t))
	}
	return out, len(targets)
}

// Lookup returns the summary of a related entity by canonical reference; one the context
// has no summary of is marked Missing and titled by its reference.
func (ec *EntityContext) Lookup(ref string) RelatedEntity {
	if re, ok := ec.related[ref]; ok {
		return re
	}
	re := RelatedEntity{Ref: ref, Title: ref, Href: ec.links.EntityString(ref), Missing: true}
	if r, err := model.ParseEntityRef(ref, model.RefContext{}); err == nil {
		re.Kind, re.Title = r.Kind, HumanRef(r, r.Kind)
	}
	return re
}
