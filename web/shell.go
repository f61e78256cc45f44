package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"

	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/framework/auth"
	"github.com/portico-dev/portico/web/extension"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Options configure the shell.
type Options struct {
	Title   string // app.title (default "Portico")
	OrgName string // organization.name
	// DevDir, when set, serves templates and static files from this directory (the web/ folder
	// of a checkout) and re-reads them on every request, for fast iteration on the UI.
	DevDir string
	Logger *slog.Logger
	// Assets are the plugins' static files (Registry.Assets).
	Assets []Assets
	// Support is app.support: the header's Support menu and the error pages' link (nil: none).
	Support *Support
	// Icon renders a named icon (app.support items name theirs); nil renders none.
	Icon func(name string) template.HTML
	// PageViewed, when set, is told of every page a GET request rendered successfully, with
	// the page's title (visit tracking). It must not block.
	PageViewed func(r *http.Request, title string)
}

// Support is Backstage's app.support: where people get help, shown as a Support menu in the
// header and a link on the error pages.
// Its fields carry app-config tags, so the app plugin decodes app.support into it.
type Support struct {
	URL   string        `config:"url,required"`
	Items []SupportItem `config:"items"`
}

// SupportItem is one group of the Support menu.
type SupportItem struct {
	Title string        `config:"title,required"`
	Icon  string        `config:"icon"`
	Links []SupportLink `config:"links"`
}

// SupportLink is one link of a SupportItem.
type SupportLink struct {
	URL   string `config:"url,required"`
	Title string `config:"title"`
}

// Shell renders pages inside the portal's layout and serves its assets.
type Shell struct {
	opts      Options
	tree      *extension.Tree
	pages     []*Page
	nav       []navEntry
	tmpl      *template.Template
	staticSum string // content hash, appended to asset URLs so browsers may cache forever
	static    fs.FS
	// The plugins' assets, and the URLs of their stylesheets and scripts every page links.
	assets               []*pluginAssets
	stylesheets, scripts []string
	// pageStylesheets are the URLs of the stylesheets pages link on demand, by namespace/name.
	pageStylesheets map[string]string
}

// Page is a mounted page extension.
type Page struct {
	shell   *Shell
	Node    *extension.Node
	Path    string // mount path from the resolved config
	handler PageHandler
}

// Config returns the page's resolved extension config.
func (p *Page) Config() map[string]any { return p.Node.Config }

// HasRole reports whether the page declares role (extension.RoleSignIn…).
func (p *Page) HasRole(role string) bool { return p.Node.Extension.HasRole(role) }

// ProfileLinker is implemented by a page renderer that shows users' and groups' profiles (the
// catalog's entity page): the header's user menu links the signed-in user's name there.
// ProfileHref returns "" when it has no page for entityRef, such as an entity missing from
// the catalog (a guest's), so no link leads to a 404.
type ProfileLinker interface {
	ProfileHref(ctx context.Context, page *Page, entityRef string) string
}

// Shell returns the shell the page renders in.
func (p *Page) Shell() *Shell { return p.shell }

type navEntry struct {
	Title, Icon, Href string
}

// New builds the shell from the resolved extension tree, checking every template.
func New(opts Options, tree *extension.Tree) (*Shell, error) {
	if opts.Title == "" {
		opts.Title = "Portico"
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Shell{opts: opts, tree: tree, static: mustSub(staticFS, "static"), pageStylesheets: map[string]string{}}
	if opts.DevDir != "" {
		s.static = os.DirFS(opts.DevDir + "/static")
	}
	if err := s.loadTemplates(); err != nil {
		return nil, err
	}
	sum, err := hashFS(s.static)
	if err != nil {
		return nil, err
	}
	s.staticSum = sum
	if err := s.addAssets(opts.Assets); err != nil {
		return nil, err
	}
	paths := map[string]string{}
	for _, n := range tree.Children(RoutesID, "routes") {
		path, _ := n.Config["path"].(string)
		if path == "" || !strings.HasPrefix(path, "/") {
			return nil, fmt.Errorf("app.extensions %s: config.path: must start with /, got %q", n.ID(), path)
		}
		path = strings.TrimRight(path, "/")
		if path == "" {
			path = "/"
		}
		if other, dup := paths[path]; dup {
			return nil, fmt.Errorf("app.extensions %s: config.path: %q is already the path of %s", n.ID(), path, other)
		}
		paths[path] = n.ID()
		h, ok := n.Extension.Renderer.(PageHandler)
		if !ok {
			return nil, fmt.Errorf("extension %s: renderer is %T, want web.PageHandler", n.ID(), n.Extension.Renderer)
		}
		s.pages = append(s.pages, &Page{shell: s, Node: n, Path: path, handler: h})
	}
	pagePath := func(id string) string {
		for _, p := range s.pages {
			if p.Node.ID() == id {
				return p.Path
			}
		}
		return ""
	}
	for _, n := range tree.Children(NavID, "items") {
		target, _ := n.Extension.Renderer.(NavTarget)
		href := pagePath(target.PageID)
		if href == "" {
			continue // its page is disabled: no dead link in the sidebar
		}
		title, _ := n.Config["title"].(string)
		icon, _ := n.Config["icon"].(string)
		s.nav = append(s.nav, navEntry{Title: title, Icon: icon, Href: href})
	}
	return s, nil
}

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // the embedded directory exists at compile time
	}
	return sub
}

