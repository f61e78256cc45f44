package ui

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/plugins/catalog/query"
	"github.com/portico-dev/portico/plugins/catalog/reader"
	"github.com/portico-dev/portico/web"
)

// maxUnregisterList bounds how many entities the unregister confirmation lists.
const maxUnregisterList = 100

// actionsPage serves page:catalog/actions, the entity page's header actions:
// POST /refresh, GET and POST /unregister, GET /unregistered. The entity is the form or
// query value "entity" (a full entity ref).
type actionsPage struct {
	r        Reader
	w        Writer
	loc      LocationReader
	log      *slog.Logger
	readonly bool
	cop      *http.CrossOriginProtection
	settings UserSettings // nil: no star action
}

// unregisterView is the view model of web/templates/catalog-import-unregister.html.
type unregisterView struct {
	Action   string // where the confirmation form posts
	Entity   importEntity
	EntityID string // the full entity ref, the form's value
	Href     string // the entity page
	Problem  *problemMessage
	Done     bool
	Plan     *unregisterPlan
	Catalog  string // the catalog index, "" when disabled
}

// unregisterPlan is what unregistering an entity removes: its root registered location and
// every entity that came from it, or, for an entity not under a registered location, the
// entity alone.
type unregisterPlan struct {
	Location *model.Location
	Origin   string // the entity's origin location, when it has one
	Entities []importEntity
	Total    int
	UID      string
}

// ServePage implements web.PageHandler.
func (h *actionsPage) ServePage(w http.ResponseWriter, r *http.Request, page *web.Page) {
	sub := subPath(page.Path, r.URL.Path)
	post := r.Method == http.MethodPost
	get := r.Method == http.MethodGet || r.Method == http.MethodHead
	if post {
		if err := h.cop.Check(r); err != nil {
			http.Error(w, "Forbidden: cross-origin request", http.StatusForbidden)
			return
		}
	}
	ref, err := model.ParseEntityRef(r.FormValue("entity"), model.RefContext{})
	if err != nil && (sub == "/refresh" || sub == "/unregister" || sub == "/star") {
		page.Shell().NotFound(w, r)
		return
	}
	switch {
	case sub == "/refresh" && post:
		h.refresh(w, r, page, ref)
	case sub == "/star" && post && h.settings != nil:
		h.star(w, r, page, ref)
	case sub == "/unregister" && (get || post):
		h.unregister(w, r, page, ref, post)
	case sub == "/unregistered" && get:
		v := unregisterView{Done: true, Entity: importEntity{Ref: r.FormValue("entity")}}
		h.render(w, r, page, v, http.StatusOK)
	case sub == "/refresh" || sub == "/unregister":
		web.MethodNotAllowed(w, "POST")
	default:
		page.Shell().NotFound(w, r)
	}
}

func (h *actionsPage) refresh(w http.ResponseWriter, r *http.Request, page *web.Page, ref model.EntityRef) {
	if err := h.w.Refresh(r.Context(), ref.String()); err != nil {
		if errors.Is(err, model.ErrNotFound) {
			page.Shell().NotFound(w, r)
			return
		}
		if _, denied := notAllowedProblem(err); denied {
			http.Error(w, "Forbidden: "+err.Error(), http.StatusForbidden)
			return
		}
		web.ServerError(w, r, h.log, "refresh entity", err, "entity", ref.String())
		return
	}
	href := linksFor(page.Shell()).Entity(ref)
	http.Redirect(w, r, cmp.Or(href, "/")+"?refreshed=1", http.StatusSeeOther)
}

func (h *actionsPage) unregister(w http.ResponseWriter, r *http.Request, page *web.Page, ref model.EntityRef, post bool) {
	v := unregisterView{Action: page.Path + "/unregister", EntityID: ref.String(), Href: linksFor(page.Shell()).Entity(ref)}
	if h.readonly {
		v.Problem = readonlyProblem()
		h.render(w, r, page, v, http.StatusForbidden)
		return
	}
	plan, e, err := h.plan(r.Context(), ref)
	if errors.Is(err, model.ErrNotFound) {
		page.Shell().NotFound(w, r)
		return
	}
	if err != nil {
		web.ServerError(w, r, h.log, "plan unregister", err, "entity", ref.String())
		return
	}
	v.Entity, v.Plan = e, plan
	if !post {
		h.render(w, r, page, v, http.StatusOK)
		return
	}
	if plan.Location != nil {
		err = h.w.RemoveLocation(r.Context(), plan.Location.ID)
	} else {
		err = h.w.DeleteEntityByUID(r.Context(), plan.UID)
	}
	if p, denied := notAllowedProblem(err); denied {
		v.Problem = p
		h.render(w, r, page, v, http.StatusForbidden)
		return
	}
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		web.ServerError(w, r, h.log, "unregister entity", err, "entity", ref.String())
		return
	}
	http.Redirect(w, r, page.Path+"/unregistered?"+url.Values{"entity": {humanRef(ref, "")}}.Encode(), http.StatusSeeOther)
}

