package ui

import (
	"cmp"
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/portico-dev/portico/plugins/catalog/entityui"
	"github.com/portico-dev/portico/web"
	"github.com/portico-dev/portico/web/extension"
)

// Extension IDs and the explorer's default mount path, as in Backstage.
const (
	ExplorerPageID  = "page:api-docs"
	NavItemID       = "nav-item:api-docs"
	DefinitionTabID = "entity-content:api-docs/definition"
	DefaultPath     = "/api-docs"
)

// Options configure the api-docs UI.
type Options struct {
	Logger *slog.Logger
	// CatalogURL returns the catalog API's base URL (discovery's BaseURL("catalog")).
	CatalogURL func() string
	// HTTPClient calls the catalog (default: a client with a 10s timeout).
	HTTPClient *http.Client
	// CatalogToken returns the bearer token for a catalog call made while serving a page
	// (a service token on behalf of the page's caller). Without it, the page request's own
	// Authorization header is forwarded.
	CatalogToken func(ctx context.Context) (string, error)
}

// Extensions returns the api-docs UI extensions: the explorer page and its nav item, and the
// Definition tab on API entities.
func Extensions(opts Options) []extension.Extension {
	log := cmp.Or(opts.Logger, slog.New(slog.DiscardHandler))
	client := opts.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	explorer := &explorerPage{catalog: catalogClient{baseURL: opts.CatalogURL, http: client}, log: log, token: opts.CatalogToken}
	tab := entityui.ContentExtension(entityui.ContentSpec{
		Namespace: "api-docs", Name: "definition", Path: "/definition", Title: "Definition",
		Filter: "kind:api", Renderer: definitionTab{log: log},
	})
	tab.AttachTo = entityui.AttachContent()
	return []extension.Extension{
		extension.Page(extension.PageSpec{Namespace: "api-docs", Path: DefaultPath, Renderer: explorer}),
		extension.NavItem(extension.NavItemSpec{Namespace: "api-docs", Title: "APIs", Icon: "api", Renderer: web.NavTarget{PageID: ExplorerPageID}}),
		tab,
	}
}

var _ entityui.ContentRenderer = definitionTab{}
