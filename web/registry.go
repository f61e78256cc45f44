package web

import (
	"context"
	"net/http"
	"sync"

	"github.com/portico-dev/portico/config"
	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/web/extension"
)

// PageHandler renders one page. It is the Renderer payload of a page extension. Config is the
// extension's resolved config (path and anything the page's schema declares).
type PageHandler interface {
	ServePage(w http.ResponseWriter, r *http.Request, page *Page)
}

// PageHandlerFunc adapts a function to PageHandler.
type PageHandlerFunc func(w http.ResponseWriter, r *http.Request, page *Page)

// ServePage calls f.
func (f PageHandlerFunc) ServePage(w http.ResponseWriter, r *http.Request, page *Page) { f(w, r, page) }

// NavTarget is the Renderer payload of a nav-item extension: the page it points at.
type NavTarget struct {
	// PageID is the page extension whose (possibly reconfigured) path the item links to.
	PageID string
}

// Registry collects the UI extensions plugins contribute during their init. The app plugin
// resolves it once every plugin has initialised.
type Registry struct {
	mu     sync.Mutex
	exts   []extension.Extension
	assets []Assets
}

// Add contributes extensions.
func (r *Registry) Add(exts ...extension.Extension) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.exts = append(r.exts, exts...)
}

// AddAssets contributes a plugin's static files (its stylesheets and scripts are linked from
// every page).
func (r *Registry) AddAssets(a Assets) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.assets = append(r.assets, a)
}

// Assets returns the contributed static files, in the order they were added.
func (r *Registry) Assets() []Assets {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Assets(nil), r.assets...)
}

// Extensions returns every contributed extension plus the shell's own.
func (r *Registry) Extensions() []extension.Extension {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append(shellExtensions(), r.exts...)
}

// Unknown returns the app.extensions entries of cfg that name no contributed extension, as the
// app resolves them at start-up (where it warns about each): a config written for Backstage
// names extensions of plugins Portico does not ship. The admin page and `portico config check`
// list them. Call it once every plugin has initialised.
func (r *Registry) Unknown(cfg *config.Config) ([]extension.Unknown, error) {
	v, ok := cfg.Get("app.extensions")
	if !ok {
		return nil, nil
	}
	overrides, err := extension.ParseOverrides(v)
	if err != nil {
		return nil, err
	}
	tree, err := extension.Resolve(r.Extensions(), overrides)
	if err != nil {
		return nil, err
	}
	return tree.Unknown(), nil
}

// RegistryService is the root service plugins use to contribute UI extensions.
var RegistryService = framework.NewServiceRef[*Registry]("web.registry", framework.ScopeRoot)

// RegistryFactory provides RegistryService; add it to the backend with the plugins.
func RegistryFactory() framework.ServiceFactory {
	return framework.NewServiceFactory(RegistryService, func(context.Context, *framework.Deps) (*Registry, error) {
		return &Registry{}, nil
	})
}

// Shell extension IDs: the layout and its inputs, mirroring Backstage's app tree.
const (
	AppID       = "app"
	LayoutID    = "app/layout"
	NavID       = "app/nav"
	RoutesID    = "app/routes"
	inputApp    = "app"
	inputRoot   = "root"
	inputNav    = "nav"
	inputRoutes = "content"
)

func shellExtensions() []extension.Extension {
	return []extension.Extension{
		{ID: AppID, AttachTo: extension.AttachTo{ID: extension.RootID, Input: inputApp}},
		{ID: LayoutID, AttachTo: extension.AttachTo{ID: AppID, Input: inputRoot}},
		{ID: NavID, AttachTo: extension.AttachTo{ID: LayoutID, Input: inputNav}},
		{ID: RoutesID, AttachTo: extension.AttachTo{ID: LayoutID, Input: inputRoutes}},
	}
}
