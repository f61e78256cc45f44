package permission

import (
	"bytes"
	"html/template"
	"net/http"

	"github.com/portico-dev/portico/config"
	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/web"
	"github.com/portico-dev/portico/web/extension"
)

// ConfigPagePath is where the page listing the config Portico ignores is mounted by default.
const ConfigPagePath = "/permissions/config"

// configPage lists, to users allowed permission.admin, the config Portico warned about at
// start-up and ignores: app.extensions entries naming extensions no installed plugin provides
// and keys of plugins it does not ship (the same lists as `portico config check`).
type configPage struct {
	api     *api
	cfg     *config.Config
	schemas []config.Schema
	reg     *web.Registry
}

type configView struct {
	Unknown     []extension.Unknown
	UnknownErr  string
	Unused      []framework.UnusedKey
	Permissions string // the admin page's path
}

func (p *configPage) serve(w http.ResponseWriter, r *http.Request, page *web.Page) {
	if !p.api.adminOnly(w, r, page, "Ignored config") {
		return
	}
	var err error
	v := configView{Unused: framework.UnusedConfig(p.cfg, p.schemas), Permissions: AdminPagePath}
	if v.Unknown, err = p.reg.Unknown(p.cfg); err != nil {
		v.UnknownErr = err.Error()
	}
	var buf bytes.Buffer
	if err := adminTemplate.ExecuteTemplate(&buf, "config", v); err != nil {
		web.ServerError(w, r, nil, "render ignored config page", err)
		return
	}
	page.Shell().Render(w, r, web.View{Title: "Ignored config", Main: template.HTML(buf.String())}) // html/template output
}
