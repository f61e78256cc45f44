package ui

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/web"
)

type templateCard struct {
	Title, Description, Type, Owner, Href string
	Tags                                  []string
}

type listView struct {
	Action, Query, Tag, Owner string
	Tags, Owners              []optionView
	Cards                     []templateCard
	Total                     int
	Filtered                  bool
	Problem                   string
	TasksHref, EditHref       string
}

type optionView struct {
	Value, Label string
	Selected     bool
}

// list serves /create: the templates as cards, with text search and tag and owner filters.
func (p *pages) list(w http.ResponseWriter, r *http.Request, page *web.Page) {
	q := r.URL.Query()
	v := listView{
		Action: page.Path, Query: strings.TrimSpace(q.Get("q")), Tag: q.Get("tag"), Owner: q.Get("owner"),
		TasksHref: page.Path + "/tasks", EditHref: page.Path + "/edit",
	}
	v.Filtered = v.Query != "" || v.Tag != "" || v.Owner != ""
	ents, err := p.svc.QueryEntities(r.Context(), []string{"kind=template"},
		[]string{"kind", "metadata.name", "metadata.namespace", "metadata.title", "metadata.description", "metadata.tags", "spec.type", "spec.owner"})
	if err != nil {
		p.log.Warn("list templates", "err", err)
		v.Problem = "The catalog could not be reached to list templates."
	}
	tags, owners := map[string]bool{}, map[string]bool{}
	needle := strings.ToLower(v.Query)
	for _, e := range ents {
		card := cardOf(e, page.Path)
		for _, t := range card.Tags {
			tags[t] = true
		}
		if card.Owner != "" {
			owners[card.Owner] = true
		}
		if v.Tag != "" && !slices.Contains(card.Tags, v.Tag) {
			continue
		}
		if v.Owner != "" && card.Owner != v.Owner {
			continue
		}
		if needle != "" && !strings.Contains(strings.ToLower(card.Title+" "+card.Description+" "+e.Metadata.Name+" "+strings.Join(card.Tags, " ")), needle) {
			continue
		}
		v.Cards = append(v.Cards, card)
	}
	sort.Slice(v.Cards, func(i, j int) bool { return strings.ToLower(v.Cards[i].Title) < strings.ToLower(v.Cards[j].Title) })
	v.Total = len(v.Cards)
	v.Tags = options(tags, v.Tag)
	v.Owners = options(owners, v.Owner)
	p.render(w, r, page, "scaffolder-list.html", "Create a new component", 0, v)
}

func cardOf(e *model.Entity, base string) templateCard {
	ns := e.Metadata.Namespace
	if ns == "" {
		ns = "default"
	}
	c := templateCard{Title: e.Metadata.Title, Description: e.Metadata.Description, Tags: e.Metadata.Tags,
		Href: base + "/templates/" + url.PathEscape(ns) + "/" + url.PathEscape(e.Metadata.Name)}
	if c.Title == "" {
		c.Title = e.Metadata.Name
	}
	c.Type, _ = e.Spec["type"].(string)
	c.Owner, _ = e.Spec["owner"].(string)
	return c
}

func options(set map[string]bool, selected string) []optionView {
	out := make([]optionView, 0, len(set))
	for k := range set {
		out = append(out, optionView{Value: k, Label: k, Selected: k == selected})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Value < out[j].Value })
	return out
}
