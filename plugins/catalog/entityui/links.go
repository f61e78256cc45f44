package entityui

import (
	"net/url"
	"strings"

	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/web"
)

// Links builds URLs to the catalog pages at their configured paths. The zero value links
// nowhere (every method returns "").
type Links struct {
	index  string // "" when page:catalog is disabled
	entity string // entity path pattern; "" when page:catalog/entity is disabled
}

// LinksFor returns the links of the catalog pages mounted in s.
func LinksFor(s *web.Shell) Links {
	return Links{index: s.PagePath(IndexPageID), entity: s.PagePath(EntityPageID)}
}

// Entity returns the entity page URL of ref, as Backstage builds it: kind and namespace
// lower-cased, the name as written. It returns "" when the entity page is disabled.
func (l Links) Entity(ref model.EntityRef) string {
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
func (l Links) EntityString(ref string) string {
	r, err := model.ParseEntityRef(ref, model.RefContext{})
	if err != nil {
		return ""
	}
	return l.Entity(r)
}

// Index returns the catalog index URL with the given query; "" when the index is disabled.
func (l Links) Index(q url.Values) string {
	if l.index == "" {
		return ""
	}
	if len(q) == 0 {
		return l.index
	}
	return l.index + "?" + q.Encode()
}

// HumanRef is Backstage's humanizeEntityRef: the kind and namespace are left out when they
// are the defaults of the context (defaultKind "" always shows the kind).
func HumanRef(ref model.EntityRef, defaultKind string) string {
	s := ref.Name
	if ref.Namespace != "" && !strings.EqualFold(ref.Namespace, model.DefaultNamespace) {
		s = ref.Namespace + "/" + s
	}
	if defaultKind == "" || !strings.EqualFold(ref.Kind, defaultKind) {
		s = strings.ToLower(ref.Kind) + ":" + s
	}
	return s
}

// HumanizeRef is HumanRef for a reference string; text that does not parse is returned as is.
func HumanizeRef(ref, defaultKind string) string {
	r, err := model.ParseEntityRef(ref, model.RefContext{})
	if err != nil {
		return ref
	}
	return HumanRef(r, defaultKind)
}
