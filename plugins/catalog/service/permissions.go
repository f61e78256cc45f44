package service

// The catalog's permission definitions and rules: what Backstage's catalog-common and
// catalog-backend declare. The checks that use them are in service.go.

import (
	"slices"

	"github.com/portico-dev/portico/framework/permissions"
	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/plugins/catalog/query"
)

// EntityResourceType is the resource type of catalog entities; resource refs are entity refs.
const EntityResourceType = "catalog-entity"

// The catalog's permissions, as Backstage's catalog-common defines them.
var (
	PermEntityRead       = permissions.Resource("catalog.entity.read", permissions.ActionRead, EntityResourceType)
	PermEntityCreate     = permissions.Basic("catalog.entity.create", permissions.ActionCreate)
	PermEntityRefresh    = permissions.Resource("catalog.entity.refresh", permissions.ActionUpdate, EntityResourceType)
	PermEntityDelete     = permissions.Resource("catalog.entity.delete", permissions.ActionDelete, EntityResourceType)
	PermEntityValidate   = permissions.Basic("catalog.entity.validate", "")
	PermLocationRead     = permissions.Basic("catalog.location.read", permissions.ActionRead)
	PermLocationCreate   = permissions.Basic("catalog.location.create", permissions.ActionCreate)
	PermLocationDelete   = permissions.Basic("catalog.location.delete", permissions.ActionDelete)
	PermLocationAnalyze  = permissions.Basic("catalog.location.analyze", "")
	catalogPermissionSet = []permissions.Permission{
		PermEntityRead, PermEntityCreate, PermEntityRefresh, PermEntityDelete, PermEntityValidate,
		PermLocationRead, PermLocationCreate, PermLocationDelete, PermLocationAnalyze,
	}
)

// PermissionSet returns the catalog's permissions, in the order its integration lists them.
func PermissionSet() []permissions.Permission { return slices.Clone(catalogPermissionSet) }

// Entity is the resource the catalog's rules apply to: a decoded final entity.
type Entity = map[string]any

// EntityRule is a catalog permission rule.
type EntityRule = permissions.Rule[Entity, *query.Expr]

var stringArray = map[string]any{"type": "array", "items": map[string]any{"type": "string"}}
var stringSchema = map[string]any{"type": "string"}

// EntityRules returns the catalog's rules: IS_ENTITY_KIND, IS_ENTITY_OWNER, HAS_ANNOTATION,
// HAS_LABEL, HAS_METADATA, HAS_SPEC. Each Apply evaluates its ToQuery over the entity's search
// rows (keys and values lower-cased), so both accept the same entities.
func EntityRules() []EntityRule {
	keyValue := func(name, desc, keyParam, prefix string) EntityRule {
		return fromQuery(permissions.RuleSpec[Entity, *query.Expr]{
			Name: name, Description: desc, ResourceType: EntityResourceType,
			Params: []permissions.ParamSpec{
				{Name: keyParam, Schema: stringSchema, Required: true},
				{Name: "value", Schema: stringSchema},
			},
			ToQuery: func(p map[string]any) *query.Expr {
				key, _ := p[keyParam].(string)
				if value, ok := p["value"].(string); ok {
					e := query.In(prefix+key, value)
					return &e
				}
				e := query.Exists(prefix + key)
				return &e
			},
		})
	}
	return []EntityRule{
		fromQuery(permissions.RuleSpec[Entity, *query.Expr]{
			Name: "IS_ENTITY_KIND", Description: "Allow entities matching a specified kind",
			ResourceType: EntityResourceType,
			Params:       []permissions.ParamSpec{{Name: "kinds", Schema: stringArray, Required: true}},
			ToQuery: func(p map[string]any) *query.Expr {
				e := query.In("kind", stringList(p["kinds"])...)
				return &e
			},
		}),
		fromQuery(permissions.RuleSpec[Entity, *query.Expr]{
			Name: "IS_ENTITY_OWNER", Description: "Allow entities owned by a specified claim",
			ResourceType: EntityResourceType,
			Params:       []permissions.ParamSpec{{Name: "claims", Schema: stringArray, Required: true}},
			ToQuery: func(p map[string]any) *query.Expr {
				e := query.In("relations."+model.RelationOwnedBy, stringList(p["claims"])...)
				return &e
			},
		}),
		keyValue("HAS_ANNOTATION", "Allow entities with the specified annotation", "annotation", "metadata.annotations."),
		keyValue("HAS_LABEL", "Allow entities with the specified label", "label", "metadata.labels."),
		keyValue("HAS_METADATA", "Allow entities with the specified metadata subfield", "key", "metadata."),
		keyValue("HAS_SPEC", "Allow entities with the specified spec subfield", "key", "spec."),
	}
}

// stringList reads a decoded JSON string array.
func stringList(v any) []string {
	switch t := v.(type) {
	case []string:
		return t
	case []any:
		out := make([]string, 0, len(t))
		for _, e := range t {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// fromQuery makes a rule whose Apply matches its ToQuery over the entity's search rows, so
// both always accept the same entities.
func fromQuery(spec permissions.RuleSpec[Entity, *query.Expr]) EntityRule {
	spec.Apply = func(e Entity, p map[string]any) bool { return query.Matches(*spec.ToQuery(p), e) }
	return permissions.NewRule(spec)
}

// exprCombinators build catalog filters from criteria.
var exprCombinators = permissions.Combinators[*query.Expr]{
	All: func(qs ...*query.Expr) *query.Expr { e := query.All(deref(qs)...); return &e },
	Any: func(qs ...*query.Expr) *query.Expr { e := query.Any(deref(qs)...); return &e },
	Not: func(q *query.Expr) *query.Expr { e := query.Not(*q); return &e },
}

func deref(qs []*query.Expr) []query.Expr {
	out := make([]query.Expr, len(qs))
	for i, q := range qs {
		out[i] = *q
	}
	return out
}

// nothing matches no entity.
func nothing() *query.Expr { e := query.Any(); return &e }
