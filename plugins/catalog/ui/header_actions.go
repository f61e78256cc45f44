package ui

import (
	"context"
	"html/template"
	"slices"

	"github.com/portico-dev/portico/plugins/catalog/entityui"
	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/web/extension"
)

// UserSettings keeps the signed-in user's starred entities (the user-settings plugin, called
// on behalf of the user whose request ctx carries). Methods fail when nobody is signed in.
// Visits are recorded by the app plugin's visit listener (app-root-element:home/visit-listener),
// for every page, when app.extensions enables it.
type UserSettings interface {
	Starred(ctx context.Context) ([]string, error)
	SetStarred(ctx context.Context, refs []string) error
}

// headerActionData is the view model of the entity-header-action templates.
type headerActionData struct {
	Href, Label string
	Action      string // form action
	Entity      string // full entity ref, the form's value
	Starred     bool
}

// headerActionExtensions are the entity page header's built-in controls, each an extension
// that app.extensions can disable, reorder or limit to some entities with a filter.
func headerActionExtensions(opts Options, actions bool) []extension.Extension {
	act := func(name string, r entityui.HeaderActionFunc) extension.Extension {
		return entityui.HeaderActionExtension(entityui.HeaderActionSpec{Namespace: "catalog", Name: name, Renderer: r})
	}
	exts := []extension.Extension{
		act("view-source", func(_ context.Context, ec *entityui.EntityContext) (template.HTML, error) {
			href := viewSource(ec.Entity)
			if href == "" {
				return "", nil
			}
			return pageTemplates.Execute("entity-action-link", headerActionData{Href: href, Label: "View source"})
		}),
		act("edit", func(_ context.Context, ec *entityui.EntityContext) (template.HTML, error) {
			href := ec.Entity.Metadata.Annotations[model.AnnotationEditURL]
			if href == "" {
				return "", nil
			}
			return pageTemplates.Execute("entity-action-link", headerActionData{Href: href, Label: "Edit"})
		}),
	}
	if opts.Settings != nil {
		exts = append(exts, act("star", func(ctx context.Context, ec *entityui.EntityContext) (template.HTML, error) {
			p := ec.Shell.PagePath(ActionsPageID)
			if p == "" {
				return "", nil
			}
			starred, err := opts.Settings.Starred(ctx)
			if err != nil {
				return "", nil // nobody signed in, or settings unavailable: no star
			}
			ref := ec.Entity.Ref().String()
			return pageTemplates.Execute("entity-action-star", headerActionData{Action: p + "/star", Entity: ref, Starred: slices.Contains(starred, ref)})
		}))
	}
	if actions {
		exts = append(exts, act("refresh", func(ctx context.Context, ec *entityui.EntityContext) (template.HTML, error) {
			p := ec.Shell.PagePath(ActionsPageID)
			if p == "" || !opts.allowed(ctx, "catalog.entity.refresh", ec.Entity.Ref().String()) {
				return "", nil
			}
			return pageTemplates.Execute("entity-action-refresh", headerActionData{Action: p + "/refresh", Entity: ec.Entity.Ref().String()})
		}))
		if !opts.Readonly {
			exts = append(exts, act("unregister", func(ctx context.Context, ec *entityui.EntityContext) (template.HTML, error) {
				p := ec.Shell.PagePath(ActionsPageID)
				if p == "" || !opts.allowed(ctx, "catalog.entity.delete", ec.Entity.Ref().String()) {
					return "", nil
				}
				return pageTemplates.Execute("entity-action-unregister", headerActionData{Action: p + "/unregister", Entity: ec.Entity.Ref().String()})
			}))
		}
	}
	return exts
}

// actionView is one rendered header action.
type actionView struct {
	ID   string
	HTML template.HTML
}

// renderHeaderActions renders the entity header's enabled actions, in configured order.
func renderHeaderActions(ctx context.Context, ec *entityui.EntityContext) ([]actionView, error) {
	var out []actionView
	for _, n := range ec.Shell.Tree().ChildrenFor(EntityPageID, entityui.ActionsInput, ec.Raw) {
		r, ok := n.Extension.Renderer.(entityui.HeaderActionRenderer)
		if !ok {
			continue
		}
		h, err := r.RenderHeaderAction(ctx, ec)
		if err != nil {
			return nil, err
		}
		if h != "" {
			out = append(out, actionView{ID: n.ID(), HTML: h})
		}
	}
	return out, nil
}
