package permission

import (
	"time"

	"github.com/portico-dev/portico/config"
)

// settings is permission.* besides the roles (ParseRoles reads those, and reloads them).
type settings struct {
	Enabled bool `config:"enabled"`
	// ReloadInterval is how often a roles file is checked for changes; 0 or absent: 3 seconds.
	ReloadInterval time.Duration `config:"reloadInterval"`
}

func readSettings(cfg *config.Config) (settings, error) {
	s := settings{ReloadInterval: 3 * time.Second}
	if err := cfg.Decode("permission", &s); err != nil {
		return s, err
	}
	if s.ReloadInterval <= 0 {
		s.ReloadInterval = 3 * time.Second
	}
	return s, nil
}
