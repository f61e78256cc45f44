package app

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // the world clock's zones, in a static binary on a host without tz data

	"github.com/portico-dev/portico/config"
	"github.com/portico-dev/portico/plugins/catalog/entityui"
	"github.com/portico-dev/portico/plugins/catalog/model"
	usclient "github.com/portico-dev/portico/plugins/usersettings/client"
	"github.com/portico-dev/portico/web"
	"github.com/portico-dev/portico/web/extension"
)

// Extension IDs of Backstage's home plugin that Portico provides.
const (
	homePageID      = "page:home"
	widgetInput     = "widgets"
	widgetKind      = "home-page-widget"
	visitsAPIID     = "api:home/visits"
	visitListenerID = "app-root-element:home/visit-listener"
)

// homeConfigSchema is page:home's config: its path, the default layout (Backstage's
// defaultConfig with column/row, or the newer layoutConfig with x/y) and the toolkit links of
// Portico before the toolkit widget (still read when the widget has no tools).
const homeConfigSchema = `{
  "type": "object",
  "$defs": {
    "size": { "type": "integer", "minimum": 1 },
    "position": { "type": "integer", "minimum": 0 },
    "cells": {
      "type": "array",
      "items": {
        "type": "object",
        "required": ["component"],
        "properties": {
          "component": { "type": "string", "minLength": 1 },
          "column": { "$ref": "#/$defs/position" }, "row": { "$ref": "#/$defs/position" },
          "x": { "$ref": "#/$defs/position" }, "y": { "$ref": "#/$defs/position" },
          "width": { "$ref": "#/$defs/size" }, "height": { "$ref": "#/$defs/size" },
          "movable": { "type": "boolean" }, "deletable": { "type": "boolean" }, "resizable": { "type": "boolean" }
        }
      }
    }
  },
  "properties": {
    "path": { "type": "string", "default": "/home" },
    "defaultConfig": { "$ref": "#/$defs/cells" },
    "layoutConfig": { "$ref": "#/$defs/cells" },
    "toolkit": {
      "type": "array",
      "items": {
        "type": "object",
        "required": ["label", "url"],
        "properties": { "label": { "type": "string" }, "url": { "type": "string" }, "icon": { "type": "string" } }
      }
    }
  }
}`

const (
	anyObjectSchema = `{"type": "object"}`
	toolkitSchema   = `{"type": "object", "properties": {"tools": {"type": "array", "items": {
	  "type": "object", "required": ["url", "label"],
	  "properties": {"url": {"type": "string"}, "label": {"type": "string"}, "icon": {"type": "string"}}}}}}`
	worldClockSchema = `{"type": "object", "properties": {
	  "clockConfigs": {"type": "array", "items": {"type": "object", "required": ["label", "timeZone"],
	    "properties": {"label": {"type": "string"}, "timeZone": {"type": "string"}}}},
	  "customTimeFormat": {"type": "object", "properties": {"hour12": {"type": "boolean"}}}}}`
	visitsSchema = `{"type": "object", "properties": {
	  "numVisitsOpen": {"type": "integer", "minimum": 0}, "numVisitsTotal": {"type": "integer", "minimum": 0}}}`
)

// homeWidget is the Renderer payload of a home-page-widget extension.
type homeWidget struct {
	// components are the names a layout uses for the widget (Backstage's component names).
	components []string
	title      string // the card's heading; "" for none (the search bar)
	fullWidth  bool   // placed across the grid by the default layout
	render     func(rc *renderCtx, cfg map[string]any) (template.HTML, error)
	// check validates the resolved config at start-up (nil: the schema is enough).
	check func(cfg map[string]any) *configProblem
	// idle reports that the widget has nothing to show (no tools, no clocks, visit tracking
	// off): the default layout leaves it out; a layout that names it shows it with a hint.
	idle func(cfg, pageCfg map[string]any, visitsOn bool) bool
}

// configProblem is a widget config value the schema cannot judge: list[index].field.
type configProblem struct {
	list  string
	index int
	field string
	err   error
}

// widgetNode is an enabled widget with its resolved config.
type widgetNode struct {
	node   *extension.Node
	widget *homeWidget
}

