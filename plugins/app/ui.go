package app

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/portico-dev/portico/config"
	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/framework/auth"
	usclient "github.com/portico-dev/portico/plugins/usersettings/client"
	"github.com/portico-dev/portico/web"
	"github.com/portico-dev/portico/web/extension"
)

// uiExtensions are the pages the app plugin itself provides: home (with its widgets and the
// visit-tracking switches) and settings.
func uiExtensions(home *homePage) []extension.Extension {
	exts := []extension.Extension{
		{
			ID:           homePageID,
			AttachTo:     extension.AttachPage(),
			ConfigSchema: homeConfigSchema,
			Roles:        []string{extension.RoleHome},
			Renderer:     web.PageHandlerFunc(home.serve),
		},
		extension.NavItem(extension.NavItemSpec{Namespace: "home", Title: "Home", Icon: "home", Renderer: web.NavTarget{PageID: homePageID}}),
		extension.Page(extension.PageSpec{Namespace: "user-settings", Path: "/settings", Roles: []string{extension.RoleSettings}, Renderer: web.PageHandlerFunc(serveSettings)}),
		extension.NavItem(extension.NavItemSpec{Namespace: "user-settings", Title: "Settings", Icon: "settings", Renderer: web.NavTarget{PageID: "page:user-settings"}}),
	}
	exts = append(exts, homeWidgets()...)
	return append(exts, visitSwitches()...)
}

// mountUI resolves every contributed extension against app.extensions and mounts the shell.
// It runs as a startup hook, once every plugin has added its extensions.
func mountUI(cfg *config.Config, reg *web.Registry, router framework.RootHTTPRouter, opts web.Options, home *homePage) error {
	var overrides []extension.Override
	if v, ok := cfg.Get("app.extensions"); ok {
		var err error
		if overrides, err = extension.ParseOverrides(v); err != nil {
			return appExtensionsError(cfg, err)
		}
	}
	tree, err := extension.Resolve(reg.Extensions(), overrides)
	if err != nil {
		return appExtensionsError(cfg, err)
	}
	// A config written for Backstage names extensions of plugins Portico does not ship: each
	// is ignored with one warning, never a refusal to start.
	for _, u := range tree.Unknown() {
		attrs := []any{"index", u.Index, "extension", u.ID}
		if u.Suggestion != "" {
			attrs = append(attrs, "didYouMean", u.Suggestion)
		}
		opts.Logger.Warn("app.extensions: unknown extension ignored", attrs...)
	}
	if err := home.configure(cfg, tree, overrides, &opts); err != nil {
		return err
	}
	opts.Assets = reg.Assets()
	shell, err := web.New(opts, tree)
	if err != nil {
		return appExtensionsError(cfg, err)
	}
	shell.Mount(router)
	return nil
}

// appExtensionsError names the config file and line of app.extensions.
func appExtensionsError(cfg *config.Config, err error) error {
	if file, line := cfg.Origin("app.extensions"); file != "" {
		return fmt.Errorf("%s:%d: %w", file, line, err)
	}
	return err
}

type entityLink struct{ Label, Href, Kind string }

// userOf returns the signed-in user of the request, if any.
func userOf(r *http.Request) (auth.UserPrincipal, bool) {
	creds, _ := auth.FromContext(r.Context())
	return creds.User()
}

type themeChoice struct {
	Value, Label string
	Checked      bool
}

// serveSettings shows and saves the theme (a cookie, so it works without JavaScript).
func serveSettings(w http.ResponseWriter, r *http.Request, p *web.Page) {
	if r.URL.Path != p.Path {
		p.Shell().NotFound(w, r)
		return
	}
	if r.Method == http.MethodPost {
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		theme := r.PostForm.Get("theme")
		if theme != "light" && theme != "dark" && theme != "system" {
			http.Error(w, "unknown theme", http.StatusBadRequest)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: web.ThemeCookie, Value: theme, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode, HttpOnly: true})
		http.Redirect(w, r, p.Path, http.StatusSeeOther)
		return
	}
	current := web.ThemeFromRequest(r)
	var themes []themeChoice
	for _, t := range []themeChoice{{Value: "system", Label: "Follow the system"}, {Value: "light", Label: "Light"}, {Value: "dark", Label: "Dark"}} {
		t.Checked = t.Value == current
		themes = append(themes, t)
	}
	shell := p.Shell()
	data := map[string]any{"Themes": themes, "Action": (&url.URL{Path: p.Path}).String()}
	if u, ok := userOf(r); ok {
		// Linked only where the catalog has the entity (a guest's is not).
		var owners []entityLink
		for _, ref := range u.OwnershipEntityRefs {
			owners = append(owners, entityLink{Label: ref, Href: shell.ProfileHref(r.Context(), ref)})
		}
		data["User"] = entityLink{Label: u.UserEntityRef, Href: shell.ProfileHref(r.Context(), u.UserEntityRef)}
		data["Ownership"] = owners
	}
	body, err := pageTemplates.Execute("settings.html", data)
	if err != nil {
		web.ServerError(w, r, nil, "render settings page", err)
		return
	}
	shell.Render(w, r, web.View{Title: "Settings", Main: body})
}

// registerUI contributes the app's pages and mounts the shell at start-up.
func registerUI(ctx context.Context, d *framework.Deps, cfg *config.Config) error {
	r := framework.Resolve(ctx, d)
	reg := framework.Need(r, web.RegistryService)
	root := framework.Need(r, framework.RootHTTPRouterService)
	lc := framework.Need(r, framework.LifecycleService)
	log := framework.Need(r, framework.LoggerService)
	if err := r.Err(); err != nil {
		return err
	}
	var settings userSettings
	disc, err := framework.Use(ctx, d, framework.DiscoveryService)
	if err != nil {
		return err
	}
	if authSvc, ok, err := framework.UseOptional(ctx, d, framework.AuthService); err != nil {
		return err
	} else if ok {
		settings = usclient.New(disc, usclient.OnBehalfOfUser(authSvc))
	}
	home := &homePage{settings: settings, log: log, now: time.Now}
	reg.Add(uiExtensions(home)...)
	reg.AddAssets(Assets())
	opts := web.Options{Logger: log, Icon: iconHTML}
	if opts.Title, _, err = cfg.OptionalString("app.title"); err != nil {
		return err
	}
	if opts.OrgName, _, err = cfg.OptionalString("organization.name"); err != nil {
		return err
	}
	if opts.DevDir, _, err = cfg.OptionalString("app.devTemplatesDir"); err != nil {
		return err
	}
	var support web.Support
	if cfg.Has("app.support") {
		if err := cfg.Decode("app.support", &support); err != nil {
			return err
		}
		opts.Support = &support
	}
	lc.AddStartupHook(func(context.Context) error { return mountUI(cfg, reg, root, opts, home) })
	return nil
}
