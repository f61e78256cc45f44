package permission

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/portico-dev/portico/framework/auth"
	"github.com/portico-dev/portico/framework/permissions"
	"github.com/portico-dev/portico/web"
	"github.com/portico-dev/portico/web/extension"
)

//go:embed templates/*.html
var templateFS embed.FS

var adminTemplate = template.Must(template.ParseFS(templateFS, "templates/*.html"))

// AdminPagePath is where the admin page is mounted by default.
const AdminPagePath = "/permissions"

func uiExtensions(p *adminPage, c *configPage) []extension.Extension {
	return []extension.Extension{
		extension.Page(extension.PageSpec{Namespace: "permission", Path: AdminPagePath, Renderer: web.PageHandlerFunc(p.serve)}),
		extension.Page(extension.PageSpec{Namespace: "permission", Name: "config", Path: ConfigPagePath, Renderer: web.PageHandlerFunc(c.serve)}),
	}
}

// adminPage shows the roles, one user's decisions and the audit log, to users allowed
// permission.admin.
type adminPage struct {
	api      *api
	registry *permissions.Registry
	enabled  bool
}

type roleView struct {
	Name        string
	Members     []string
	Allow, Deny []string
}

type decisionView struct {
	Plugin, Name, Action string
	Result               permissions.Result
	Conditions           string
}

type adminView struct {
	Enabled     bool
	Default     permissions.Result
	Source      string
	Roles       []roleView
	Action      string
	User, Owns  string
	Ownership   []string
	MemberOf    []string
	LookupError string
	Decisions   []decisionView
	Filter      AuditQuery
	Audit       []AuditRecord
	Next        string
	ConfigPage  string // the ignored-config page's path
}

func (p *adminPage) serve(w http.ResponseWriter, r *http.Request, page *web.Page) {
	if !p.api.adminOnly(w, r, page, "Permissions") {
		return
	}
	st := p.api.d.current()
	q := r.URL.Query()
	v := adminView{Enabled: p.enabled, Default: st.roles.Default, Source: st.source, Action: page.Path, ConfigPage: ConfigPagePath,
		User: strings.TrimSpace(q.Get("user")), Owns: strings.TrimSpace(q.Get("owns"))}
	for _, role := range st.roles.Roles {
		v.Roles = append(v.Roles, roleView{Name: role.Name, Members: role.Members, Allow: grantStrings(role.Allow), Deny: grantStrings(role.Deny)})
	}
	if v.User != "" {
		p.fillDecisions(r.Context(), &v)
	}
	var err error
	if v.Filter, err = auditQuery(r); err == nil {
		v.Filter.Decision = strings.ToUpper(v.Filter.Decision)
		if res, err := p.api.store.List(r.Context(), v.Filter); err == nil {
			v.Audit = res.Items
			if res.Next != "" {
				next := url.Values{}
				for k, vals := range q {
					next[k] = vals
				}
				next.Set("cursor", res.Next)
				v.Next = page.Path + "?" + next.Encode()
			}
		}
	}
	var buf bytes.Buffer
	if err := adminTemplate.ExecuteTemplate(&buf, "admin", v); err != nil {
		web.ServerError(w, r, nil, "render permissions page", err)
		return
	}
	page.Shell().Render(w, r, web.View{Title: "Permissions", Main: template.HTML(buf.String())}) // html/template output
}

// adminOnly serves the not-found page for paths below page, and a 403 titled title to users not
// allowed permission.admin; it reports whether the page may be served.
func (a *api) adminOnly(w http.ResponseWriter, r *http.Request, page *web.Page, title string) bool {
	if r.URL.Path != page.Path {
		page.Shell().NotFound(w, r)
		return false
	}
	creds, ok := auth.FromContext(r.Context())
	if !ok {
		creds = auth.None()
	}
	allowed, err := a.canAdmin(r.Context(), creds)
	if err != nil {
		web.ServerError(w, r, nil, "check permission admin", err)
		return false
	}
	if !allowed {
		page.Shell().Render(w, r, web.View{Title: title, Status: http.StatusForbidden,
			Main: template.HTML(`<section class="card"><h1>` + template.HTMLEscapeString(title) + `</h1><p class="problem">You need the ` + AdminPermission.Name + ` permission to see this page.</p></section>`)})
		return false
	}
	return true
}

