package hello

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html/template"

	"github.com/portico-dev/portico/plugins/catalog/entityui"
	"github.com/portico-dev/portico/web/extension"
)

// CardID is the greeting card's extension ID.
const CardID = "entity-card:hello/greeting"

//go:embed templates
var templates embed.FS

// GreetingCard returns entity-card:hello/greeting: shown on the overview of Component pages
// (config filter kind:component, layout area info; both can be changed in app.extensions).
func GreetingCard() (extension.Extension, error) {
	tmpl, err := template.ParseFS(templates, "templates/*.html")
	if err != nil {
		return extension.Extension{}, fmt.Errorf("hello templates: %w", err)
	}
	card := entityui.CardExtension(entityui.CardSpec{
		Namespace: ID, Name: "greeting", Type: "info", Filter: "kind:component",
		Renderer: entityui.CardFunc(func(_ context.Context, ec *entityui.EntityContext) (entityui.Card, error) {
			e := ec.Entity
			name := e.Metadata.Title
			if name == "" {
				name = e.Metadata.Name
			}
			greeted, _ := e.Annotation(GreetedAnnotation)
			var buf bytes.Buffer
			if err := tmpl.ExecuteTemplate(&buf, "card", cardView{Name: name, Greeted: greeted == "true"}); err != nil {
				return entityui.Card{}, err
			}
			return entityui.Card{Title: "Greeting", Body: template.HTML(buf.String())}, nil // html/template output
		}),
	})
	card.AttachTo = entityui.AttachCard()
	return card, nil
}

type cardView struct {
	Name    string
	Greeted bool
}
