package ui

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/plugins/catalog/query"
)

// Page sizes of the catalog index.
const (
	defaultPageSize = 20
	maxPageSize     = 100
)

// keyField is a field of the index's URL and the search key it stands for: a filter besides
// kind and text (facetDef: filters[name], as Backstage's catalog writes it) or a sortable
// column of the table (sortColumn: sort=name).
type keyField struct {
	Name, Label, Key string
}

// facetDef is one filter of the index besides kind and text.
type facetDef = keyField

// sortColumn is a sortable column of the table.
type sortColumn = keyField

// indexFacets are the index's pickers, in display order.
func indexFacets() []facetDef {
	return []facetDef{
		{Name: "type", Label: "Type", Key: "spec.type"},
		{Name: "owners", Label: "Owner", Key: "relations.ownedby"},
		{Name: "lifecycles", Label: "Lifecycle", Key: "spec.lifecycle"},
		{Name: "tags", Label: "Tag", Key: "metadata.tags"},
		{Name: "namespace", Label: "Namespace", Key: "metadata.namespace"},
	}
}

func sortColumns() []sortColumn {
	return []sortColumn{
		{Name: "name", Label: "Name", Key: "metadata.name"},
		{Name: "system", Label: "System", Key: "spec.system"},
		{Name: "owner", Label: "Owner", Key: "spec.owner"},
		{Name: "type", Label: "Type", Key: "spec.type"},
		{Name: "lifecycle", Label: "Lifecycle", Key: "spec.lifecycle"},
	}
}

// indexParams is the state of the index, all of it in the URL so a view can be shared.
type indexParams struct {
	Kind    string              // lower-case kind; "" means every kind
	Values  map[string][]string // facet name → selected values
	Text    string
	Sort    string // a sortColumn name, "" for the catalog's natural order
	Desc    bool
	Cursor  string
	Limit   int
	User    string // filters[user]: "owned", "starred" or "" (all), as Backstage's user picker
	kindSet bool   // the URL named a kind (possibly "all")
}

// parseIndexParams reads Backstage's filters[…] parameters (also filters[x][0]= and
// filters[x][]=, as qs writes arrays), q (what the header search sends) and the index's own
// sort, dir, cursor and limit. Without a kind the index shows components, like Backstage,
// unless a text search came in, which then looks through every kind.
func parseIndexParams(q url.Values) indexParams {
	p := indexParams{Values: map[string][]string{}, Limit: defaultPageSize}
	known := map[string]bool{}
	for _, f := range indexFacets() {
		known[f.Name] = true
	}
	var filterText string
	for key, vals := range q {
		name, ok := filterName(key)
		if !ok {
			continue
		}
		for _, v := range vals {
			v = strings.TrimSpace(v)
			if v == "" {
				continue
			}
			switch {
			case name == "kind":
				p.kindSet = true
				if p.Kind == "" {
					p.Kind = strings.ToLower(v)
				}
			case name == "text":
				filterText = v
			case name == "user":
				if v == "owned" || v == "starred" {
					p.User = v
				}
			case name == "owners":
				p.Values[name] = appendUnique(p.Values[name], ownerRef(v))
			case known[name]:
				p.Values[name] = appendUnique(p.Values[name], v)
			}
		}
	}
	p.Text = strings.TrimSpace(q.Get("q"))
	if p.Text == "" {
		p.Text = filterText
	}
	if p.Kind == "all" {
		p.Kind = ""
	}
	if !p.kindSet && p.Text == "" {
		p.Kind = defaultIndexParams().Kind
	}
	for _, c := range sortColumns() {
		if c.Name == q.Get("sort") {
			p.Sort = c.Name
		}
	}
	p.Desc = p.Sort != "" && q.Get("dir") == "desc"
	p.Cursor = q.Get("cursor")
	if n, err := strconv.Atoi(q.Get("limit")); err == nil && n > 0 {
		p.Limit = min(n, maxPageSize)
	}
	return p
}

