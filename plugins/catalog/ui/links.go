package ui

import (
	"github.com/portico-dev/portico/plugins/catalog/entityui"
	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/web"
)

// links builds URLs to the catalog pages at their configured paths (see entityui.Links).
type links = entityui.Links

func linksFor(s *web.Shell) links { return entityui.LinksFor(s) }

// humanRef is Backstage's humanizeEntityRef (see entityui.HumanRef).
func humanRef(ref model.EntityRef, defaultKind string) string {
	return entityui.HumanRef(ref, defaultKind)
}
