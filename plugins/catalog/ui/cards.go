package ui

import (
	"context"
	"html/template"
	"net/url"
	"slices"
	"strings"

	"github.com/portico-dev/portico/plugins/catalog/entityui"
	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/web/extension"
)

// cardFunc adapts a function to entityui.CardRenderer.
type cardFunc = entityui.CardFunc

func card(name, typ string, filter any, f cardFunc) extension.Extension {
	return entityui.CardExtension(entityui.CardSpec{Namespace: "catalog", Name: name, Type: typ, Filter: filter, Renderer: f})
}

// cardExtensions are the overview's cards, in their default order.
func cardExtensions() []extension.Extension {
	return []extension.Extension{
		card("about", "info", nil, aboutCard),
		card("links", "info", "has:links", linksCard),
		card("labels", "info", "has:labels", labelsCard),
		card("group-profile", "info", "kind:group", groupProfileCard),
		card("user-profile", "info", "kind:user", userProfileCard),
		card("location-targets", "content", "kind:location", locationTargetsCard),
		card("api-definition", "content", "kind:api", apiDefinitionCard),
		card("provided-apis", "content", "kind:component", relatedCard("Provided APIs", model.RelationProvidesAPI, "", "This component provides no APIs.")),
		card("consumed-apis", "content", "kind:component", relatedCard("Consumed APIs", model.RelationConsumesAPI, "", "This component consumes no APIs.")),
		card("depends-on-components", "content", "kind:component", relatedCard("Depends on components", model.RelationDependsOn, "component", "No component dependencies.")),
		card("depends-on-resources", "content", "kind:component", relatedCard("Depends on resources", model.RelationDependsOn, "resource", "No resource dependencies.")),
		card("has-subcomponents", "content", "kind:component", relatedCard("Subcomponents", model.RelationHasPart, "component", "No subcomponents.")),
		card("api-providers", "content", "kind:api", relatedCard("Providers", model.RelationAPIProvidedBy, "", "No component provides this API.")),
		card("api-consumers", "content", "kind:api", relatedCard("Consumers", model.RelationAPIConsumedBy, "", "No component consumes this API.")),
		card("has-components", "content", "kind:system", relatedCard("Components", model.RelationHasPart, "component", "This system has no components.")),
		card("has-apis", "content", "kind:system", relatedCard("APIs", model.RelationHasPart, "api", "This system has no APIs.")),
		card("has-resources", "content", "kind:system", relatedCard("Resources", model.RelationHasPart, "resource", "This system has no resources.")),
		card("has-systems", "content", "kind:domain", relatedCard("Systems", model.RelationHasPart, "system", "This domain has no systems.")),
		card("members", "content", "kind:group", relatedCard("Members", model.RelationHasMember, "", "This group has no direct members.")),
		card("dependents", "content", "kind:resource,component", relatedCard("Dependents", model.RelationDependencyOf, "", "Nothing depends on this entity.")),
		card("ownership", "content", "kind:group,user", ownershipCard),
		card("relations", "content", nil, relationsCard),
	}
}

// fieldView is one row of a definition list card.
type fieldView struct {
	Label string
	Text  string
	Links []linkView
	Code  bool
}

func fieldsCard(ec *entityui.EntityContext, title string, fields []fieldView) (entityui.Card, error) {
	var kept []fieldView
	for _, f := range fields {
		if f.Text != "" || len(f.Links) > 0 {
			kept = append(kept, f)
		}
	}
	body, err := pageTemplates.Execute("entity-card-fields", kept)
	return entityui.Card{Title: title, Body: body}, err
}

