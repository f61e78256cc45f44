package ui

import (
	"cmp"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/portico-dev/portico/framework/auth"
	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/plugins/catalog/query"
	"github.com/portico-dev/portico/plugins/catalog/reader"
	"github.com/portico-dev/portico/web"
)

// maxFacetOptions bounds the options of one picker, so a catalog with thousands of owners or
// tags still sends a small page; selected values are always kept.
const maxFacetOptions = 100

// indexPage serves page:catalog.
type indexPage struct {
	r        Reader
	log      *slog.Logger
	facets   *facetCache
	settings UserSettings // nil: no owned/starred picker
}

// ServePage implements web.PageHandler.
func (h *indexPage) ServePage(w http.ResponseWriter, r *http.Request, page *web.Page) {
	shell := page.Shell()
	if r.URL.Path != page.Path {
		shell.NotFound(w, r)
		return
	}
	if !web.ReadOnly(w, r) {
		return
	}
	p := parseIndexParams(r.URL.Query())
	v, err := h.build(r.Context(), p, linksFor(shell), page.Path)
	if err != nil {
		web.ServerError(w, r, h.log, "render catalog index", err)
		return
	}
	body, err := pageTemplates.Execute("catalog.html", v)
	if err != nil {
		web.ServerError(w, r, h.log, "render catalog index", err)
		return
	}
	title := "Catalog"
	if org := shell.OrgName(); org != "" {
		title = org + " Catalog"
	}
	shell.Render(w, r, web.View{Title: title, Main: body})
}

// indexView is the catalog index's view model (web/templates/catalog.html).
type indexView struct {
	Heading   string
	Action    string
	User      []userOption // the owned/starred/all picker; empty when nobody is signed in
	Text      string
	Kinds     []optionView
	Facets    []facetView
	Hidden    []hiddenField // sort, dir and limit, kept when the filter form is submitted
	Chips     []chipView    // applied filters, each with a link that removes it
	ClearHref string
	Columns   []columnView
	Rows      []rowView
	Total     int
	Shown     string // "1–20 of 345" style summary
	PrevHref  string
	NextHref  string
	Empty     bool // no entity at all matches
	NoFilters bool // nothing but the default kind is filtered
	KindLabel string
}

type userOption struct {
	Value, Label string
	Count        int // -1 when not counted
	Selected     bool
}

type optionView struct {
	Value, Label string
	Count        int
	Selected     bool
}

type facetView struct {
	Name, Label, ID string // ID is the select's element id
	Options         []optionView
	More            int // options left out
}

type hiddenField struct{ Name, Value string }

type chipView struct{ Label, RemoveHref string }

type columnView struct {
	Label    string
	SortHref string // "" when the column does not sort
	AriaSort string // ascending, descending or "" when not the sort column
}

type linkView struct{ Label, Href string }

type rowView struct {
	Name, Href, Kind, Namespace string
	System                      *linkView
	Owners                      []linkView
	Type, Lifecycle             string
	Description                 string
	Tags                        []string
}

