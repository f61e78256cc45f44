package ui

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/portico-dev/portico/framework/apierr"
	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/plugins/catalog/query"
	"github.com/portico-dev/portico/plugins/catalog/reader"
	"github.com/portico-dev/portico/plugins/catalog/wire"
	"github.com/portico-dev/portico/web"
	"github.com/portico-dev/portico/web/extension"
)

// Extension IDs and default paths of the register page and the entity actions page.
const (
	ImportPageID       = "page:catalog-import"
	ImportNavID        = "nav-item:catalog-import"
	ActionsPageID      = "page:catalog/actions"
	DefaultImportPath  = "/catalog-import"
	DefaultActionsPath = "/catalog-actions"
)

// Writer is the write side the register page and the entity actions use; the catalog's
// service implements it, with the permission checks.
type Writer interface {
	// ImportLocation registers a location, or with dryRun only reads and processes it, for
	// the register page (Backstage's catalog-import: it creates a location and entities).
	// It returns an error wrapping model.ErrConflict when the location exists.
	ImportLocation(ctx context.Context, typ, target string, dryRun bool) (wire.AddLocationResult, error)
	RemoveLocation(ctx context.Context, id string) error // model.ErrNotFound
	Refresh(ctx context.Context, entityRef string) error // model.ErrNotFound
	DeleteEntityByUID(ctx context.Context, uid string) error
}

// LocationReader finds where an entity came from; *reader.Reader implements it.
type LocationReader interface {
	Ancestry(ctx context.Context, ref string) (reader.Ancestry, error)
	LocationByEntity(ctx context.Context, ref string) (model.Location, error)
}

var _ LocationReader = (*reader.Reader)(nil)

// writeExtensions are the pages that change the catalog.
func writeExtensions(r Reader, opts Options) []extension.Extension {
	cop := http.NewCrossOriginProtection()
	imp := &importPage{w: opts.Writer, log: opts.Logger, readonly: opts.Readonly, cop: cop, opts: opts}
	act := &actionsPage{r: r, w: opts.Writer, loc: opts.Locations, log: opts.Logger, readonly: opts.Readonly, cop: cop, settings: opts.Settings}
	return []extension.Extension{
		extension.Page(extension.PageSpec{Namespace: "catalog-import", Path: DefaultImportPath, Renderer: imp}),
		extension.NavItem(extension.NavItemSpec{Namespace: "catalog-import", Title: "Register", Icon: "register", Disabled: opts.Readonly, Renderer: web.NavTarget{PageID: ImportPageID}}),
		extension.Page(extension.PageSpec{Namespace: "catalog", Name: "actions", Path: DefaultActionsPath, Renderer: act}),
	}
}

// importPage serves page:catalog-import: analyze a location (GET ?url=), register it (POST),
// then show what was registered (GET /registered?url=).
type importPage struct {
	w        Writer
	log      *slog.Logger
	readonly bool
	cop      *http.CrossOriginProtection
	opts     Options // for Permissions
}

// importView is the view model of web/templates/catalog-import.html.
type importView struct {
	Action   string // the page path: the analyze and register forms submit here
	URL      string
	Readonly bool
	Problem  *problemMessage
	Preview  *importPreview
	Result   *importPreview // set once registered; entities link to their pages
}

type problemMessage struct{ Title, Detail string }

type importPreview struct {
	Type, Target string
	Exists       bool
	Entities     []importEntity
}

type importEntity struct {
	Kind, Name, Namespace, Ref, Href string
	Problems                         []string
}

// ServePage implements web.PageHandler.
func (h *importPage) ServePage(w http.ResponseWriter, r *http.Request, page *web.Page) {
	v := importView{Action: page.Path, Readonly: h.readonly, URL: strings.TrimSpace(r.FormValue("url"))}
	if !h.readonly && !h.opts.allowedAll(r.Context(), "catalog.location.create", "catalog.entity.create") {
		v.Problem = registerDenied()
	}
	switch sub := subPath(page.Path, r.URL.Path); {
	case sub == "/" && r.Method == http.MethodPost:
		h.register(w, r, page, v)
	case sub == "/" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		status := http.StatusOK
		if v.URL != "" {
			status = h.analyze(r.Context(), &v, false)
		}
		h.render(w, r, page, v, status)
	case sub == "/registered" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		status := http.StatusOK
		if v.URL != "" {
			status = h.analyze(r.Context(), &v, true)
			links := linksFor(page.Shell())
			if v.Result = v.Preview; v.Result != nil {
				for i := range v.Result.Entities {
					e := &v.Result.Entities[i]
					e.Href = links.Entity(model.EntityRef{Kind: e.Kind, Namespace: e.Namespace, Name: e.Name})
				}
			}
			v.Preview = nil
		}
		h.render(w, r, page, v, status)
	case sub == "/" || sub == "/registered":
		web.MethodNotAllowed(w, "GET, HEAD, POST")
	default:
		page.Shell().NotFound(w, r)
	}
}

// analyze fills v.Preview from a dry run of v.URL, or v.Problem; it returns the status.
func (h *importPage) analyze(ctx context.Context, v *importView, registered bool) int {
	typ, target := locationFor(v.URL)
	res, err := h.w.ImportLocation(ctx, typ, target, true)
	if err != nil {
		return h.problem(ctx, v, err)
	}
	p := &importPreview{Type: typ, Target: target, Exists: res.Exists && !registered}
	for _, raw := range res.Entities {
		p.Entities = append(p.Entities, previewEntity(raw))
	}
	v.Preview = p
	return http.StatusOK
}

