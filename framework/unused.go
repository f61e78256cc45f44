package framework

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/portico-dev/portico/config"
)

// UnusedKey is a config key nothing in this build reads: config written for Backstage plugins
// Portico does not ship (kubernetes, techdocs, proxy…), catalog entity providers, integration
// kinds and sign-in providers it lacks. It is ignored with a warning, never an error.
type UnusedKey struct {
	Key    string // full path, e.g. "kubernetes" or "auth.providers.okta"
	Reason string
}

// String is the line config check prints and serve logs.
func (u UnusedKey) String() string {
	return u.Key + ": not used by Portico, ignored (" + u.Reason + ")"
}

// openMaps are the config objects whose keys name features (one per provider or integration
// kind): a key there that no schema declares is a feature this build lacks.
var openMaps = []struct{ path, what string }{
	{"", "no installed plugin reads this key"},
	{"catalog.providers", "no catalog entity provider of this name is installed"},
	{"integrations", "integrations of this kind are not supported"},
	{"auth.providers", "no sign-in provider of this name is installed"},
}

// UnusedConfig lists, sorted by key, the keys of cfg that no schema in schemas declares at the
// top level, under catalog.providers, integrations or auth.providers. serve logs one warning
// per key and config check prints the same list. A module adding a catalog provider, an
// integration or a sign-in provider declares its key in its ConfigSchema.
func UnusedConfig(cfg *config.Config, schemas []config.Schema) []UnusedKey {
	declared := map[string]map[string]bool{}
	for _, s := range schemas {
		var root map[string]any
		if json.Unmarshal(s.JSON, &root) != nil {
			continue
		}
		for _, m := range openMaps {
			node := root
			for _, part := range splitPath(m.path) {
				props, _ := node["properties"].(map[string]any)
				node, _ = props[part].(map[string]any)
			}
			props, _ := node["properties"].(map[string]any)
			for k := range props {
				if declared[m.path] == nil {
					declared[m.path] = map[string]bool{}
				}
				declared[m.path][k] = true
			}
		}
	}
	var out []UnusedKey
	for _, m := range openMaps {
		block := cfg
		if m.path != "" {
			v, ok := cfg.Get(m.path)
			if _, isMap := v.(map[string]any); !ok || !isMap {
				continue
			}
			var err error
			if block, err = cfg.Config(m.path); err != nil {
				continue
			}
		}
		for _, k := range block.Keys() {
			if declared[m.path][k] {
				continue
			}
			key := k
			if m.path != "" {
				key = m.path + "." + k
			}
			out = append(out, UnusedKey{Key: key, Reason: m.what})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

func splitPath(p string) []string {
	if p == "" {
		return nil
	}
	return strings.Split(p, ".")
}

// warnUnusedConfig logs one warning per unused key.
func (b *Backend) warnUnusedConfig() {
	for _, u := range UnusedConfig(b.opts.Config, ConfigSchemas(b.features())) {
		b.opts.Logger.Warn(fmt.Sprintf("config %s is not used by Portico and is ignored", u.Key), "key", u.Key, "reason", u.Reason)
	}
}