func (s *Shell) loadTemplates() error {
	var src fs.FS = templateFS
	pattern := "templates/*.html"
	if s.opts.DevDir != "" {
		src = os.DirFS(s.opts.DevDir)
	}
	t, err := template.New("").Funcs(template.FuncMap{
		"asset": func(name string) string { return "/static/" + name + "?v=" + s.staticSum },
	}).ParseFS(src, pattern)
	if err != nil {
		return fmt.Errorf("web templates: %w", err)
	}
	s.tmpl = t
	return nil
}

func hashFS(f fs.FS) (string, error) {
	h := sha256.New()
	var names []string
	err := fs.WalkDir(f, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, p)
		}
		return err
	})
	if err != nil {
		return "", fmt.Errorf("web static files: %w", err)
	}
	sort.Strings(names)
	for _, n := range names {
		b, err := fs.ReadFile(f, n)
		if err != nil {
			return "", err
		}
		h.Write([]byte(n))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}

// Pages returns the mounted pages in order.
func (s *Shell) Pages() []*Page { return append([]*Page(nil), s.pages...) }

// PagePath returns the mount path of a page extension, or "" when it is not enabled.
func (s *Shell) PagePath(id string) string {
	for _, p := range s.pages {
		if p.Node.ID() == id {
			return p.Path
		}
	}
	return ""
}

// RolePath returns the mount path of the first enabled page declaring role
// (extension.RoleSignIn…), or "" when none does.
func (s *Shell) RolePath(role string) string {
	for _, p := range s.pages {
		if p.HasRole(role) {
			return p.Path
		}
	}
	return ""
}

// Tree returns the resolved extension tree (pages use it to find their cards and tabs).
func (s *Shell) Tree() *extension.Tree { return s.tree }

// Mount registers the pages, the static assets and the not-found page on the root router.
func (s *Shell) Mount(router framework.RootHTTPRouter) {
	router.Handle("GET /static/", http.StripPrefix("/static/", s.staticHandler()))
	// Browsers ask for /favicon.ico where a page does not link its icon (the API's JSON, a
	// plugin's bare HTML): they get the shell's SVG icon.
	router.Handle("GET /favicon.ico", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		http.Redirect(w, r, "/static/favicon.svg?v="+s.staticSum, http.StatusFound)
	}))
	// Every page's form posts are refused when they come from another origin (Sec-Fetch-Site or
	// Origin), whichever plugin serves the page: one check for all of them.
	cop := http.NewCrossOriginProtection()
	for _, p := range s.pages {
		p := p
		h := cop.Handler(refuseNUL(s.requireIdentity(p, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p.handler.ServePage(w, s.withSupport(withPageAssets(r)), p)
		}))))
		if p.Path == "/" {
			router.Handle("/{$}", h)
			continue
		}
		// The page owns its path and everything below it, for every method (forms post back).
		router.Handle(p.Path, h)
		router.Handle(p.Path+"/", h)
	}
	if target := s.rootRedirect(); target != "" {
		// Pages keep Backstage's default paths (the home page at /home, the catalog at
		// /catalog), so / is free unless config moves a page there (create-app puts the catalog
		// at /). When nothing is, / sends people to the home page (RoleHome), else to the index
		// (RoleIndex: the catalog), as Backstage's default app navigates / to the catalog.
		router.Handle("/{$}", http.RedirectHandler(target, http.StatusFound))
	}
	router.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.NotFound(w, r)
	}))
}