func (h *importPage) register(w http.ResponseWriter, r *http.Request, page *web.Page, v importView) {
	if err := h.cop.Check(r); err != nil {
		http.Error(w, "Forbidden: cross-origin request", http.StatusForbidden)
		return
	}
	if h.readonly {
		v.Problem = readonlyProblem()
		h.render(w, r, page, v, http.StatusForbidden)
		return
	}
	if v.URL == "" {
		v.Problem = &problemMessage{Title: "Enter a URL", Detail: "Paste the URL of a catalog-info.yaml file, or of a repository that has one."}
		h.render(w, r, page, v, http.StatusBadRequest)
		return
	}
	typ, target := locationFor(v.URL)
	if _, err := h.w.ImportLocation(r.Context(), typ, target, false); err != nil {
		status := h.problem(r.Context(), &v, err)
		h.render(w, r, page, v, status)
		return
	}
	http.Redirect(w, r, page.Path+"/registered?"+url.Values{"url": {v.URL}}.Encode(), http.StatusSeeOther)
}

// problem turns a writer error into a message for people and the page's status.
func (h *importPage) problem(ctx context.Context, v *importView, err error) int {
	var ie *query.InputError
	if p, ok := notAllowedProblem(err); ok {
		v.Problem = p
		return http.StatusForbidden
	}
	switch {
	case errors.Is(err, model.ErrConflict):
		v.Problem = &problemMessage{Title: "Already registered", Detail: "The location " + v.URL + " is already registered in the catalog."}
		return http.StatusConflict
	case errors.As(err, &ie):
		v.Problem = describeInputError(ie.Message)
		return http.StatusBadRequest
	case errors.Is(err, model.ErrNotFound):
		v.Problem = &problemMessage{Title: "Nothing found at this location", Detail: err.Error()}
		return http.StatusBadRequest
	}
	if !apierr.RecordFailure(ctx, err) {
		h.log.Error("catalog import", "url", v.URL, "err", err)
	}
	status, _ := web.FailureStatus(err)
	v.Problem = &problemMessage{Title: "Something went wrong", Detail: "The location could not be analyzed; the server log has the details."}
	if status == http.StatusServiceUnavailable {
		v.Problem = &problemMessage{Title: "The catalog is unavailable", Detail: "Its database cannot be reached right now; try again in a moment."}
	}
	return status
}

// describeInputError names the kind of problem behind the engine's processing message and
// adds a hint.
func describeInputError(msg string) *problemMessage {
	lower := strings.ToLower(msg)
	switch {
	case strings.Contains(lower, "allowed type"):
		return &problemMessage{Title: "Location type not allowed", Detail: msg + " — enter the URL of a catalog file on a host the portal may read; other location types are listed by the operator in catalog.allowedLocationTypes."}
	case strings.Contains(lower, "not allowed"):
		return &problemMessage{Title: "Location not allowed", Detail: msg + " — the portal may only read from the hosts and directories in its backend.reading configuration."}
	case strings.Contains(lower, "notfound") || strings.Contains(lower, "not found") || strings.Contains(lower, "no such file"):
		return &problemMessage{Title: "Nothing found at this location", Detail: msg + " — check that the URL points at an existing catalog file."}
	}
	return &problemMessage{Title: "Could not read this location", Detail: msg}
}

func readonlyProblem() *problemMessage {
	return &problemMessage{Title: "The catalog is read-only", Detail: "This portal sets catalog.readonly, so locations cannot be registered or removed here."}
}

func (h *importPage) render(w http.ResponseWriter, r *http.Request, page *web.Page, v importView, status int) {
	shell := page.Shell()
	body, err := pageTemplates.Execute("catalog-import.html", v)
	if err != nil {
		web.ServerError(w, r, h.log, "render import page", err)
		return
	}
	shell.Render(w, r, web.View{Title: "Register an existing component", Main: body, Status: status})
}

// locationFor maps what a person pasted to a location: absolute paths are file locations,
// everything else (https://, file://…) a url location, as Backstage registers them.
func locationFor(s string) (typ, target string) {
	s = strings.TrimSpace(s)
	if filepath.IsAbs(s) {
		return model.LocationTypeFile, s
	}
	return model.LocationTypeURL, s
}

// previewEntity reads what the preview shows of an entity.
func previewEntity(raw json.RawMessage) importEntity {
	var e struct {
		Kind     string `json:"kind"`
		Metadata struct {
			Name, Namespace string
		} `json:"metadata"`
		Status struct {
			Items []struct {
				Message string `json:"message"`
				Error   *struct {
					Name, Message string
				} `json:"error"`
			} `json:"items"`
		} `json:"status"`
	}
	if err := json.Unmarshal(raw, &e); err != nil {
		return importEntity{Kind: "?", Name: "unreadable entity", Problems: []string{err.Error()}}
	}
	ref := model.EntityRef{Kind: e.Kind, Namespace: cmp.Or(e.Metadata.Namespace, model.DefaultNamespace), Name: e.Metadata.Name}
	out := importEntity{Kind: e.Kind, Name: e.Metadata.Name, Namespace: ref.Namespace, Ref: humanRef(ref, "")}
	for _, it := range e.Status.Items {
		msg := it.Message
		if it.Error != nil {
			msg = cmp.Or(it.Error.Name+": "+it.Error.Message, msg)
		}
		out.Problems = append(out.Problems, msg)
	}
	return out
}