// homeWidgets are the widgets Portico provides, with Backstage's extension IDs
// (home-page-widget:<namespace>/<name>) and component names.
func homeWidgets() []extension.Extension {
	w := func(namespace, name, schema string, hw *homeWidget) extension.Extension {
		return extension.Extension{
			ID:           extension.MakeID(widgetKind, namespace, name),
			AttachTo:     extension.AttachTo{ID: homePageID, Input: widgetInput},
			ConfigSchema: schema,
			Renderer:     hw,
		}
	}
	return []extension.Extension{
		w("search", "search-bar", anyObjectSchema, &homeWidget{components: []string{"HomePageSearchBar"}, fullWidth: true, render: renderSearchBar}),
		w("home", "starred-entities", anyObjectSchema, &homeWidget{components: []string{"HomePageStarredEntities"}, title: "Starred Entities", render: renderStarred}),
		w("home", "toolkit", toolkitSchema, &homeWidget{components: []string{"HomePageToolkit"}, title: "Toolkit", render: renderToolkit,
			idle: func(cfg, pageCfg map[string]any, _ bool) bool { return len(toolsOf(cfg, pageCfg)) == 0 }}),
		w("home", "world-clock", worldClockSchema, &homeWidget{components: []string{"HomePageWorldClock"}, title: "World Clock", render: renderWorldClock, check: checkWorldClock,
			idle: func(cfg, _ map[string]any, _ bool) bool { c, _ := cfg["clockConfigs"].([]any); return len(c) == 0 }}),
		w("home", "top-visited", visitsSchema, &homeWidget{components: []string{"HomePageTopVisited", "HomePageMostVisited"}, title: "Top Visited", render: renderVisits(true), idle: visitsIdle}),
		w("home", "recently-visited", visitsSchema, &homeWidget{components: []string{"HomePageRecentlyVisited"}, title: "Recently Visited", render: renderVisits(false), idle: visitsIdle}),
	}
}

// visitSwitches are Backstage's two switches of visit tracking, both disabled by default:
// the visits API and the listener that records every page a person opens.
func visitSwitches() []extension.Extension {
	return []extension.Extension{
		{ID: visitsAPIID, AttachTo: extension.AttachTo{ID: extension.RootID, Input: "apis"}, Disabled: true},
		{ID: visitListenerID, AttachTo: extension.AttachTo{ID: web.AppID, Input: "elements"}, Disabled: true},
	}
}

// knownComponents are the component names of every widget Portico declares, enabled or not.
func knownComponents() map[string]bool {
	out := map[string]bool{}
	for _, e := range homeWidgets() {
		out[e.ID] = true
		if _, short, ok := strings.Cut(e.ID, ":"); ok {
			out[short] = true
		}
		for _, c := range e.Renderer.(*homeWidget).components {
			out[c] = true
		}
	}
	return out
}

// enabledWidgets returns the widgets attached to the home page, in extension order.
func enabledWidgets(tree *extension.Tree, pageID string) []*widgetNode {
	var out []*widgetNode
	for _, n := range tree.Children(pageID, widgetInput) {
		if hw, ok := n.Extension.Renderer.(*homeWidget); ok {
			out = append(out, &widgetNode{node: n, widget: hw})
		}
	}
	return out
}

// userSettings reads and writes the signed-in user's settings (the user-settings plugin's
// client).
type userSettings interface {
	Get(ctx context.Context, bucket, key string, out any) (bool, error)
	Visits(ctx context.Context) ([]usclient.Visit, error)
	RecordVisit(ctx context.Context, v usclient.Visit) error
}

// homePage serves page:home: the enabled widgets placed by config.defaultConfig.
type homePage struct {
	settings userSettings // nil without the auth service: nothing personal is shown
	log      *slog.Logger
	now      func() time.Time
	// recording holds a *sync.Mutex per user: a visit is a read-modify-write of the user's
	// list, so one person's pages opened together are recorded one after the other.
	recording sync.Map
}