func (h *indexPage) build(ctx context.Context, p indexParams, l links, action string) (indexView, error) {
	var (
		res        reader.QueryResult
		kindCounts map[string][]reader.FacetCount
		counts     map[string][]reader.FacetCount
	)
	var facetKeys []string
	for _, f := range indexFacets() {
		facetKeys = append(facetKeys, f.Key)
	}
	who, signedIn := h.user(ctx)
	var userExpr *query.Expr
	switch {
	case !signedIn:
		p.User = ""
	case p.User == "owned":
		userExpr = &who.owned
	case p.User == "starred":
		userExpr = &who.starred
	}
	var ownedCount, starredCount int
	g, gctx := errgroup.WithContext(ctx)
	if signedIn {
		// Counts of the other choices, under the same kind and facet filters.
		count := func(e query.Expr, n *int) {
			g.Go(func() error {
				res, err := h.r.Query(gctx, reader.QueryRequest{Filter: p.filter(&e), FullText: p.fullText(), Limit: 1})
				*n = res.TotalItems
				return err
			})
		}
		count(who.owned, &ownedCount)
		count(who.starred, &starredCount)
	}
	g.Go(func() error {
		req := reader.QueryRequest{Filter: p.filter(userExpr), FullText: p.fullText(), Order: p.order(), Limit: p.Limit, Cursor: p.Cursor, BindCursor: true}
		var err error
		res, err = h.r.Query(gctx, req)
		if err != nil && p.Cursor != "" {
			// A stale or edited cursor: show the first page of the same view instead.
			req.Cursor = ""
			res, err = h.r.Query(gctx, req)
		}
		return err
	})
	g.Go(func() error {
		var err error
		kindCounts, err = h.facets.get(gctx, h.r, []string{"kind"}, nil)
		return err
	})
	g.Go(func() error {
		var err error
		counts, err = h.facets.get(gctx, h.r, facetKeys, p.kindFilter())
		return err
	})
	if err := g.Wait(); err != nil {
		return indexView{}, err
	}

	v := indexView{Action: action, Text: p.Text, Total: res.TotalItems}
	if signedIn {
		v.User = []userOption{
			{Value: "owned", Label: "Owned", Count: ownedCount, Selected: p.User == "owned"},
			{Value: "starred", Label: "Starred", Count: starredCount, Selected: p.User == "starred"},
			{Value: "all", Label: "All", Count: -1, Selected: p.User == ""},
		}
		if p.User == "" {
			v.User[2].Count = res.TotalItems
		}
	}
	v.Kinds = kindOptions(p.Kind, kindCounts["kind"])
	v.KindLabel = "entities"
	for _, k := range v.Kinds {
		if k.Selected && k.Value != "all" {
			v.KindLabel = k.Label + " entities"
		}
	}
	v.Heading = "Catalog"
	for _, f := range indexFacets() {
		v.Facets = append(v.Facets, facetOptions(f, p.Values[f.Name], counts[f.Key]))
	}
	if p.Sort != "" {
		v.Hidden = append(v.Hidden, hiddenField{"sort", p.Sort})
		if p.Desc {
			v.Hidden = append(v.Hidden, hiddenField{"dir", "desc"})
		}
	}
	if p.Limit != defaultPageSize {
		v.Hidden = append(v.Hidden, hiddenField{"limit", strconv.Itoa(p.Limit)})
	}
	for _, f := range indexFacets() {
		vals := p.Values[f.Name]
		for i, val := range vals {
			if i > 0 {
				// A shared URL may select several values of one picker: keep the others.
				v.Hidden = append(v.Hidden, hiddenField{"filters[" + f.Name + "]", val})
			}
			label := val
			if f.Name == "owners" {
				label = ownerLabel(val)
			}
			v.Chips = append(v.Chips, chipView{Label: f.Label + ": " + label, RemoveHref: l.Index(p.without(f.Name, val).values())})
		}
	}
	if p.Text != "" {
		c := p
		c.Text = ""
		v.Chips = append(v.Chips, chipView{Label: "Text: " + p.Text, RemoveHref: l.Index(c.values())})
	}
	if len(v.Chips) > 0 {
		c := indexParams{Kind: p.Kind, kindSet: true, Values: map[string][]string{}, Limit: p.Limit, Sort: p.Sort, Desc: p.Desc}
		v.ClearHref = l.Index(c.values())
	}
	v.NoFilters = len(v.Chips) == 0

	v.Columns = columns(p, l)
	for _, raw := range res.Items {
		row, err := listRow(raw, l)
		if err != nil {
			return indexView{}, err
		}
		v.Rows = append(v.Rows, row)
	}
	v.Empty = len(v.Rows) == 0
	if len(v.Rows) > 0 {
		v.Shown = strconv.Itoa(len(v.Rows)) + " of " + strconv.Itoa(res.TotalItems)
	}
	base := p.values()
	if res.NextCursor != "" {
		q := cloneValues(base)
		q.Set("cursor", res.NextCursor)
		v.NextHref = l.Index(q)
	}
	if res.PrevCursor != "" {
		q := cloneValues(base)
		q.Set("cursor", res.PrevCursor)
		v.PrevHref = l.Index(q)
	}
	return v, nil
}

