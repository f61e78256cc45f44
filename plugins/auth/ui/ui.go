// Package ui is the auth plugin's part of the web UI: the /sign-in page listing the configured
// providers (each starts the full-page redirect flow, so it works without JavaScript) and the
// /sign-out action behind the header's user menu.
package ui

import (
	"net/http"
	"net/url"

	"github.com/portico-dev/portico/web"
	"github.com/portico-dev/portico/web/extension"
)

// Cookies cleared on sign-out (set by the auth plugin's routes).
const (
	tokenCookie    = "portico-token"
	providerCookie = "portico-auth-provider"
)

// Provider is one sign-in option.
type Provider struct {
	ID    string
	Title string
}

// Options configure the pages.
type Options struct {
	Providers   []Provider
	Environment string
	// AuthPath is the path of the auth plugin's API, e.g. /api/auth.
	AuthPath string
	// Secure marks cleared cookies Secure (https portals).
	Secure bool
}

// Extensions returns the sign-in and sign-out pages.
func Extensions(opts Options) []extension.Extension {
	h := &pages{opts: opts, cop: http.NewCrossOriginProtection()}
	return []extension.Extension{
		extension.Page(extension.PageSpec{Namespace: "sign-in", Path: "/sign-in", Roles: []string{extension.RoleSignIn}, Renderer: web.PageHandlerFunc(h.signIn)}),
		extension.Page(extension.PageSpec{Namespace: "sign-out", Path: "/sign-out", Roles: []string{extension.RoleSignOut}, Renderer: web.PageHandlerFunc(h.signOut)}),
	}
}

type pages struct {
	opts Options
	// cop refuses cross-origin form posts, as the catalog's form actions do: a page on another
	// site must not sign the user out.
	cop *http.CrossOriginProtection
}

type providerView struct {
	ID, Title, Href string
	Guest           bool
}

func (h *pages) signIn(w http.ResponseWriter, r *http.Request, p *web.Page) {
	shell := p.Shell()
	if r.URL.Path != p.Path {
		shell.NotFound(w, r)
		return
	}
	redirect := safeRedirect(r.URL.Query().Get("redirect"))
	var views []providerView
	for _, pr := range h.opts.Providers {
		q := url.Values{"env": {h.opts.Environment}, "flow": {"redirect"}, "redirectUrl": {redirect}}
		views = append(views, providerView{ID: pr.ID, Title: pr.Title, Guest: pr.ID == "guest", Href: h.opts.AuthPath + "/" + pr.ID + "/start?" + q.Encode()})
	}
	body, err := pageTemplates.Execute("sign-in.html", map[string]any{
		"Providers": views,
		"Error":     r.URL.Query().Get("error"),
		"Redirect":  redirect,
		"OrgName":   shell.OrgName(),
	})
	if err != nil {
		web.ServerError(w, r, nil, "render sign-in page", err)
		return
	}
	shell.Render(w, r, web.View{Title: "Sign in", Main: body})
}

// signOut clears the session cookies (the refresh cookie of every provider included) and goes
// to the sign-in page. It takes a plain form POST, so it works without JavaScript.
func (h *pages) signOut(w http.ResponseWriter, r *http.Request, p *web.Page) {
	if r.URL.Path != p.Path {
		p.Shell().NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "Sign out with a POST (the Sign out button in the user menu)", http.StatusMethodNotAllowed)
		return
	}
	if err := h.cop.Check(r); err != nil {
		http.Error(w, "Forbidden: cross-origin request", http.StatusForbidden)
		return
	}
	clear := func(name, path string, httpOnly bool) {
		http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: path, MaxAge: -1, HttpOnly: httpOnly, Secure: h.opts.Secure, SameSite: http.SameSiteLaxMode})
	}
	clear(tokenCookie, "/", true)
	clear(providerCookie, "/", false)
	for _, pr := range h.opts.Providers {
		clear(pr.ID+"-refresh-token", h.opts.AuthPath+"/"+pr.ID, true)
	}
	http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
}

// safeRedirect keeps a redirect target only when it is a path on this portal.
func safeRedirect(s string) string {
	u, err := url.Parse(s)
	if s == "" || err != nil || u.Scheme != "" || u.Host != "" || len(u.Path) == 0 || u.Path[0] != '/' || (len(s) > 1 && (s[1] == '/' || s[1] == '\\')) {
		return "/"
	}
	return s
}
