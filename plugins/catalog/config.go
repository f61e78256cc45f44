package catalog

import (
	"fmt"
	"path/filepath"

	"github.com/portico-dev/portico/config"
	"github.com/portico-dev/portico/plugins/catalog/engine"
)

// settings is the catalog's part of app-config.
type settings struct {
	engine   engine.Options // without the services (DB, Reader, Logger)
	readonly bool
}

// readSettings maps catalog.* onto engine options. Relative file location targets resolve
// against the working directory, as Backstage resolves them against the backend's.
func readSettings(cfg *config.Config) (settings, error) {
	var s settings
	var err error
	if s.readonly, _, err = cfg.OptionalBool("catalog.readonly"); err != nil {
		return s, err
	}
	if rules, ok, err := cfg.OptionalConfigArray("catalog.rules"); err != nil {
		return s, err
	} else if ok {
		s.engine.Rules = []engine.Rule{} // present but empty allows nothing, as in Backstage
		for _, rc := range rules {
			r, err := readRule(rc)
			if err != nil {
				return s, err
			}
			s.engine.Rules = append(s.engine.Rules, r)
		}
	}
	locs, _, err := cfg.OptionalConfigArray("catalog.locations")
	if err != nil {
		return s, err
	}
	for _, lc := range locs {
		var l engine.ConfigLocation
		if l.Type, err = lc.String("type"); err != nil {
			return s, err
		}
		if l.Target, err = lc.String("target"); err != nil {
			return s, err
		}
		if l.Type == "file" && !filepath.IsAbs(l.Target) {
			abs, err := filepath.Abs(l.Target)
			if err != nil {
				return s, fmt.Errorf("catalog.locations: %w", err)
			}
			l.Target = abs
		}
		rules, _, err := lc.OptionalConfigArray("rules")
		if err != nil {
			return s, err
		}
		for _, rc := range rules {
			r, err := readRule(rc)
			if err != nil {
				return s, err
			}
			l.Rules = append(l.Rules, r)
		}
		s.engine.Locations = append(s.engine.Locations, l)
	}
	// Which location types callers may register through the API and the import page; url only
	// unless the operator allows more (Backstage's allowedLocationTypes).
	if s.engine.AllowedLocationTypes, _, err = cfg.OptionalStringArray("catalog.allowedLocationTypes"); err != nil {
		return s, err
	}
	if s.engine.OrphanStrategy, _, err = cfg.OptionalString("catalog.orphanStrategy"); err != nil {
		return s, err
	}
	if v, ok := cfg.Get("catalog.processingInterval"); ok {
		if b, isBool := v.(bool); isBool && !b {
			// Backstage's "false" turns periodic processing off; a very long interval does that
			// while still letting refresh requests through.
			s.engine.ProcessingInterval = 100 * 365 * 24 * 3600 * 1e9
		} else if s.engine.ProcessingInterval, err = cfg.Duration("catalog.processingInterval"); err != nil {
			return s, err
		}
	}
	return s, nil
}

func readRule(c *config.Config) (engine.Rule, error) {
	var r engine.Rule
	var err error
	if r.Allow, err = c.StringArray("allow"); err != nil {
		return r, err
	}
	locs, _, err := c.OptionalConfigArray("locations")
	if err != nil {
		return r, err
	}
	for _, lc := range locs {
		var rl engine.RuleLocation
		if rl.Type, _, err = lc.OptionalString("type"); err != nil {
			return r, err
		}
		if rl.Exact, _, err = lc.OptionalString("exact"); err != nil {
			return r, err
		}
		if rl.Exact == "" {
			if rl.Exact, _, err = lc.OptionalString("target"); err != nil {
				return r, err
			}
		}
		if rl.Pattern, _, err = lc.OptionalString("pattern"); err != nil {
			return r, err
		}
		r.Locations = append(r.Locations, rl)
	}
	return r, nil
}