// fillDecisions decides every registered permission for the chosen user.
func (p *adminPage) fillDecisions(ctx context.Context, v *adminView) {
	ref, err := normalizeMember(v.User)
	if err != nil || ref == "*" {
		v.LookupError = "Enter a user entity ref such as user:default/jane."
		return
	}
	v.User = ref
	user := &PolicyUser{UserEntityRef: ref}
	if v.Owns != "" {
		for _, o := range strings.Split(v.Owns, ",") {
			if o, err := normalizeMember(o); err == nil && o != "*" {
				user.OwnershipEntityRefs = append(user.OwnershipEntityRefs, o)
			}
		}
	} else {
		owns, err := p.ownershipFromCatalog(ctx, user.UserEntityRef)
		if err != nil {
			v.LookupError = "Could not read the user's groups from the catalog: " + err.Error()
			owns = []string{user.UserEntityRef}
		}
		user.OwnershipEntityRefs = owns
	}
	v.Ownership = user.OwnershipEntityRefs
	v.MemberOf = p.api.d.current().roles.RolesOf(user)
	installed := p.registry.Installed()
	plugins := slices.Sorted(maps.Keys(installed))
	for _, id := range plugins {
		for _, perm := range installed[id].Permissions {
			dv := decisionView{Plugin: id, Name: perm.Name, Action: perm.Attributes.Action}
			dec, err := p.api.d.decideFor(ctx, user, perm)
			if err != nil {
				dv.Result, dv.Conditions = "ERROR", err.Error()
			} else {
				dv.Result = dec.Result
				if dec.Conditions != nil {
					b, _ := json.Marshal(dec.Conditions)
					dv.Conditions = string(b)
				}
			}
			v.Decisions = append(v.Decisions, dv)
		}
	}
}

// ownershipFromCatalog returns the user's ref and the groups it is a member of (direct
// memberOf relations), read from the catalog with the plugin's own credentials.
func (p *adminPage) ownershipFromCatalog(ctx context.Context, userRef string) ([]string, error) {
	kind, rest, _ := strings.Cut(userRef, ":")
	ns, name, ok := strings.Cut(rest, "/")
	if !ok {
		ns, name = "default", rest
	}
	a := p.api
	u := a.disc.BaseURL("catalog") + "/entities/by-name/" + url.PathEscape(kind) + "/" + url.PathEscape(ns) + "/" + url.PathEscape(name)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	tok, err := a.authSvc.GetPluginRequestToken(ctx, a.authSvc.GetOwnServiceCredentials(), "catalog")
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := a.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil, fmt.Errorf("catalog answered %s for %s", resp.Status, userRef)
	}
	var e struct {
		Relations []struct {
			Type      string `json:"type"`
			TargetRef string `json:"targetRef"`
		} `json:"relations"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
		return nil, err
	}
	out := []string{userRef}
	for _, rel := range e.Relations {
		if rel.Type == "memberOf" && !slices.Contains(out, rel.TargetRef) {
			out = append(out, rel.TargetRef)
		}
	}
	return out, nil
}

func grantStrings(gs []Grant) []string {
	out := make([]string, 0, len(gs))
	for _, g := range gs {
		var parts []string
		if g.Permission != "" {
			parts = append(parts, g.Permission)
		}
		if len(g.Actions) > 0 {
			parts = append(parts, "action="+strings.Join(g.Actions, "|"))
		}
		if g.ResourceType != "" {
			parts = append(parts, "resourceType="+g.ResourceType)
		}
		s := strings.Join(parts, " ")
		if g.If != nil {
			b, _ := json.Marshal(g.If)
			s += " if " + string(b)
		}
		out = append(out, s)
	}
	return out
}
