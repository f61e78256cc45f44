package ui

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/portico-dev/portico/plugins/catalog/entityui"
	"github.com/portico-dev/portico/plugins/catalog/query"
	"github.com/portico-dev/portico/plugins/catalog/reader"
	"github.com/portico-dev/portico/web"
	"github.com/portico-dev/portico/web/extension"
)

// Extension IDs of the catalog pages and the entity page's overview tab.
// Other plugins use the same constants from entityui.
const (
	IndexPageID  = entityui.IndexPageID
	EntityPageID = entityui.EntityPageID
	OverviewID   = entityui.OverviewID
)

// Default mount paths, as in Backstage. The entity path uses net/http ServeMux wildcards.
const (
	DefaultIndexPath  = "/catalog"
	DefaultEntityPath = "/catalog/{namespace}/{kind}/{name}"
)

// Reader is the part of the catalog's read side the pages use; *reader.Reader implements it.
type Reader interface {
	Query(ctx context.Context, req reader.QueryRequest) (reader.QueryResult, error)
	Facets(ctx context.Context, facets []string, filter *query.Expr) (map[string][]reader.FacetCount, error)
	ByRef(ctx context.Context, ref string) (json.RawMessage, error)
	ByRefs(ctx context.Context, refs []string, filter *query.Expr, fields []string) ([]json.RawMessage, error)
}

var _ Reader = (*reader.Reader)(nil)

// Options configure the catalog pages.
type Options struct {
	Logger *slog.Logger
	// FacetTTL is how long filter counts are reused for the same filter (default 5s, longer
	// for counts that take long: 100 times their cost; negative disables the cache). Counting
	// scans every matching entity, so at 100k entities it costs more than the page itself;
	// counts a few seconds old are fine for a picker.
	FacetTTL time.Duration
	// Now is the clock of the facet cache (default time.Now).
	Now func() time.Time
	// Writer, when set with Locations, enables the register page and the entity page's
	// refresh and unregister actions.
	Writer    Writer
	Locations LocationReader
	// Settings, when set, enables the star action, the "starred" and "owned" filters of the
	// index.
	Settings UserSettings
	// Readonly (catalog.readonly) hides the register nav item and the unregister action and
	// refuses registration and removal with a message.
	Readonly bool
	// Permissions, when set, hides the actions the user may not take (see Permissions).
	Permissions Permissions
}

// Register contributes the catalog pages, nav item, overview tab and cards to reg and returns
// them (run Pages.KeepCountsWarm beside them).
func Register(reg *web.Registry, r Reader, opts Options) *Pages {
	p := New(r, opts)
	reg.Add(p.Extensions()...)
	reg.AddAssets(Assets())
	return p
}

// Extensions returns the catalog's UI extensions reading from r.
func Extensions(r Reader, opts Options) []extension.Extension {
	return New(r, opts).Extensions()
}

// Pages are the catalog's UI extensions over one reader.
type Pages struct {
	idx  *indexPage
	exts []extension.Extension
	log  *slog.Logger
}

// Extensions returns the pages, nav item, overview tab, cards and actions.
func (p *Pages) Extensions() []extension.Extension { return p.exts }

// countsRewarm is how often KeepCountsWarm looks for default views without cached counts.
const countsRewarm = 30 * time.Second

// WarmCounts computes the filter counts of the index's default views (the kind picker, the
// default kind, every kind) for callers whose reads are not restricted, unless they are
// cached already. A large catalog's counts take long to compute (docs/performance.md,
// "Filter counts"): warmed, no request waits for them (the cache then refreshes them in the background as they age).
func (p *Pages) WarmCounts(ctx context.Context) error { return p.idx.warm(ctx) }

// KeepCountsWarm runs WarmCounts now and every 30 seconds until ctx ends, so counts that
// were missing (an empty catalog at start-up, an eviction) are filled without a request
// waiting for them. It returns nil when ctx ends.
func (p *Pages) KeepCountsWarm(ctx context.Context) error {
	t := time.NewTicker(countsRewarm)
	defer t.Stop()
	for {
		if err := p.WarmCounts(ctx); err != nil && ctx.Err() == nil {
			p.log.Warn("warming catalog filter counts failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// New returns the catalog's UI extensions reading from r.
func New(r Reader, opts Options) *Pages {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.FacetTTL == 0 {
		opts.FacetTTL = 5 * time.Second
	}
	idx := &indexPage{r: r, log: opts.Logger, facets: newFacetCache(opts.FacetTTL, opts.Now), settings: opts.Settings}
	ent := &entityPage{r: r, log: opts.Logger}
	exts := []extension.Extension{
		// The index filters by ?q=: the header's search box submits there until a search page exists.
		extension.Page(extension.PageSpec{Namespace: "catalog", Path: DefaultIndexPath, Roles: []string{extension.RoleSearchFallback, extension.RoleIndex}, Renderer: idx}),
		extension.NavItem(extension.NavItemSpec{Namespace: "catalog", Title: "Catalog", Icon: "catalog", Renderer: web.NavTarget{PageID: IndexPageID}}),
		extension.Page(extension.PageSpec{Namespace: "catalog", Name: "entity", Path: DefaultEntityPath, Renderer: ent}),
		entityui.ContentExtension(entityui.ContentSpec{Namespace: "catalog", Name: "overview", Path: "/", Title: "Overview", Renderer: overview{}}),
	}
	exts = append(exts, cardExtensions()...)
	exts = append(exts, headerActionExtensions(opts, opts.Writer != nil && opts.Locations != nil)...)
	if opts.Writer != nil && opts.Locations != nil {
		exts = append(exts, writeExtensions(r, opts)...)
	}
	return &Pages{idx: idx, exts: exts, log: opts.Logger}
}
