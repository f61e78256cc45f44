package ui

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strings"

	"github.com/portico-dev/portico/plugins/catalog/entityui"
	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/web"
)

// entityPage serves page:catalog/entity.
type entityPage struct {
	r   Reader
	log *slog.Logger
}

// ServePage implements web.PageHandler.
func (h *entityPage) ServePage(w http.ResponseWriter, r *http.Request, page *web.Page) {
	shell := page.Shell()
	if !web.ReadOnly(w, r) {
		return
	}
	ns, kind, name := r.PathValue("namespace"), r.PathValue("kind"), r.PathValue("name")
	if ns == "" || kind == "" || name == "" {
		shell.NotFound(w, r)
		return
	}
	ref := model.EntityRef{Kind: kind, Namespace: ns, Name: name}
	ec, err := loadEntity(r.Context(), h.r, shell, ref)
	if errors.Is(err, model.ErrNotFound) {
		shell.NotFound(w, r)
		return
	}
	if err != nil {
		web.ServerError(w, r, h.log, "render entity page", err, "entity", ref.String())
		return
	}
	v, found, err := h.build(r, page, ec)
	if err == nil && !found {
		shell.NotFound(w, r)
		return
	}
	var body template.HTML
	if err == nil {
		body, err = pageTemplates.Execute("entity.html", v)
	}
	if err != nil {
		web.ServerError(w, r, h.log, "render entity page", err, "entity", ref.String())
		return
	}
	shell.Render(w, r, web.View{Title: v.Header.Title, Main: body})
}

// ProfileHref implements web.ProfileLinker: the header's user menu links the signed-in user's
// entity page, when the catalog has that entity (a guest's user:development/guest is not).
func (h *entityPage) ProfileHref(ctx context.Context, page *web.Page, entityRef string) string {
	if _, err := h.r.ByRef(ctx, entityRef); err != nil {
		return ""
	}
	return entityui.LinksFor(page.Shell()).EntityString(entityRef)
}

var _ web.ProfileLinker = (*entityPage)(nil)

// entityView is the entity page's view model (web/templates/entity.html).
type entityView struct {
	Notice  string // e.g. after a refresh
	Header  headerView
	Errors  []problemView
	Tabs    []tabView
	Content template.HTML
}

type headerView struct {
	Kind, Title, Ref string
	Namespace        string // shown when not the default
	Type, Lifecycle  string
	Owners           []linkView
	Tags             []linkView // each links to the catalog filtered by the tag
	Description      string
	Actions          []actionView // entity-header-action extensions
}

type problemView struct{ Level, Name, Message string }

type tabView struct {
	Title, Href string
	Current     bool
}

func (h *entityPage) build(r *http.Request, page *web.Page, ec *entityui.EntityContext) (entityView, bool, error) {
	e := ec.Entity
	v := entityView{Header: header(ec)}
	actions, err := renderHeaderActions(r.Context(), ec)
	if err != nil {
		return entityView{}, false, err
	}
	v.Header.Actions = actions
	if r.URL.Query().Get("refreshed") != "" {
		v.Notice = "Refresh scheduled: the entity is processed again in the next moments; reload to see the result."
	}
	if e.Status != nil {
		for _, it := range e.Status.Items {
			p := problemView{Level: cmp.Or(it.Level, model.StatusLevelError), Message: it.Message}
			if it.Error != nil {
				p.Name = it.Error.Name
				p.Message = cmp.Or(it.Error.Message, p.Message)
			}
			v.Errors = append(v.Errors, p)
		}
	}
	base := ec.Links().Entity(e.Ref())
	sub := subPath(page.Path, r.URL.Path)
	var current entityui.ContentRenderer
	for _, n := range ec.Shell.Tree().ChildrenFor(EntityPageID, entityui.ContentsInput, ec.Raw) {
		cr, ok := n.Extension.Renderer.(entityui.ContentRenderer)
		if !ok {
			continue
		}
		path, _ := n.Config["path"].(string)
		path = "/" + strings.Trim(path, "/")
		title, _ := n.Config["title"].(string)
		t := tabView{Title: cmp.Or(title, n.ID()), Href: base}
		if path != "/" {
			t.Href = strings.TrimRight(base, "/") + path
		}
		if path == sub && current == nil {
			t.Current, current = true, cr
		}
		v.Tabs = append(v.Tabs, t)
	}
	if current == nil {
		return v, false, nil
	}
	content, err := current.RenderContent(r.Context(), ec)
	if err != nil {
		return v, true, err
	}
	v.Content = content
	return v, true, nil
}

// subPath returns the part of path below the page's pattern, as "/" or "/tab".
func subPath(pattern, path string) string {
	n := len(strings.Split(strings.Trim(pattern, "/"), "/"))
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if len(parts) <= n {
		return "/"
	}
	return "/" + strings.Join(parts[n:], "/")
}

func header(ec *entityui.EntityContext) headerView {
	e := ec.Entity
	hv := headerView{
		Kind:        e.Kind,
		Title:       cmp.Or(e.Metadata.Title, e.Metadata.Name),
		Ref:         humanRef(e.Ref(), ""),
		Type:        specString(e.Spec, "type"),
		Lifecycle:   specString(e.Spec, "lifecycle"),
		Description: e.Metadata.Description,
	}
	if ns := e.Metadata.Namespace; ns != "" && ns != model.DefaultNamespace {
		hv.Namespace = ns
	}
	hv.Owners = relationLinks(ec, model.RelationOwnedBy, "group")
	if len(hv.Owners) == 0 {
		if o := specString(e.Spec, "owner"); o != "" {
			hv.Owners = []linkView{refLink(o, "group", ec.Links())}
		}
	}
	for _, t := range e.Metadata.Tags {
		hv.Tags = append(hv.Tags, linkView{Label: t, Href: ec.Links().Index(map[string][]string{"filters[kind]": {"all"}, "filters[tags]": {t}})})
	}
	return hv
}

// viewSource is where "View source" points: backstage.io/view-url, else the source location
// (a url: target), else the location the entity was read from.
func viewSource(e *model.Entity) string {
	if u := e.Metadata.Annotations[model.AnnotationViewURL]; u != "" {
		return u
	}
	for _, a := range []string{model.AnnotationSourceLocation, model.AnnotationManagedByLocation} {
		if u, ok := strings.CutPrefix(e.Metadata.Annotations[a], "url:"); ok {
			return u
		}
	}
	return ""
}

// loadEntity reads the entity and prefetches summaries of its related entities.
func loadEntity(ctx context.Context, r Reader, shell *web.Shell, ref model.EntityRef) (*entityui.EntityContext, error) {
	raw, err := r.ByRef(ctx, ref.String())
	if err != nil {
		return nil, err
	}
	var e model.Entity
	if err := json.Unmarshal(raw, &e); err != nil {
		return nil, fmt.Errorf("decode entity %s: %w", ref, err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("decode entity %s: %w", ref, err)
	}
	related, err := fetchRelated(ctx, r, &e, linksFor(shell))
	if err != nil {
		return nil, err
	}
	return entityui.NewEntityContext(&e, m, shell, related), nil
}
