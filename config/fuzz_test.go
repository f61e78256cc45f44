package config

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzLoad feeds arbitrary YAML and environment text through loading, reading, validation and
// visibility. None of it may panic, and a loaded config must always be JSON-encodable. The seed
// corpus lives in testdata/fuzz/FuzzLoad.
func FuzzLoad(f *testing.F) {
	f.Add("app:\n  title: ${TITLE:-x}\n  inc: {$include: inc.yaml}\n", "TITLE=t\nAPP_CONFIG_app_port=7007")
	vis, err := NewVisibility(testSchemas())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, src, envText string) {
		files := memFS{
			"app-config.yaml": src,
			"inc.yaml":        src,
			"data.json":       src,
			"secret.txt":      src,
		}
		env := strings.Split(envText, "\n")
		c, err := load(t, files, env)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Fatalf("multi-line error %q", err)
			}
			return
		}
		all, _ := c.Get("")
		if _, err := json.Marshal(all); err != nil {
			t.Fatalf("loaded config is not JSON-encodable: %v", err)
		}
		for _, k := range c.Keys() {
			c.Has(k)
			c.Origin(k)
			_, _ = c.String(k)
			_, _ = c.Number(k)
			_, _ = c.Int(k)
			_, _ = c.Bool(k)
			_, _ = c.StringArray(k)
			_, _ = c.Duration(k)
			if arr, err := c.ConfigArray(k); err == nil {
				for _, sub := range arr {
					sub.Keys()
				}
			}
			if sub, err := c.Config(k); err == nil {
				for _, sk := range sub.Keys() {
					_, _ = sub.Duration(sk)
				}
			}
		}
		if _, err := Validate(c, testSchemas()); err != nil {
			t.Fatalf("Validate: %v", err)
		}
		vis.Frontend(c)
		vis.Redacted(c)
		vis.Secrets(c)
	})
}