// configure checks the widgets' config, reports what the layout names that Portico lacks
// (once, at start-up) and switches visit recording on when app.extensions enables both
// api:home/visits and app-root-element:home/visit-listener.
func (h *homePage) configure(cfg *config.Config, tree *extension.Tree, overrides []extension.Override, opts *web.Options) error {
	widgets := enabledWidgets(tree, homePageID)
	for _, w := range widgets {
		if w.widget.check == nil {
			continue
		}
		if p := w.widget.check(w.node.Config); p != nil {
			return widgetConfigError(cfg, overrides, w.node.ID(), p)
		}
	}
	if page, ok := tree.Node(homePageID); ok {
		if pl := planLayout(layoutFromConfig(page.Config), widgets, knownComponents()); len(pl.skipped) > 0 {
			h.log.Warn("page:home defaultConfig: components skipped", "skipped", strings.Join(pl.skipped, "; "))
		}
	}
	_, api := tree.Node(visitsAPIID)
	_, listener := tree.Node(visitListenerID)
	switch {
	case api && listener && h.settings != nil:
		entityPath := ""
		if n, ok := tree.Node(entityui.EntityPageID); ok {
			entityPath, _ = n.Config["path"].(string)
		}
		opts.PageViewed = h.recorder(opts.Title, entityPath)
	case api && listener:
		h.log.Warn("visit tracking is enabled but cannot be stored: no auth service, so no user settings")
	case api != listener:
		h.log.Warn("visit tracking needs both " + visitsAPIID + " and " + visitListenerID + " enabled in app.extensions; visits are not recorded")
	}
	return nil
}

// widgetConfigError locates a widget's config problem at its file and line: the value in the
// app.extensions entry that configured the widget when the list can be read entry by entry,
// else app.extensions itself.
func widgetConfigError(cfg *config.Config, overrides []extension.Override, id string, p *configProblem) error {
	index := -1
	for _, o := range overrides {
		if o.ID == id && o.Config != nil {
			index = o.Index
		}
	}
	msg := fmt.Sprintf("%s: config.%s[%d].%s: %v", id, p.list, p.index, p.field, p.err)
	if entries, err := cfg.ConfigArray("app.extensions"); err == nil && index >= 0 && index < len(entries) {
		if items, err := entries[index].ConfigArray(id + ".config." + p.list); err == nil && p.index < len(items) {
			return items[p.index].ErrorAt(p.field, "%v", p.err)
		}
	}
	if index >= 0 {
		msg = fmt.Sprintf("app.extensions[%d] %s", index, msg)
	}
	return appExtensionsError(cfg, fmt.Errorf("%s", msg))
}

// renderCtx carries one home page request to the widgets; personal data is read once, when
// the first widget needs it.
type renderCtx struct {
	r        *http.Request
	shell    *web.Shell
	page     *web.Page
	settings userSettings
	now      time.Time
	signedIn bool
	visitsOn bool

	starred     []entityLink
	starredRead bool
	visits      []usclient.Visit
	visitsRead  bool
}

func (rc *renderCtx) starredEntities() []entityLink {
	if rc.starredRead || rc.settings == nil || !rc.signedIn {
		return rc.starred
	}
	rc.starredRead = true
	var refs []string
	if _, err := rc.settings.Get(rc.r.Context(), usclient.StarredBucket, usclient.StarredKey, &refs); err != nil {
		return nil
	}
	links := entityui.LinksFor(rc.shell)
	for _, ref := range refs {
		r, err := model.ParseEntityRef(ref, model.RefContext{})
		if err != nil {
			continue
		}
		rc.starred = append(rc.starred, entityLink{Label: r.Name, Kind: r.Kind, Href: links.Entity(r)})
	}
	return rc.starred
}

func (rc *renderCtx) recordedVisits() []usclient.Visit {
	if rc.visitsRead || rc.settings == nil || !rc.signedIn {
		return rc.visits
	}
	rc.visitsRead = true
	v, err := rc.settings.Visits(rc.r.Context())
	if err == nil {
		rc.visits = v
	}
	return rc.visits
}

// widgetView is one placed widget as home.html renders it.
type widgetView struct {
	ID, Component, Title, HeadingID string
	Style                           template.CSS
	Body                            template.HTML
}

