package permission

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/portico-dev/portico/config"
)

// watcher re-reads the config file holding permission.roles when its modification time
// changes, so roles change without a restart. The framework has no config reloading; this
// polls the one file the roles came from. Polling rather than fsnotify: a stat every few
// seconds is cheap, survives editors that save by renaming and Kubernetes ConfigMap symlink
// swaps (which drop a file watch), and adds no dependency.
type watcher struct {
	file     string
	interval time.Duration
	d        *decider
	log      *slog.Logger
	environ  []string
	modTime  time.Time
	size     int64
}

func newWatcher(file string, interval time.Duration, d *decider, log *slog.Logger) *watcher {
	w := &watcher{file: file, interval: interval, d: d, log: log, environ: os.Environ()}
	if st, err := os.Stat(file); err == nil {
		w.modTime, w.size = st.ModTime(), st.Size()
	}
	return w
}

// Run polls until ctx ends.
func (w *watcher) Run(ctx context.Context) error {
	t := time.NewTicker(w.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			w.check(ctx)
		}
	}
}

// check reloads the roles when the file changed. A broken file keeps the roles in force
// and logs the error, naming the role and key.
func (w *watcher) check(ctx context.Context) {
	st, err := os.Stat(w.file)
	if err != nil || (st.ModTime().Equal(w.modTime) && st.Size() == w.size) {
		return
	}
	w.modTime, w.size = st.ModTime(), st.Size()
	cfg, err := config.Load(ctx, config.LoadOptions{Paths: []string{w.file}, Environ: w.environ})
	if err != nil {
		w.log.Error("permission roles not reloaded", "file", w.file, "err", err)
		return
	}
	roles, err := rolesFromConfig(cfg)
	if err != nil {
		w.log.Error("permission roles not reloaded", "file", w.file, "err", err)
		return
	}
	w.d.setRoles(roles, w.file)
	w.log.Info("permission roles reloaded", "file", w.file, "roles", len(roles.Roles))
}

// rolesFromConfig parses the permission block of cfg.
func rolesFromConfig(cfg *config.Config) (*Roles, error) {
	block := map[string]any{}
	if v, ok := cfg.Get("permission"); ok {
		if m, ok := v.(map[string]any); ok {
			block = m
		}
	}
	return ParseRoles(block)
}
