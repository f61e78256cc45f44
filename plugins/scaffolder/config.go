package scaffolder

import (
	"path/filepath"
	"time"

	"github.com/portico-dev/portico/config"
)

// settings is the scaffolder's part of app-config.
type settings struct {
	Concurrency  int           `config:"concurrentTasksLimit"`
	TaskTimeout  time.Duration `config:"taskTimeout"`
	Lease        time.Duration `config:"taskLease"`
	JanitorEvery time.Duration `config:"taskTimeoutJanitorFrequency"` // 0: the worker's default
	SecretsKey   string        `config:"secretsKey"`
	Limits       limits        `config:"limits"`
	// PublishFileRoot enables publish:file below this directory (made absolute).
	PublishFileRoot string `config:"publishFileRoot"`
}

// readSettings reads scaffolder.* with its defaults and checks its limits.
func readSettings(cfg *config.Config) (settings, error) {
	s := settings{Concurrency: 10, TaskTimeout: 24 * time.Hour, Lease: 30 * time.Second, Limits: defaultLimits()}
	if err := cfg.Decode(ID, &s); err != nil {
		return s, err
	}
	if s.Concurrency < 0 {
		return s, cfg.ErrorAt(ID+".concurrentTasksLimit", "must be 0 or more")
	}
	if s.PublishFileRoot != "" {
		abs, err := filepath.Abs(s.PublishFileRoot)
		if err != nil {
			return s, cfg.ErrorAt(ID+".publishFileRoot", "%v", err)
		}
		s.PublishFileRoot = abs
	}
	for _, f := range []struct {
		key string
		d   time.Duration
	}{{"taskTimeout", s.TaskTimeout}, {"taskLease", s.Lease}, {"taskTimeoutJanitorFrequency", s.JanitorEvery}} {
		if key := ID + "." + f.key; f.d <= 0 && cfg.Has(key) {
			return s, cfg.ErrorAt(key, "must be positive")
		}
	}
	return s, s.Limits.check(cfg)
}