// plan finds the root of the entity's ancestry and the registered location behind it.
func (h *actionsPage) plan(ctx context.Context, ref model.EntityRef) (*unregisterPlan, importEntity, error) {
	raw, err := h.r.ByRef(ctx, ref.String())
	if err != nil {
		return nil, importEntity{}, err
	}
	var ent struct {
		Metadata struct {
			UID         string            `json:"uid"`
			Annotations map[string]string `json:"annotations"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(raw, &ent); err != nil {
		return nil, importEntity{}, fmt.Errorf("decode entity %s: %w", ref, err)
	}
	plan := &unregisterPlan{UID: ent.Metadata.UID, Origin: ent.Metadata.Annotations[model.AnnotationManagedByOriginLocation]}
	root, err := h.root(ctx, ref)
	if err != nil {
		return nil, importEntity{}, err
	}
	loc, err := h.loc.LocationByEntity(ctx, root)
	switch {
	case errors.Is(err, model.ErrNotFound):
		// Not under a registered location (app-config or a provider): only the entity goes.
		return plan, previewEntity(raw), nil
	case err != nil:
		return nil, importEntity{}, fmt.Errorf("location of %s: %w", root, err)
	}
	plan.Location = &loc
	origin := loc.Type + ":" + loc.Target
	filter := query.In("metadata.annotations."+model.AnnotationManagedByOriginLocation, origin)
	res, err := h.r.Query(ctx, reader.QueryRequest{
		Filter: &filter, Limit: maxUnregisterList,
		Fields: []string{"kind", "metadata.name", "metadata.namespace"},
	})
	if err != nil {
		return nil, importEntity{}, fmt.Errorf("entities of location %s: %w", origin, err)
	}
	plan.Total = res.TotalItems
	for _, it := range res.Items {
		plan.Entities = append(plan.Entities, previewEntity(it))
	}
	return plan, previewEntity(raw), nil
}

// root returns the top of the entity's ancestry: the entity that no other produced.
func (h *actionsPage) root(ctx context.Context, ref model.EntityRef) (string, error) {
	anc, err := h.loc.Ancestry(ctx, ref.String())
	if err != nil {
		return "", fmt.Errorf("ancestry of %s: %w", ref, err)
	}
	for _, it := range anc.Items {
		if len(it.ParentEntityRefs) > 0 {
			continue
		}
		e := previewEntity(it.Entity)
		return model.EntityRef{Kind: e.Kind, Namespace: e.Namespace, Name: e.Name}.String(), nil
	}
	return ref.String(), nil
}

func (h *actionsPage) render(w http.ResponseWriter, r *http.Request, page *web.Page, v unregisterView, status int) {
	shell := page.Shell()
	links := linksFor(shell)
	v.Catalog = links.Index(nil)
	if v.Plan != nil {
		for i := range v.Plan.Entities {
			e := &v.Plan.Entities[i]
			e.Href = links.Entity(model.EntityRef{Kind: e.Kind, Namespace: e.Namespace, Name: e.Name})
		}
	}
	body, err := pageTemplates.Execute("catalog-import-unregister.html", v)
	if err != nil {
		web.ServerError(w, r, h.log, "render unregister page", err)
		return
	}
	shell.Render(w, r, web.View{Title: "Unregister entity", Main: body, Status: status})
}

// star adds the entity to the user's starred entities (starred=true) or removes it, then
// returns to the entity page (or to a same-site "back" path the form names).
func (h *actionsPage) star(w http.ResponseWriter, r *http.Request, page *web.Page, ref model.EntityRef) {
	list, err := h.settings.Starred(r.Context())
	if err != nil {
		http.Error(w, "Sign in to star entities", http.StatusUnauthorized)
		return
	}
	key := ref.String()
	list = slices.DeleteFunc(list, func(s string) bool { return s == key })
	if r.FormValue("starred") != "false" {
		list = append(list, key)
	}
	if err := h.settings.SetStarred(r.Context(), list); err != nil {
		web.ServerError(w, r, h.log, "star entity", err, "entity", key)
		return
	}
	back := linksFor(page.Shell()).Entity(ref)
	if b := r.FormValue("back"); strings.HasPrefix(b, "/") && !strings.HasPrefix(b, "//") && !strings.HasPrefix(b, "/\\") {
		back = b
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}