// warm computes the counts of the default views unless cached (Pages.WarmCounts).
func (h *indexPage) warm(ctx context.Context) error {
	var keys []string
	for _, f := range indexFacets() {
		keys = append(keys, f.Key)
	}
	views := []struct {
		facets []string
		filter *query.Expr
	}{
		{[]string{"kind"}, nil},
		{keys, defaultIndexParams().kindFilter()},
		{keys, nil},
	}
	for _, v := range views {
		if h.facets.has(ctx, h.r, v.facets, v.filter) {
			continue
		}
		if _, err := h.facets.get(ctx, h.r, v.facets, v.filter); err != nil {
			return err
		}
	}
	return nil
}

// userFilters are the signed-in user's "owned" and "starred" filters.
type userFilters struct{ owned, starred query.Expr }

// user returns the filters of the signed-in user; false when nobody is signed in or the
// user-settings plugin is absent.
func (h *indexPage) user(ctx context.Context) (userFilters, bool) {
	if h.settings == nil {
		return userFilters{}, false
	}
	creds, _ := auth.FromContext(ctx)
	u, ok := creds.User()
	if !ok {
		return userFilters{}, false
	}
	starred, err := h.settings.Starred(ctx)
	if err != nil {
		h.log.Debug("read starred entities", "user", u.UserEntityRef, "err", err)
	}
	return userFilters{owned: ownedFilter(u.OwnershipEntityRefs), starred: refsFilter(starred)}, true
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

// kindOptions lists every kind with its count, plus "all", with the current one selected.
func kindOptions(current string, counts []reader.FacetCount) []optionView {
	merged := map[string]optionView{}
	total := 0
	for _, c := range counts {
		k := strings.ToLower(c.Value)
		o := merged[k]
		o.Value, o.Count = k, o.Count+c.Count
		if o.Label == "" {
			o.Label = c.Value
		}
		merged[k] = o
		total += c.Count
	}
	if _, ok := merged[current]; !ok && current != "" {
		merged[current] = optionView{Value: current, Label: current}
	}
	opts := make([]optionView, 0, len(merged)+1)
	for _, o := range merged {
		o.Selected = o.Value == current
		opts = append(opts, o)
	}
	slices.SortFunc(opts, func(a, b optionView) int { return cmp.Compare(a.Value, b.Value) })
	return append([]optionView{{Value: "all", Label: "All kinds", Count: total, Selected: current == ""}}, opts...)
}

// facetOptions turns counts into a picker: most frequent first, at most maxFacetOptions, the
// selected values always present.
func facetOptions(f facetDef, selected []string, counts []reader.FacetCount) facetView {
	fv := facetView{Name: f.Name, Label: f.Label, ID: "cf-" + f.Name}
	first := ""
	if len(selected) > 0 {
		first = selected[0]
	}
	merged := map[string]optionView{}
	for _, c := range counts {
		key := strings.ToLower(c.Value)
		o := merged[key]
		o.Count += c.Count
		if o.Value == "" {
			o.Value = c.Value
			o.Label = c.Value
			if f.Name == "owners" {
				o.Label = ownerLabel(c.Value)
			}
		}
		merged[key] = o
	}
	opts := make([]optionView, 0, len(merged))
	for _, o := range merged {
		opts = append(opts, o)
	}
	slices.SortFunc(opts, func(a, b optionView) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return cmp.Compare(strings.ToLower(a.Label), strings.ToLower(b.Label))
	})
	found := false
	var kept []optionView
	for i, o := range opts {
		o.Selected = first != "" && strings.EqualFold(o.Value, first)
		found = found || o.Selected
		if i < maxFacetOptions || o.Selected {
			kept = append(kept, o)
		} else {
			fv.More++
		}
	}
	if !found && first != "" {
		label := first
		if f.Name == "owners" {
			label = ownerLabel(first)
		}
		kept = append(kept, optionView{Value: first, Label: label, Selected: true})
	}
	slices.SortStableFunc(kept, func(a, b optionView) int {
		return cmp.Compare(strings.ToLower(a.Label), strings.ToLower(b.Label))
	})
	fv.Options = kept
	return fv
}