func (h *homePage) serve(w http.ResponseWriter, r *http.Request, p *web.Page) {
	shell := p.Shell()
	if r.URL.Path != p.Path && !(p.Path == "/" && r.URL.Path == "") {
		shell.NotFound(w, r)
		return
	}
	_, signedIn := userOf(r)
	_, api := shell.Tree().Node(visitsAPIID)
	_, listener := shell.Tree().Node(visitListenerID)
	rc := &renderCtx{r: r, shell: shell, page: p, settings: h.settings, now: h.now(), signedIn: signedIn, visitsOn: api && listener}
	widgets := enabledWidgets(shell.Tree(), p.Node.ID())
	items := layoutFromConfig(p.Config())
	if items == nil {
		widgets = slices.DeleteFunc(widgets, func(w *widgetNode) bool {
			return w.widget.idle != nil && w.widget.idle(w.node.Config, p.Config(), rc.visitsOn)
		})
	}
	pl := planLayout(items, widgets, knownComponents())
	var views []widgetView
	for _, c := range pl.cells {
		wn := widgets[slices.IndexFunc(widgets, func(wn *widgetNode) bool { return wn.node.ID() == c.WidgetID })]
		body, err := wn.widget.render(rc, wn.node.Config)
		if err != nil {
			web.ServerError(w, r, nil, "render home page widget", err, "extension", c.WidgetID)
			return
		}
		views = append(views, widgetView{
			ID: c.WidgetID, Component: c.Component, Title: wn.widget.title, Body: body,
			HeadingID: fmt.Sprintf("home-widget-%d", len(views)),
			Style:     template.CSS(fmt.Sprintf("--col:%d;--row:%d;--w:%d;--h:%d", c.Column+1, c.Row+1, c.Width, c.Height)),
		})
	}
	greeting := "Welcome"
	if org := shell.OrgName(); org != "" {
		greeting = "Welcome to " + org
	}
	body, err := pageTemplates.Execute("home.html", map[string]any{
		"Greeting": greeting,
		"Note":     layoutNote(pl.skipped),
		"Widgets":  views,
	})
	if err != nil {
		web.ServerError(w, r, nil, "render home page", err)
		return
	}
	shell.Render(w, r, web.View{Main: body})
}

// layoutNote is the HTML comment naming the layout's components Portico skipped.
func layoutNote(skipped []string) template.HTML {
	if len(skipped) == 0 {
		return ""
	}
	text := strings.Join(skipped, "; ")
	text = strings.NewReplacer("--", "- -", ">", "", "<", "").Replace(text)
	// #nosec: a comment whose text cannot close it (no "--", "<" or ">").
	return template.HTML("<!-- page:home defaultConfig: skipped " + text + " -->")
}

func renderSearchBar(rc *renderCtx, _ map[string]any) (template.HTML, error) {
	return pageTemplates.Execute("widget-search", map[string]any{"SearchPath": rc.shell.SearchPath()})
}

func renderStarred(rc *renderCtx, _ map[string]any) (template.HTML, error) {
	return pageTemplates.Execute("widget-starred", map[string]any{"SignedIn": rc.signedIn, "Starred": rc.starredEntities()})
}

type toolView struct {
	Label, URL string
	Icon       template.HTML
}

// toolsOf returns the toolkit's tools: config.tools, else the toolkit page:home took before
// the widget existed.
func toolsOf(cfg, pageCfg map[string]any) []any {
	if items, _ := cfg["tools"].([]any); len(items) > 0 {
		return items
	}
	items, _ := pageCfg["toolkit"].([]any)
	return items
}

func visitsIdle(_, _ map[string]any, visitsOn bool) bool { return !visitsOn }

func renderToolkit(rc *renderCtx, cfg map[string]any) (template.HTML, error) {
	var tools []toolView
	for _, it := range toolsOf(cfg, rc.page.Config()) {
		m, _ := it.(map[string]any)
		label, _ := m["label"].(string)
		u, _ := m["url"].(string)
		icon, _ := m["icon"].(string)
		tools = append(tools, toolView{Label: label, URL: u, Icon: iconHTML(icon)})
	}
	return pageTemplates.Execute("widget-toolkit", map[string]any{"Tools": tools})
}