// rootRedirect is where / sends people when no page is mounted there: the page with RoleHome,
// else RoleIndex, else the first page that has a nav item; "" when a page is at / or none fits.
func (s *Shell) rootRedirect() string {
	for _, p := range s.pages {
		if p.Path == "/" {
			return ""
		}
	}
	for _, role := range []string{extension.RoleHome, extension.RoleIndex} {
		if p := s.RolePath(role); p != "" {
			return p
		}
	}
	if len(s.nav) > 0 {
		return s.nav[0].Href
	}
	return ""
}

// refuseNUL answers 400 to a page request whose path, query or form holds a NUL character,
// which no page can use (framework.HasNUL, the rule of the API routes).
func refuseNUL(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if framework.HasNUL(r) {
			http.Error(w, "Bad Request: the address or a form field contains a NUL character", http.StatusBadRequest)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// requireIdentity sends visitors without credentials to the sign-in page, when the portal has
// one (a backend without the auth plugin serves its pages to anyone). Credentials come from the
// framework's root middleware (the portico-token cookie or a bearer token).
func (s *Shell) requireIdentity(p *Page, next http.Handler) http.Handler {
	signIn := s.RolePath(extension.RoleSignIn)
	if signIn == "" || p.HasRole(extension.RoleSignIn) || p.HasRole(extension.RoleSignOut) {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, ok := auth.FromContext(r.Context()); ok && !c.IsNone() {
			next.ServeHTTP(w, r)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "Sign in first", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		http.Redirect(w, r, signIn+"?redirect="+url.QueryEscape(r.URL.RequestURI()), http.StatusFound)
	})
}

// userView is the signed-in user shown in the header's menu.
type userView struct {
	Ref, Name, ProfileHref, SettingsHref, SignOutHref string
	// Provider and ExpiresAt let the page script refresh the session before it expires.
	Provider  string
	ExpiresAt int64
}

// userFromRequest returns the header's user, or nil when nobody is signed in.
func (s *Shell) userFromRequest(r *http.Request) *userView {
	c, ok := auth.FromContext(r.Context())
	if !ok {
		return nil
	}
	u, ok := c.User()
	if !ok {
		return nil
	}
	v := &userView{Ref: u.UserEntityRef, Name: u.UserEntityRef, SettingsHref: s.RolePath(extension.RoleSettings), SignOutHref: s.RolePath(extension.RoleSignOut)}
	if _, rest, ok := strings.Cut(u.UserEntityRef, ":"); ok {
		_, v.Name, _ = strings.Cut(rest, "/")
	}
	v.ProfileHref = s.ProfileHref(r.Context(), u.UserEntityRef)
	if !c.ExpiresAt.IsZero() {
		v.ExpiresAt = c.ExpiresAt.Unix()
	}
	if pc, err := r.Cookie("portico-auth-provider"); err == nil {
		v.Provider = pc.Value
	}
	return v
}

// ProfileHref returns the page of entityRef's profile (a user or a group) from the first page
// that has one (ProfileLinker), or "" when none does.
func (s *Shell) ProfileHref(ctx context.Context, entityRef string) string {
	for _, p := range s.pages {
		if pl, ok := p.handler.(ProfileLinker); ok {
			if href := pl.ProfileHref(ctx, p, entityRef); href != "" {
				return href
			}
		}
	}
	return ""
}

// staticHandler serves the shell's static files and, below /static/<namespace>/, the
// plugins' (the request path has /static/ stripped).
func (s *Shell) staticHandler() http.Handler {
	sum := s.staticSum
	if s.opts.DevDir != "" {
		sum = "" // files change under the running server
	}
	own := cacheByHash(s.static, sum)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ns, _, nested := strings.Cut(r.URL.Path, "/")
		if nested {
			for _, a := range s.assets {
				if a.Namespace == ns {
					a.handler.ServeHTTP(w, r)
					return
				}
			}
		}
		own.ServeHTTP(w, r)
	})
}

// View is what a page renders into the layout.
type View struct {
	Title  string        // page title (the browser title is "Title | app title")
	Main   template.HTML // the page body, rendered by the page's own template
	Status int           // HTTP status; 0 means 200
}

type layoutData struct {
	AppTitle, OrgName, Title string
	Support                  *supportView
	Nav                      []navItemView
	SearchPath, Query        string
	Theme                    string
	Main                     template.HTML
	User                     *userView
	// The plugins' stylesheets and scripts (URLs), linked after the shell's.
	Stylesheets, Scripts []string
}

type navItemView struct {
	navEntry
	Active bool
}

