package resolvers

import (
	"context"

	catalogclient "github.com/portico-dev/portico/plugins/catalog/client"
	"github.com/portico-dev/portico/plugins/catalog/model"
)

// FromClient adapts the catalog's public client to Catalog.
func FromClient(c *catalogclient.Client) Catalog { return clientCatalog{c} }

type clientCatalog struct{ c *catalogclient.Client }

func (cc clientCatalog) EntityByRef(ctx context.Context, ref string) (*Entity, error) {
	e, err := cc.c.GetEntityByRef(ctx, ref)
	if err != nil || e == nil {
		return nil, err
	}
	return resolverEntity(e), nil
}

func (cc clientCatalog) QueryEntities(ctx context.Context, filter string) ([]*Entity, error) {
	es, err := cc.c.QueryEntities(ctx, []string{filter}, nil)
	if err != nil {
		return nil, err
	}
	out := make([]*Entity, 0, len(es))
	for _, e := range es {
		out = append(out, resolverEntity(e))
	}
	return out, nil
}

// resolverEntity is the part of a catalog entity sign-in resolvers read: its reference and the
// targets of its memberOf and childOf relations.
func resolverEntity(e *model.Entity) *Entity {
	out := &Entity{Ref: e.Ref().String()}
	for _, rel := range e.Relations {
		switch rel.Type {
		case "memberOf":
			out.MemberOf = append(out.MemberOf, rel.TargetRef)
		case "childOf":
			out.ChildOf = append(out.ChildOf, rel.TargetRef)
		}
	}
	return out
}