type clockView struct {
	Label, TimeZone, Text, DateTime string
}

// hour12 reads customTimeFormat.hour12; Backstage's clocks use the browser's locale, whose
// default (en-US) is the 12-hour clock.
func hour12(cfg map[string]any) bool {
	f, _ := cfg["customTimeFormat"].(map[string]any)
	if b, ok := f["hour12"].(bool); ok {
		return b
	}
	return true
}

// formatClock renders t as Backstage's clocks do with the en-US locale: two-digit hour and
// minute.
func formatClock(t time.Time, twelve bool) string {
	if twelve {
		return t.Format("03:04 PM")
	}
	return t.Format("15:04")
}

func renderWorldClock(rc *renderCtx, cfg map[string]any) (template.HTML, error) {
	items, _ := cfg["clockConfigs"].([]any)
	twelve := hour12(cfg)
	var clocks []clockView
	for _, it := range items {
		m, _ := it.(map[string]any)
		label, _ := m["label"].(string)
		tz, _ := m["timeZone"].(string)
		loc, err := time.LoadLocation(tz)
		if err != nil {
			continue // refused at start-up; the tz data cannot change under a running binary
		}
		t := rc.now.In(loc)
		clocks = append(clocks, clockView{Label: label, TimeZone: tz, Text: formatClock(t, twelve), DateTime: t.Format("2006-01-02T15:04-07:00")})
	}
	format, err := json.Marshal(map[string]any{"hour12": twelve})
	if err != nil {
		return "", err
	}
	return pageTemplates.Execute("widget-clock", map[string]any{"Clocks": clocks, "Format": string(format)})
}

// checkWorldClock refuses a time zone Portico cannot show (Backstage falls back to GMT in the
// browser; a typo in config deserves an error at start-up).
func checkWorldClock(cfg map[string]any) *configProblem {
	items, _ := cfg["clockConfigs"].([]any)
	for i, it := range items {
		m, _ := it.(map[string]any)
		tz, _ := m["timeZone"].(string)
		if err := validTimeZone(tz); err != nil {
			return &configProblem{list: "clockConfigs", index: i, field: "timeZone", err: err}
		}
	}
	return nil
}

// validTimeZone accepts the IANA names browsers know too ("Local" is the server's zone, which
// a browser cannot name).
func validTimeZone(tz string) error {
	if tz == "" || tz == "Local" {
		return fmt.Errorf("%q is not an IANA time zone name such as Europe/Stockholm", tz)
	}
	if _, err := time.LoadLocation(tz); err != nil {
		return fmt.Errorf("unknown time zone %q (IANA names such as America/New_York or UTC)", tz)
	}
	return nil
}

type visitView struct {
	Name, Href, Kind, Detail string
}

// Backstage's visit widgets open 3 entries and list up to 8.
const (
	defaultVisitsOpen  = 3
	defaultVisitsTotal = 8
)