// Render writes v inside the layout.
func (s *Shell) Render(w http.ResponseWriter, r *http.Request, v View) {
	if s.opts.DevDir != "" {
		if err := s.loadTemplates(); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
	}
	data := layoutData{
		AppTitle:    s.opts.Title,
		OrgName:     s.opts.OrgName,
		Title:       v.Title,
		SearchPath:  s.searchPath(),
		Query:       r.URL.Query().Get("q"),
		Theme:       ThemeFromRequest(r),
		Main:        v.Main,
		User:        s.userFromRequest(r),
		Stylesheets: s.stylesheetsFor(r),
		Scripts:     s.scripts,
		Support:     s.supportView(),
	}
	for _, n := range s.nav {
		active := r.URL.Path == n.Href || (n.Href != "/" && strings.HasPrefix(r.URL.Path, n.Href+"/"))
		data.Nav = append(data.Nav, navItemView{navEntry: n, Active: active})
	}
	var buf bytes.Buffer
	if err := s.tmpl.ExecuteTemplate(&buf, "layout.html", data); err != nil {
		s.opts.Logger.Error("render layout", "err", err)
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if w.Header().Get("Cache-Control") == "" {
		// Pages show the signed-in user and live data: kept by the browser only, and checked
		// with the server on every use (back and forward still work from memory).
		w.Header().Set("Cache-Control", "private, no-cache")
	}
	if v.Status != 0 {
		w.WriteHeader(v.Status)
	}
	_, _ = buf.WriteTo(w)
	if s.opts.PageViewed != nil && r.Method == http.MethodGet && (v.Status == 0 || v.Status == http.StatusOK) {
		s.opts.PageViewed(r, v.Title)
	}
}

// supportView is app.support as the layout shows it, icons rendered; nil without support.
type supportView struct {
	URL   string
	Items []supportItemView
}

type supportItemView struct {
	SupportItem
	Icon template.HTML
}

func (s *Shell) supportView() *supportView {
	sp := s.opts.Support
	if sp == nil {
		return nil
	}
	v := &supportView{URL: sp.URL}
	for _, it := range sp.Items {
		iv := supportItemView{SupportItem: it}
		if s.opts.Icon != nil && it.Icon != "" {
			iv.Icon = s.opts.Icon(it.Icon)
		}
		v.Items = append(v.Items, iv)
	}
	return v
}

// execute renders one of the shell's own templates (plugins render theirs with
// web.Templates).
func (s *Shell) execute(name string, data any) (template.HTML, error) {
	var buf bytes.Buffer
	if err := s.tmpl.ExecuteTemplate(&buf, name, data); err != nil {
		return "", fmt.Errorf("render %s: %w", name, err)
	}
	return template.HTML(buf.String()), nil // output of html/template, already escaped
}

// OrgName is organization.name.
func (s *Shell) OrgName() string { return s.opts.OrgName }

// SearchPath is where search forms submit.
func (s *Shell) SearchPath() string { return s.searchPath() }

// searchPath is where the header's search box sends queries: the search page when one is
// enabled, otherwise a page that filters by text (the catalog index declares that role).
func (s *Shell) searchPath() string {
	if p := s.RolePath(extension.RoleSearch); p != "" {
		return p
	}
	if p := s.RolePath(extension.RoleSearchFallback); p != "" {
		return p
	}
	return "/"
}

// NotFound renders the 404 page, which offers a search.
func (s *Shell) NotFound(w http.ResponseWriter, r *http.Request) {
	body, err := s.execute("notfound.html", map[string]any{"Path": r.URL.Path, "SearchPath": s.searchPath(), "Support": s.supportView()})
	if err != nil {
		http.Error(w, "Not Found", http.StatusNotFound)
		return
	}
	s.Render(w, r, View{Title: "Page not found", Main: body, Status: http.StatusNotFound})
}

// ThemeCookie stores the user's theme choice: light, dark or system (the default).
const ThemeCookie = "portico-theme"

// ThemeFromRequest returns the theme the request asks for.
func ThemeFromRequest(r *http.Request) string {
	if c, err := r.Cookie(ThemeCookie); err == nil {
		switch c.Value {
		case "light", "dark":
			return c.Value
		}
	}
	return "system"
}

// withSupport carries app.support's URL in the request's context, so that ServerError can
// point a person at it from a failed page.
func (s *Shell) withSupport(r *http.Request) *http.Request {
	if s.opts.Support == nil || s.opts.Support.URL == "" {
		return r
	}
	return r.WithContext(context.WithValue(r.Context(), supportURLKey{}, s.opts.Support.URL))
}
