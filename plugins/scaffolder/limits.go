package scaffolder

import (
	"time"

	"github.com/portico-dev/portico/config"
	"github.com/portico-dev/portico/plugins/scaffolder/action"
	"github.com/portico-dev/portico/plugins/scaffolder/nunjucks"
	"github.com/portico-dev/portico/plugins/scaffolder/service"
)

// limits are scaffolder.limits: what one template may cost the server.
type limits struct {
	TemplateOperations  int64         `config:"templateOperations"`
	TemplateTimeout     time.Duration `config:"templateTimeout"`
	TemplateOutputBytes int           `config:"templateOutputBytes"`
	WorkspaceBytes      int64         `config:"workspaceBytes"`
	WorkspaceFiles      int           `config:"workspaceFiles"`
	DryRunBytes         int64         `config:"dryRunBytes"`
	DryRunTimeout       time.Duration `config:"dryRunTimeout"`
}

func defaultLimits() limits {
	return limits{
		TemplateOperations:  nunjucks.DefaultOperations,
		TemplateTimeout:     nunjucks.DefaultTimeout,
		TemplateOutputBytes: nunjucks.DefaultOutputBytes,
		WorkspaceBytes:      action.DefaultWorkspaceBytes,
		WorkspaceFiles:      action.DefaultWorkspaceFiles,
		DryRunBytes:         service.DefaultDryRunBytes,
		DryRunTimeout:       service.DefaultDryRunTimeout,
	}
}

// template is what the templating engine may spend on one render.
func (l limits) template() nunjucks.Limits {
	return nunjucks.Limits{Operations: l.TemplateOperations, Timeout: l.TemplateTimeout, OutputBytes: l.TemplateOutputBytes}
}

// check refuses limits that are not positive, and a render output above the engine's maximum.
// Errors name the key and the file and line of its value.
func (l limits) check(cfg *config.Config) error {
	for _, f := range []struct {
		key, msg string
		ok       bool
	}{
		{"templateOperations", "must be a positive integer", l.TemplateOperations > 0 && l.TemplateOperations <= 1<<62},
		{"workspaceBytes", "must be a positive integer", l.WorkspaceBytes > 0 && l.WorkspaceBytes <= 1<<62},
		{"dryRunBytes", "must be a positive integer", l.DryRunBytes > 0 && l.DryRunBytes <= 1<<62},
		{"templateOutputBytes", "must be positive", l.TemplateOutputBytes > 0},
		{"workspaceFiles", "must be positive", l.WorkspaceFiles > 0},
		{"templateTimeout", "must be positive", l.TemplateTimeout > 0},
		{"dryRunTimeout", "must be positive", l.DryRunTimeout > 0},
	} {
		if !f.ok {
			return cfg.ErrorAt("scaffolder.limits."+f.key, "%s", f.msg)
		}
	}
	if l.TemplateOutputBytes > nunjucks.DefaultOutputBytes {
		return cfg.ErrorAt("scaffolder.limits.templateOutputBytes", "at most %d", nunjucks.DefaultOutputBytes)
	}
	return nil
}
