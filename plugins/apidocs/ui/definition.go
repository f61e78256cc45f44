package ui

import (
	"context"
	"fmt"
	"html/template"
	"log/slog"
	"strings"

	"github.com/portico-dev/portico/plugins/apidocs/apidef"
	"github.com/portico-dev/portico/plugins/catalog/entityui"
	"github.com/portico-dev/portico/web"
)

// DefinitionTemplate is the template the Definition tab renders with.
const DefinitionTemplate = "apidocs-definition"

// definitionView is the Definition tab's view model (web/templates/apidocs-definition.html).
type definitionView struct {
	Type     string // spec.type as written
	OpenAPI  *apidef.OpenAPI
	AsyncAPI *apidef.AsyncAPI
	Source   template.HTML // highlighted GraphQL or protobuf
	Problem  string        // why the definition could not be shown formatted
	Empty    bool          // no spec.definition at all
	Raw      template.HTML // the definition, highlighted when its language is known
	RawOpen  bool          // the raw view is the main view (unknown type, or a problem)
}

// definitionTab renders entity-content:api-docs/definition.
type definitionTab struct {
	log *slog.Logger
}

// RenderContent implements entityui.ContentRenderer. Definitions that cannot be read show a
// message and the raw text; only a template failure is an error.
func (t definitionTab) RenderContent(ctx context.Context, ec *entityui.EntityContext) (template.HTML, error) {
	v := buildDefinition(ec.Spec("type"), ec.Spec("definition"))
	web.UseStylesheet(ctx, assetsNamespace, highlightCSS)
	if v.Problem != "" {
		t.log.Debug("api definition not rendered", "entity", ec.Entity.Ref().String(), "problem", v.Problem)
	}
	return pageTemplates.Execute(DefinitionTemplate, v)
}

// parseDefinition parses def with parse; problem says why a definition of the named format
// could not be read ("" when it could).
func parseDefinition[D any](parse func(string) (D, error), format, def string) (doc D, problem string) {
	doc, err := parse(def)
	if err != nil {
		problem = "This " + format + " definition could not be read: " + err.Error()
	}
	return doc, problem
}

// buildDefinition prepares the view of a definition of the given spec.type.
func buildDefinition(typ, def string) (v definitionView) {
	v.Type = typ
	if strings.TrimSpace(def) == "" {
		v.Empty = true
		return v
	}
	rawLang := ""
	defer func() {
		// A definition is user input: a parser bug must cost the formatted view, not the page.
		if r := recover(); r != nil {
			v = definitionView{Type: typ, Problem: fmt.Sprintf("This definition could not be rendered (%v).", r), RawOpen: true,
				Raw: apidef.Highlight(def, rawLang)}
		}
	}()
	switch strings.ToLower(typ) {
	case "openapi":
		rawLang = apidef.SourceLanguage(def)
		v.OpenAPI, v.Problem = parseDefinition(apidef.ParseOpenAPI, "OpenAPI", def)
	case "asyncapi":
		rawLang = apidef.SourceLanguage(def)
		v.AsyncAPI, v.Problem = parseDefinition(apidef.ParseAsyncAPI, "AsyncAPI", def)
	case "graphql":
		v.Source = apidef.Highlight(def, apidef.LangGraphQL)
	case "grpc":
		v.Source = apidef.Highlight(def, apidef.LangProtobuf)
	default:
		v.RawOpen = true
	}
	if v.Problem != "" {
		v.RawOpen = true
	}
	v.Raw = apidef.Highlight(def, rawLang)
	return v
}
