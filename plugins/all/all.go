// Package all lists Portico's built-in plugins and modules: the one place where the binary's
// features are chosen. A custom build appends its own to this list (see cmd/portico).
package all

import (
	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/plugins/apidocs"
	"github.com/portico-dev/portico/plugins/app"
	"github.com/portico-dev/portico/plugins/auth"
	"github.com/portico-dev/portico/plugins/catalog"
	"github.com/portico-dev/portico/plugins/cataloggraph"
	"github.com/portico-dev/portico/plugins/permission"
	"github.com/portico-dev/portico/plugins/scaffolder"
	"github.com/portico-dev/portico/plugins/usersettings"
	"github.com/portico-dev/portico/web"
)

// Features returns the built-in plugins and modules, in start-up order.
func Features() []framework.Feature {
	return []framework.Feature{
		web.RegistryFactory(),
		app.Plugin(),
		catalog.Plugin(),
		auth.Plugin(),
		apidocs.Plugin(),
		cataloggraph.Plugin(),
		usersettings.Plugin(),
		scaffolder.Plugin(),
		permission.Plugin(),
	}
}
