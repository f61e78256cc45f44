package ui

import (
	"net/url"
	"strings"

	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/web"
)

// links builds URLs to the catalog pages at their configured paths.
type links struct {
	index  string // "" when page:catalog is disabled
	entity string // entity path pattern; "" when page:catalog/entity is disabled
}

func linksFor(s *web.Shell) links {
	return links{index: s.PagePath(IndexPageID), entity: s.PagePath(EntityPageID)}
}

// Entity returns the entity page URL of ref, as Backstage builds it: kind and namespace
// lower-cased, the name as written. It returns "" when the entity page is disabled.
func (l links) Entity(ref model.EntityRef) string {
	if l.entity == "" {
		return ""
	}
	ns := ref.Namespace
	if ns == "" {
		ns = model.DefaultNamespace
	}
	r := strings.NewReplacer(
		"{namespace}", url.PathEscape(strings.ToLower(ns)),
		"{kind}", url.PathEscape(strings.ToLower(ref.Kind)),
		"{name}", url.PathEscape(ref.Name),
		// Backstage's route syntax, should an integrator write the path that way.
		":namespace", url.PathEscape(strings.ToLower(ns)),
		":kind", url.PathEscape(strings.ToLower(ref.Kind)),
		":name", url.PathEscape(ref.Name),
	)
	return r.Replace(l.entity)
}

// EntityString is Entity for a reference string; "" when it does not parse.
func (l links) EntityString(ref string) string {
	r, err := model.ParseEntityRef(ref, model.RefContext{})
	if err != nil {
		return ""
	}
	return l.Entity(r)
}

// Index returns the catalog index URL with the given query; "" when the index is disabled.
func (l links) Index(q url.Values) string {
	if l.index == "" {
		return ""
	}
	if len(q) == 0 {
		return l.index
	}
	return l.index + "?" + q.Encode()
}

// humanRef is Backstage's humanizeEntityRef: the kind and namespace are left out when they
// are the defaults of the context.
func humanRef(ref model.EntityRef, defaultKind string) string {
	s := ref.Name
	if ref.Namespace != "" && !strings.EqualFold(ref.Namespace, model.DefaultNamespace) {
		s = ref.Namespace + "/" + s
	}
	if defaultKind == "" || !strings.EqualFold(ref.Kind, defaultKind) {
		s = strings.ToLower(ref.Kind) + ":" + s
	}
	return s
}