// filterName returns x for filters[x], filters[x][0] and filters[x][].
func filterName(key string) (string, bool) {
	rest, ok := strings.CutPrefix(key, "filters[")
	if !ok {
		return "", false
	}
	name, _, ok := strings.Cut(rest, "]")
	return name, ok && name != ""
}

func appendUnique(list []string, v string) []string {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}

// ownerRef completes an owner as Backstage's owner picker does: a bare name is a group in the
// default namespace; the result is the canonical lower-case reference.
func ownerRef(v string) string {
	r, err := model.ParseEntityRef(v, model.RefContext{DefaultKind: "group"})
	if err != nil {
		return strings.ToLower(v)
	}
	return r.String()
}

// kindFilter is the kind part of the query.
func (p indexParams) kindFilter() *query.Expr {
	if p.Kind == "" {
		return nil
	}
	e := query.In("kind", p.Kind)
	return &e
}

// filter is the whole filter: kind, the user filter (owned or starred, resolved by the
// page) and every facet, ANDed; values of one facet are ORed.
func (p indexParams) filter(user *query.Expr) *query.Expr {
	parts := []*query.Expr{p.kindFilter(), user}
	for _, f := range indexFacets() {
		if vals := p.Values[f.Name]; len(vals) > 0 {
			e := query.In(f.Key, vals...)
			parts = append(parts, &e)
		}
	}
	return query.And(parts...)
}

func (p indexParams) fullText() *query.FullText {
	if p.Text == "" {
		return nil
	}
	return &query.FullText{Term: p.Text}
}

func (p indexParams) order() []query.OrderField {
	for _, c := range sortColumns() {
		if c.Name == p.Sort {
			return []query.OrderField{{Field: c.Key, Desc: p.Desc}}
		}
	}
	return nil
}

// values encodes the state back into a URL query, without the cursor.
func (p indexParams) values() url.Values {
	v := url.Values{}
	switch {
	case p.Kind != "":
		v.Set("filters[kind]", p.Kind)
	case p.kindSet || p.Text == "":
		v.Set("filters[kind]", "all")
	}
	for _, f := range indexFacets() {
		for _, val := range p.Values[f.Name] {
			v.Add("filters["+f.Name+"]", val)
		}
	}
	if p.User != "" {
		v.Set("filters[user]", p.User)
	}
	if p.Text != "" {
		v.Set("q", p.Text)
	}
	if p.Sort != "" {
		v.Set("sort", p.Sort)
		if p.Desc {
			v.Set("dir", "desc")
		}
	}
	if p.Limit != defaultPageSize {
		v.Set("limit", strconv.Itoa(p.Limit))
	}
	return v
}

// without returns a copy of p with one facet value removed.
func (p indexParams) without(name, value string) indexParams {
	c := p
	c.Values = map[string][]string{}
	for k, vals := range p.Values {
		for _, x := range vals {
			if k != name || x != value {
				c.Values[k] = append(c.Values[k], x)
			}
		}
	}
	return c
}

// ownedFilter matches entities owned by any of the user's ownership refs.
func ownedFilter(ownership []string) query.Expr {
	if len(ownership) == 0 {
		return query.Any()
	}
	return query.In("relations.ownedby", ownership...)
}

// refsFilter matches the entities with the given refs; malformed refs match nothing.
func refsFilter(refs []string) query.Expr {
	var any []query.Expr
	for _, s := range refs {
		r, err := model.ParseEntityRef(s, model.RefContext{})
		if err != nil {
			continue
		}
		any = append(any, query.All(query.In("kind", r.Kind), query.In("metadata.namespace", r.Namespace), query.In("metadata.name", r.Name)))
	}
	return query.Any(any...)
}

// defaultIndexParams are the parameters of /catalog without a query: components.
func defaultIndexParams() indexParams {
	return indexParams{Kind: strings.ToLower(model.KindComponent)}
}
