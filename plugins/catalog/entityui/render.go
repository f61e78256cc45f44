package entityui

import (
	"context"
	"html/template"
)

// CardRenderer is the Renderer payload of an entity-card extension attached to the overview.
type CardRenderer interface {
	RenderCard(ctx context.Context, ec *EntityContext) (Card, error)
}

// Card is a rendered entity card: a titled section of the overview.
type Card struct {
	Title string
	Body  template.HTML
}

// CardFunc adapts a function to CardRenderer.
type CardFunc func(ctx context.Context, ec *EntityContext) (Card, error)

// RenderCard calls f.
func (f CardFunc) RenderCard(ctx context.Context, ec *EntityContext) (Card, error) { return f(ctx, ec) }

// ContentRenderer is the Renderer payload of an entity-content extension (an entity page tab).
type ContentRenderer interface {
	RenderContent(ctx context.Context, ec *EntityContext) (template.HTML, error)
}

// ContentFunc adapts a function to ContentRenderer.
type ContentFunc func(ctx context.Context, ec *EntityContext) (template.HTML, error)

// RenderContent calls f.
func (f ContentFunc) RenderContent(ctx context.Context, ec *EntityContext) (template.HTML, error) {
	return f(ctx, ec)
}

// HeaderActionRenderer is the Renderer payload of an entity-header-action extension: one
// control in the entity page's header (a link or a small form). An empty result hides it for
// this entity or user.
type HeaderActionRenderer interface {
	RenderHeaderAction(ctx context.Context, ec *EntityContext) (template.HTML, error)
}

// HeaderActionFunc adapts a function to HeaderActionRenderer.
type HeaderActionFunc func(ctx context.Context, ec *EntityContext) (template.HTML, error)

// RenderHeaderAction calls f.
func (f HeaderActionFunc) RenderHeaderAction(ctx context.Context, ec *EntityContext) (template.HTML, error) {
	return f(ctx, ec)
}
