package framework

import "github.com/portico-dev/portico/config"

// defaultMinFreeDiskMB is backend.health.minFreeDiskMegabytes's default: below it SQLite is
// close to failing writes (its write-ahead log and checkpoints need room).
const defaultMinFreeDiskMB = 64

// minFreeDisk reads backend.health.minFreeDiskMegabytes, in bytes; 0 turns the check off.
func minFreeDisk(cfg *config.Config) (uint64, error) {
	mb, ok, err := cfg.OptionalInt("backend.health.minFreeDiskMegabytes")
	if err != nil {
		return 0, err
	}
	if !ok {
		mb = defaultMinFreeDiskMB
	}
	if mb < 0 {
		return 0, configError(cfg, "backend.health.minFreeDiskMegabytes", "want 0 or more, got %d", mb)
	}
	return uint64(mb) << 20, nil
}