func ownerLabel(ref string) string {
	r, err := model.ParseEntityRef(ref, model.RefContext{DefaultKind: "group"})
	if err != nil {
		return ref
	}
	return humanRef(r, "group")
}

// columns are the table headers; sortable ones link to the view sorted by them, toggling the
// direction when they already sort it.
func columns(p indexParams, l links) []columnView {
	cols := make([]columnView, 0, 7)
	for _, c := range sortColumns() {
		cv := columnView{Label: c.Label}
		s := p
		s.Sort, s.Desc = c.Name, false
		if p.Sort == c.Name {
			s.Desc = !p.Desc
			cv.AriaSort = "ascending"
			if p.Desc {
				cv.AriaSort = "descending"
			}
		}
		cv.SortHref = l.Index(s.values())
		cols = append(cols, cv)
	}
	// Tags sit under the description: a column of their own made wide tables scroll sideways
	// at common laptop widths.
	return append(cols, columnView{Label: "Description and tags"})
}

// listEntity is the part of an entity the table shows.
type listEntity struct {
	Kind     string `json:"kind"`
	Metadata struct {
		Name        string   `json:"name"`
		Namespace   string   `json:"namespace"`
		Title       string   `json:"title"`
		Description string   `json:"description"`
		Tags        []string `json:"tags"`
	} `json:"metadata"`
	Spec      map[string]any `json:"spec"`
	Relations []struct {
		Type      string `json:"type"`
		TargetRef string `json:"targetRef"`
	} `json:"relations"`
}

func (e *listEntity) ref() model.EntityRef {
	ns := e.Metadata.Namespace
	if ns == "" {
		ns = model.DefaultNamespace
	}
	return model.EntityRef{Kind: e.Kind, Namespace: ns, Name: e.Metadata.Name}
}

func specString(spec map[string]any, key string) string {
	s, _ := spec[key].(string)
	return s
}

const maxDescription = 160

func listRow(raw json.RawMessage, l links) (rowView, error) {
	var e listEntity
	if err := json.Unmarshal(raw, &e); err != nil {
		return rowView{}, err
	}
	row := rowView{
		Name:        cmp.Or(e.Metadata.Title, e.Metadata.Name),
		Href:        l.Entity(e.ref()),
		Kind:        e.Kind,
		Type:        specString(e.Spec, "type"),
		Lifecycle:   specString(e.Spec, "lifecycle"),
		Description: truncate(e.Metadata.Description, maxDescription),
		Tags:        e.Metadata.Tags,
	}
	if e.Metadata.Namespace != "" && e.Metadata.Namespace != model.DefaultNamespace {
		row.Namespace = e.Metadata.Namespace
	}
	for _, rel := range e.Relations {
		switch rel.Type {
		case model.RelationOwnedBy:
			row.Owners = append(row.Owners, refLink(rel.TargetRef, "group", l))
		case model.RelationPartOf:
			if row.System == nil && strings.HasPrefix(rel.TargetRef, "system:") {
				lv := refLink(rel.TargetRef, "system", l)
				row.System = &lv
			}
		}
	}
	if len(row.Owners) == 0 {
		if o := specString(e.Spec, "owner"); o != "" {
			row.Owners = append(row.Owners, linkView{Label: o})
		}
	}
	return row, nil
}

// refLink links to the entity page of a reference string, labelled in the short form.
func refLink(ref, defaultKind string, l links) linkView {
	r, err := model.ParseEntityRef(ref, model.RefContext{DefaultKind: defaultKind})
	if err != nil {
		return linkView{Label: ref}
	}
	return linkView{Label: humanRef(r, defaultKind), Href: l.Entity(r)}
}

func truncate(s string, n int) string {
	if len([]rune(s)) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