func renderVisits(top bool) func(rc *renderCtx, cfg map[string]any) (template.HTML, error) {
	return func(rc *renderCtx, cfg map[string]any) (template.HTML, error) {
		data := map[string]any{"SignedIn": rc.signedIn, "On": rc.visitsOn, "Top": top,
			"APIID": visitsAPIID, "ListenerID": visitListenerID}
		if !rc.signedIn || !rc.visitsOn {
			return pageTemplates.Execute("widget-visits", data)
		}
		visits := slices.Clone(rc.recordedVisits())
		if top {
			slices.SortStableFunc(visits, func(a, b usclient.Visit) int {
				return cmp.Or(cmp.Compare(b.Hits, a.Hits), cmp.Compare(b.Timestamp, a.Timestamp))
			})
		}
		open, total := defaultVisitsOpen, defaultVisitsTotal
		if n, ok := cfg["numVisitsOpen"]; ok {
			open = intOf(n)
		}
		if n, ok := cfg["numVisitsTotal"]; ok {
			total = intOf(n)
		}
		var views []visitView
		for _, v := range visits {
			if len(views) == total {
				break
			}
			if !strings.HasPrefix(v.Pathname, "/") || strings.HasPrefix(v.Pathname, "//") {
				continue // only same-site paths
			}
			vv := visitView{Name: cmp.Or(v.Name, v.Pathname), Href: v.Pathname}
			if r, err := model.ParseEntityRef(v.EntityRef, model.RefContext{}); err == nil {
				vv.Kind = strings.ToLower(r.Kind)
			}
			if top {
				vv.Detail = fmt.Sprintf("%d visit%s", v.Hits, plural(v.Hits))
			} else {
				vv.Detail = ago(rc.now, time.UnixMilli(v.Timestamp))
			}
			views = append(views, vv)
		}
		open = min(max(open, 0), len(views))
		data["Open"], data["More"] = views[:open], views[open:]
		return pageTemplates.Execute("widget-visits", data)
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// ago says how long before now t was, as a person would.
func ago(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		n := int(d / time.Minute)
		return fmt.Sprintf("%d minute%s ago", n, plural(n))
	case d < 24*time.Hour:
		n := int(d / time.Hour)
		return fmt.Sprintf("%d hour%s ago", n, plural(n))
	default:
		n := int(d / (24 * time.Hour))
		return fmt.Sprintf("%d day%s ago", n, plural(n))
	}
}

// recorder is the visit listener: every page a signed-in person opens (GET, rendered without
// error) becomes a visit in their user settings, in the background.
func (h *homePage) recorder(appTitle, entityPath string) func(r *http.Request, title string) {
	return func(r *http.Request, title string) {
		user, ok := userOf(r)
		if !ok {
			return
		}
		path := r.URL.Path
		ref, name := entityOfPath(entityPath, path)
		v := usclient.Visit{ID: path, Pathname: path, Hits: 1, Timestamp: h.now().UnixMilli(), EntityRef: ref, Name: visitName(path, title, appTitle, name)}
		ctx := context.WithoutCancel(r.Context())
		lock, _ := h.recording.LoadOrStore(user.UserEntityRef, &sync.Mutex{})
		go func() {
			ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			lock.(*sync.Mutex).Lock()
			defer lock.(*sync.Mutex).Unlock()
			if err := h.settings.RecordVisit(ctx, v); err != nil {
				h.log.Debug("record visit", "path", v.Pathname, "err", err)
			}
		}()
	}
}

// visitName names a visit as Backstage's listener does: an entity page by its entity (the
// title the page shows, else the name), a one-segment path by that segment, anything else by
// the page's title.
func visitName(path, title, appTitle, entityName string) string {
	if entityName != "" {
		return cmp.Or(title, entityName)
	}
	if seg := strings.Trim(path, "/"); seg != "" && !strings.Contains(seg, "/") {
		if s, err := url.PathUnescape(seg); err == nil {
			return s
		}
		return seg
	}
	return cmp.Or(title, appTitle)
}

// entityOfPath matches path against the entity page's path pattern
// (/catalog/{namespace}/{kind}/{name}, or Backstage's :namespace form) and returns the
// entity's reference and name; "" when path is not an entity page.
func entityOfPath(pattern, path string) (ref, name string) {
	if pattern == "" {
		return "", ""
	}
	pp := strings.Split(strings.Trim(pattern, "/"), "/")
	ps := strings.Split(strings.Trim(path, "/"), "/")
	if len(ps) < len(pp) {
		return "", ""
	}
	parts := map[string]string{}
	for i, seg := range pp {
		key := strings.TrimPrefix(strings.Trim(seg, "{}"), ":")
		if (strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}")) || strings.HasPrefix(seg, ":") {
			v, err := url.PathUnescape(ps[i])
			if err != nil || v == "" {
				return "", ""
			}
			parts[key] = v
			continue
		}
		if seg != ps[i] {
			return "", ""
		}
	}
	if parts["kind"] == "" || parts["name"] == "" {
		return "", ""
	}
	r := model.EntityRef{Kind: parts["kind"], Namespace: cmp.Or(parts["namespace"], model.DefaultNamespace), Name: parts["name"]}
	return r.String(), r.Name
}
