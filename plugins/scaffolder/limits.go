package scaffolder

import (
	"fmt"
	"time"

	"github.com/portico-dev/portico/config"
	"github.com/portico-dev/portico/plugins/scaffolder/action"
	"github.com/portico-dev/portico/plugins/scaffolder/nunjucks"
	"github.com/portico-dev/portico/plugins/scaffolder/service"
)

// limits are scaffolder.limits: what one template may cost the server.
type limits struct {
	template       nunjucks.Limits
	workspaceBytes int64
	workspaceFiles int
	dryRunBytes    int64
	dryRunTimeout  time.Duration
}

func readLimits(cfg *config.Config) (limits, error) {
	l := limits{
		template: nunjucks.Limits{
			Operations:  nunjucks.DefaultOperations,
			Timeout:     nunjucks.DefaultTimeout,
			OutputBytes: nunjucks.DefaultOutputBytes,
		},
		workspaceBytes: action.DefaultWorkspaceBytes,
		workspaceFiles: action.DefaultWorkspaceFiles,
		dryRunBytes:    service.DefaultDryRunBytes,
		dryRunTimeout:  service.DefaultDryRunTimeout,
	}
	for key, dst := range map[string]*int64{
		"scaffolder.limits.templateOperations": &l.template.Operations,
		"scaffolder.limits.workspaceBytes":     &l.workspaceBytes,
		"scaffolder.limits.dryRunBytes":        &l.dryRunBytes,
	} {
		if n, ok, err := cfg.OptionalNumber(key); err != nil {
			return l, err
		} else if ok {
			if n < 1 || n > 1<<62 {
				return l, fmt.Errorf("%s: must be a positive integer", key)
			}
			*dst = int64(n)
		}
	}
	for key, dst := range map[string]*int{
		"scaffolder.limits.templateOutputBytes": &l.template.OutputBytes,
		"scaffolder.limits.workspaceFiles":      &l.workspaceFiles,
	} {
		if n, ok, err := cfg.OptionalInt(key); err != nil {
			return l, err
		} else if ok {
			if n < 1 {
				return l, fmt.Errorf("%s: must be positive", key)
			}
			*dst = n
		}
	}
	if l.template.OutputBytes > nunjucks.DefaultOutputBytes {
		return l, fmt.Errorf("scaffolder.limits.templateOutputBytes: at most %d", nunjucks.DefaultOutputBytes)
	}
	for key, dst := range map[string]*time.Duration{
		"scaffolder.limits.templateTimeout": &l.template.Timeout,
		"scaffolder.limits.dryRunTimeout":   &l.dryRunTimeout,
	} {
		if d, ok, err := cfg.OptionalDuration(key); err != nil {
			return l, err
		} else if ok {
			if d <= 0 {
				return l, fmt.Errorf("%s: must be positive", key)
			}
			*dst = d
		}
	}
	return l, nil
}
