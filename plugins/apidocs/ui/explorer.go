package ui

import (
	"cmp"
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/portico-dev/portico/plugins/catalog/entityui"
	"github.com/portico-dev/portico/web"
)

// ExplorerTemplate is the template the explorer page renders with.
const ExplorerTemplate = "apidocs.html"

// pageSize is how many APIs the explorer lists per page.
const pageSize = 50

// explorerFilter is one filter of the explorer: a URL parameter and the catalog field it
// matches exactly.
type explorerFilter struct {
	Param, Field, Label, All string
}

func explorerFilters() []explorerFilter {
	return []explorerFilter{
		{Param: "type", Field: "spec.type", Label: "Type", All: "All types"},
		{Param: "lifecycle", Field: "spec.lifecycle", Label: "Lifecycle", All: "All lifecycles"},
		{Param: "owner", Field: "relations.ownedBy", Label: "Owner", All: "All owners"},
	}
}

// explorerPage serves page:api-docs.
type explorerPage struct {
	catalog catalogClient
	log     *slog.Logger
	token   func(ctx context.Context) (string, error)
}

type explorerView struct {
	Action, Query string
	Filters       []selectView
	Rows          []explorerRow
	Total         int
	NextHref      string
	PrevHref      string
	Filtered      bool
	Problem       string
	CatalogHref   string
}

type selectView struct {
	ID, Name, Label, All string
	Options              []optionView
}

type optionView struct {
	Value, Label string
	Count        int
	Selected     bool
}

type explorerRow struct {
	Title, Name, Href string
	Type, Lifecycle   string
	Owners, Systems   []linkView
	Description       string
}

type linkView struct{ Label, Href string }

// ServePage implements web.PageHandler.
func (h *explorerPage) ServePage(w http.ResponseWriter, r *http.Request, page *web.Page) {
	shell := page.Shell()
	if !web.ReadOnly(w, r) {
		return
	}
	if strings.TrimRight(r.URL.Path, "/") != page.Path {
		shell.NotFound(w, r)
		return
	}
	v, err := h.build(r.Context(), r, page.Path, entityui.LinksFor(shell))
	status := 0
	if err != nil {
		if status, v.Problem = web.FailureStatus(err); status >= 500 {
			h.log.Error("read apis from the catalog", "err", err)
			v.Problem = "The catalog could not be read, so no APIs can be listed right now."
			status = http.StatusBadGateway
		}
	}
	body, err := pageTemplates.Execute(ExplorerTemplate, v)
	if err != nil {
		web.ServerError(w, r, h.log, "render api explorer", err)
		return
	}
	shell.Render(w, r, web.View{Title: "APIs", Main: body, Status: status})
}

func (h *explorerPage) build(ctx context.Context, r *http.Request, action string, links entityui.Links) (explorerView, error) {
	params := r.URL.Query()
	auth := r.Header.Get("Authorization")
	if h.token != nil {
		tok, err := h.token(ctx)
		if err != nil {
			return explorerView{}, err
		}
		if tok != "" {
			auth = "Bearer " + tok
		}
	}
	v := explorerView{Action: action, Query: strings.TrimSpace(params.Get("q")), CatalogHref: links.Index(url.Values{"filters[kind]": {"api"}})}
	q := apiQuery{Filters: map[string]string{}, Text: v.Query, Cursor: params.Get("cursor"), Limit: pageSize}
	var fields []string
	for _, f := range explorerFilters() {
		fields = append(fields, f.Field)
		if val := params.Get(f.Param); val != "" {
			q.Filters[f.Field] = val
			v.Filtered = true
		}
	}
	v.Filtered = v.Filtered || v.Query != ""
	counts, err := h.catalog.facets(ctx, auth, fields, "kind=api")
	if err != nil {
		return v, err
	}
	for _, f := range explorerFilters() {
		sv := selectView{ID: "api-" + f.Param, Name: f.Param, Label: f.Label, All: f.All}
		selected := q.Filters[f.Field]
		found := false
		for _, c := range counts[f.Field] {
			label := c.Value
			if f.Param == "owner" {
				label = humanize(c.Value, "group")
			}
			sv.Options = append(sv.Options, optionView{Value: c.Value, Label: label, Count: c.Count, Selected: c.Value == selected})
			found = found || c.Value == selected
		}
		if selected != "" && !found { // keep a filter from a shared link visible even with no match
			sv.Options = append(sv.Options, optionView{Value: selected, Label: selected, Selected: true})
		}
		v.Filters = append(v.Filters, sv)
	}
	res, err := h.catalog.queryAPIs(ctx, auth, q, fields)
	if err != nil {
		return v, err
	}
	v.Total = res.TotalItems
	for _, e := range res.Items {
		v.Rows = append(v.Rows, explorerRowOf(e, links))
	}
	pageHref := func(cursor string) string {
		if cursor == "" {
			return ""
		}
		p := url.Values{}
		for k, vals := range params {
			if k != "cursor" {
				p[k] = vals
			}
		}
		p.Set("cursor", cursor)
		return action + "?" + p.Encode()
	}
	v.NextHref, v.PrevHref = pageHref(res.PageInfo.NextCursor), pageHref(res.PageInfo.PrevCursor)
	return v, nil
}

func explorerRowOf(e apiEntity, links entityui.Links) explorerRow {
	ref := strings.ToLower(cmp.Or(e.Kind, "api")) + ":" + cmp.Or(e.Metadata.Namespace, "default") + "/" + e.Metadata.Name
	str := func(v any) string { s, _ := v.(string); return s }
	row := explorerRow{
		Title:       cmp.Or(e.Metadata.Title, e.Metadata.Name),
		Name:        entityui.HumanizeRef(ref, "api"),
		Href:        links.EntityString(ref),
		Type:        str(e.Spec.Type),
		Lifecycle:   str(e.Spec.Lifecycle),
		Description: e.Metadata.Description,
	}
	for _, rel := range e.Relations {
		switch {
		case rel.Type == relationOwnedBy:
			row.Owners = append(row.Owners, linkView{Label: humanize(rel.TargetRef, "group"), Href: links.EntityString(rel.TargetRef)})
		case rel.Type == relationPartOf && strings.HasPrefix(rel.TargetRef, "system:"):
			row.Systems = append(row.Systems, linkView{Label: humanize(rel.TargetRef, "system"), Href: links.EntityString(rel.TargetRef)})
		}
	}
	if len(row.Owners) == 0 && str(e.Spec.Owner) != "" {
		row.Owners = []linkView{{Label: str(e.Spec.Owner)}}
	}
	if len(row.Systems) == 0 && str(e.Spec.System) != "" {
		row.Systems = []linkView{{Label: str(e.Spec.System)}}
	}
	return row
}

// Relation types the explorer reads (Backstage's well-known relations).
const (
	relationOwnedBy = "ownedBy"
	relationPartOf  = "partOf"
)

// humanize shortens a reference string relative to defaultKind.
func humanize(ref, defaultKind string) string { return entityui.HumanizeRef(ref, defaultKind) }

var _ web.PageHandler = (*explorerPage)(nil)
