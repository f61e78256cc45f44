package catalog

import (
	"cmp"
	"fmt"
	"path/filepath"
	"time"

	"github.com/portico-dev/portico/config"
	"github.com/portico-dev/portico/plugins/catalog/engine"
)

// settings is the catalog's part of app-config.
type settings struct {
	engine   engine.Options // without the services (DB, Reader, Logger)
	readonly bool
}

// catalogConfig is catalog.* as written in app-config.
type catalogConfig struct {
	Readonly  bool         `config:"readonly"`
	Rules     []ruleConfig `config:"rules"` // present but empty allows nothing, as in Backstage
	Locations []struct {
		Type   string       `config:"type,required"`
		Target string       `config:"target,required"`
		Rules  []ruleConfig `config:"rules"`
	} `config:"locations"`
	// Which location types callers may register through the API and the import page; url
	// only unless the operator allows more (Backstage's allowedLocationTypes).
	AllowedLocationTypes []string           `config:"allowedLocationTypes"`
	OrphanStrategy       string             `config:"orphanStrategy"`
	ProcessingInterval   processingInterval `config:"processingInterval"`
}

type ruleConfig struct {
	Allow     []string `config:"allow,required"`
	Locations []struct {
		Type    string `config:"type"`
		Exact   string `config:"exact"`
		Target  string `config:"target"` // another name for exact
		Pattern string `config:"pattern"`
	} `config:"locations"`
}

// processingInterval is a duration, or false: Backstage's "false" turns periodic processing
// off, which a very long interval does while still letting refresh requests through.
type processingInterval time.Duration

func (p *processingInterval) UnmarshalConfig(parent *config.Config, key string) error {
	if v, _ := parent.Get(key); v == false {
		*p = processingInterval(100 * 365 * 24 * time.Hour)
		return nil
	}
	d, err := parent.Duration(key)
	*p = processingInterval(d)
	return err
}

// readSettings maps catalog.* onto engine options. Relative file location targets resolve
// against the working directory, as Backstage resolves them against the backend's.
func readSettings(cfg *config.Config) (settings, error) {
	var c catalogConfig
	if err := cfg.Decode("catalog", &c); err != nil {
		return settings{}, err
	}
	s := settings{readonly: c.Readonly, engine: engine.Options{
		Rules:                engineRules(c.Rules),
		AllowedLocationTypes: c.AllowedLocationTypes,
		OrphanStrategy:       c.OrphanStrategy,
		ProcessingInterval:   time.Duration(c.ProcessingInterval),
	}}
	for _, lc := range c.Locations {
		l := engine.ConfigLocation{Type: lc.Type, Target: lc.Target, Rules: engineRules(lc.Rules)}
		if l.Type == "file" && !filepath.IsAbs(l.Target) {
			abs, err := filepath.Abs(l.Target)
			if err != nil {
				return s, fmt.Errorf("catalog.locations: %w", err)
			}
			l.Target = abs
		}
		s.engine.Locations = append(s.engine.Locations, l)
	}
	return s, nil
}

// engineRules converts rules, keeping nil (absent: the defaults) apart from empty (none).
func engineRules(in []ruleConfig) []engine.Rule {
	if in == nil {
		return nil
	}
	out := make([]engine.Rule, len(in))
	for i, rc := range in {
		out[i].Allow = rc.Allow
		for _, lc := range rc.Locations {
			out[i].Locations = append(out[i].Locations, engine.RuleLocation{Type: lc.Type, Exact: cmp.Or(lc.Exact, lc.Target), Pattern: lc.Pattern})
		}
	}
	return out
}