func aboutCard(_ context.Context, ec *entityui.EntityContext) (entityui.Card, error) {
	e := ec.Entity
	fields := []fieldView{
		{Label: "Description", Text: orDefault(e.Metadata.Description, "No description")},
		{Label: "Owner", Links: header(ec).Owners},
		{Label: "System", Links: relationLinksOfKind(ec, model.RelationPartOf, "system")},
		{Label: "Domain", Links: relationLinksOfKind(ec, model.RelationPartOf, "domain")},
		{Label: "Parent component", Links: relationLinksOfKind(ec, model.RelationPartOf, "component")},
		{Label: "Type", Text: specString(e.Spec, "type")},
		{Label: "Lifecycle", Text: specString(e.Spec, "lifecycle")},
		{Label: "Namespace", Text: e.Metadata.Namespace},
		{Label: "Reference", Text: e.Ref().String(), Code: true},
	}
	fields = append(fields, fieldView{Label: "Tags", Links: header(ec).Tags})
	return fieldsCard(ec, "About", fields)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// relationLinksOfKind links to the targets of relType whose kind is kind.
func relationLinksOfKind(ec *entityui.EntityContext, relType, kind string) []linkView {
	var out []linkView
	for _, t := range ec.RelationTargets(relType) {
		if strings.HasPrefix(t, kind+":") {
			out = append(out, refLink(t, kind, ec.Links()))
		}
	}
	return out
}

func linksCard(_ context.Context, ec *entityui.EntityContext) (entityui.Card, error) {
	var ls []linkView
	for _, l := range ec.Entity.Metadata.Links {
		ls = append(ls, linkView{Label: orDefault(l.Title, l.URL), Href: l.URL})
	}
	body, err := pageTemplates.Execute("entity-card-links", ls)
	return entityui.Card{Title: "Links", Body: body}, err
}

func labelsCard(_ context.Context, ec *entityui.EntityContext) (entityui.Card, error) {
	keys := make([]string, 0, len(ec.Entity.Metadata.Labels))
	for k := range ec.Entity.Metadata.Labels {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var fields []fieldView
	for _, k := range keys {
		fields = append(fields, fieldView{Label: k, Text: ec.Entity.Metadata.Labels[k], Code: true})
	}
	return fieldsCard(ec, "Labels", fields)
}

func profile(e *model.Entity) (display, email string) {
	p, _ := e.Spec["profile"].(map[string]any)
	display, _ = p["displayName"].(string)
	email, _ = p["email"].(string)
	return display, email
}

func groupProfileCard(_ context.Context, ec *entityui.EntityContext) (entityui.Card, error) {
	display, email := profile(ec.Entity)
	return fieldsCard(ec, "Group", []fieldView{
		{Label: "Display name", Text: display},
		{Label: "Email", Links: mailto(email)},
		{Label: "Type", Text: specString(ec.Entity.Spec, "type")},
		{Label: "Parent group", Links: relationLinks(ec, model.RelationChildOf, "group")},
		{Label: "Child groups", Links: relationLinks(ec, model.RelationParentOf, "group")},
	})
}

func userProfileCard(_ context.Context, ec *entityui.EntityContext) (entityui.Card, error) {
	display, email := profile(ec.Entity)
	return fieldsCard(ec, "Profile", []fieldView{
		{Label: "Display name", Text: display},
		{Label: "Email", Links: mailto(email)},
		{Label: "Member of", Links: relationLinks(ec, model.RelationMemberOf, "group")},
	})
}

func mailto(email string) []linkView {
	if email == "" {
		return nil
	}
	return []linkView{{Label: email, Href: "mailto:" + email}}
}

func locationTargetsCard(_ context.Context, ec *entityui.EntityContext) (entityui.Card, error) {
	var ls []linkView
	add := func(v any) {
		s, _ := v.(string)
		if s == "" {
			return
		}
		lv := linkView{Label: s}
		if strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") {
			lv.Href = s
		}
		ls = append(ls, lv)
	}
	add(ec.Entity.Spec["target"])
	if ts, ok := ec.Entity.Spec["targets"].([]any); ok {
		for _, t := range ts {
			add(t)
		}
	}
	body, err := pageTemplates.Execute("entity-card-links", ls)
	return entityui.Card{Title: "Targets (" + specString(ec.Entity.Spec, "type") + ")", Body: body}, err
}

// preView is a raw text block.
type preView struct{ Label, Text, Empty string }

func apiDefinitionCard(_ context.Context, ec *entityui.EntityContext) (entityui.Card, error) {
	body, err := pageTemplates.Execute("entity-card-pre", preView{
		Label: specString(ec.Entity.Spec, "type") + " definition",
		Text:  specString(ec.Entity.Spec, "definition"),
		Empty: "This API has no definition.",
	})
	return entityui.Card{Title: "Definition", Body: body}, err
}

// entitiesView is a table of related entities.
type entitiesView struct {
	Rows     []entityui.RelatedEntity
	More     int
	MoreHref string
	Empty    string
}

// relatedCard lists the targets of relType, keeping only those of kind when kind is set.
func relatedCard(title, relType, kind, empty string) cardFunc {
	return func(_ context.Context, ec *entityui.EntityContext) (entityui.Card, error) {
		rows, total := ec.Related(relType)
		if kind != "" {
			total = 0
			for _, t := range ec.RelationTargets(relType) {
				if strings.HasPrefix(t, kind+":") {
					total++
				}
			}
			rows = slices.DeleteFunc(rows, func(r entityui.RelatedEntity) bool { return !strings.EqualFold(r.Kind, kind) })
		}
		body, err := pageTemplates.Execute("entity-card-entities", entitiesView{Rows: rows, More: total - len(rows), Empty: empty})
		return entityui.Card{Title: title, Body: body}, err
	}
}

func ownershipCard(_ context.Context, ec *entityui.EntityContext) (entityui.Card, error) {
	rows, total := ec.Related(model.RelationOwnerOf)
	v := entitiesView{Rows: rows, More: total - len(rows), Empty: "Owns nothing yet."}
	if total > 0 {
		v.MoreHref = ec.IndexHref(url.Values{"filters[kind]": {"all"}, "filters[owners]": {ec.Entity.Ref().String()}})
	}
	body, err := pageTemplates.Execute("entity-card-entities", v)
	return entityui.Card{Title: "Ownership", Body: body}, err
}

// relationGroupView is the targets of one relation type.
type relationGroupView struct {
	Type  string
	Links []linkView
	More  int
}

func relationsCard(_ context.Context, ec *entityui.EntityContext) (entityui.Card, error) {
	var groups []relationGroupView
	index := map[string]int{}
	for _, r := range ec.Entity.Relations {
		i, ok := index[r.Type]
		if !ok {
			i = len(groups)
			index[r.Type] = i
			groups = append(groups, relationGroupView{Type: r.Type})
		}
		g := &groups[i]
		if len(g.Links) >= maxPerRelation {
			g.More++
			continue
		}
		re := ec.Lookup(r.TargetRef)
		label := r.TargetRef
		if parsed, err := model.ParseEntityRef(r.TargetRef, model.RefContext{}); err == nil {
			label = humanRef(parsed, "")
		}
		if !re.Missing && re.Title != "" && !strings.HasSuffix(label, re.Title) {
			label = re.Title + " (" + label + ")"
		}
		g.Links = append(g.Links, linkView{Label: label, Href: re.Href})
	}
	slices.SortStableFunc(groups, func(a, b relationGroupView) int { return strings.Compare(a.Type, b.Type) })
	body, err := pageTemplates.Execute("entity-card-relations", groups)
	return entityui.Card{Title: "Relations", Body: body}, err
}

// overview is the Renderer of entity-content:catalog/overview: its cards, laid out by their
// config.type (summary across the top, info beside the content).
type overview struct{}

type overviewView struct {
	Summary, Info, Content []cardView
}

type cardView struct {
	ID, HeadingID, Title string
	Body                 template.HTML
}

// RenderContent implements entityui.ContentRenderer.
func (overview) RenderContent(ctx context.Context, ec *entityui.EntityContext) (template.HTML, error) {
	var v overviewView
	for _, n := range ec.Shell.Tree().ChildrenFor(OverviewID, entityui.CardsInput, ec.Raw) {
		cr, ok := n.Extension.Renderer.(entityui.CardRenderer)
		if !ok {
			continue
		}
		c, err := cr.RenderCard(ctx, ec)
		if err != nil {
			return "", err
		}
		slug := strings.NewReplacer(":", "-", "/", "-").Replace(n.ID())
		cv := cardView{ID: n.ID(), HeadingID: slug + "-h", Title: c.Title, Body: c.Body}
		switch typ, _ := n.Config["type"].(string); typ {
		case "summary":
			v.Summary = append(v.Summary, cv)
		case "info":
			v.Info = append(v.Info, cv)
		default:
			v.Content = append(v.Content, cv)
		}
	}
	return pageTemplates.Execute("entity-overview.html", v)
}
