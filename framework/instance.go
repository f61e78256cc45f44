package framework

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/portico-dev/portico/config"
	"github.com/portico-dev/portico/framework/database"
)

// maxInstanceIDLen bounds backend.instanceId (it is stored in every lease row).
const maxInstanceIDLen = 200

// InstanceID names this backend instance in the leases it takes on shared work (catalog
// processing, scheduled tasks, scaffolder tasks). It is stable across restarts, so a restarted
// instance takes back at once the leases its previous incarnation held when it died instead
// of waiting for them to expire; leases held under other identities (live replicas) are left
// alone.
//
// backend.instanceId wins. Otherwise, on SQLite the identity is the database directory: an
// SQLite file is written by the processes of one host, and the host name of a container
// changes with every new container, so it is left out. On PostgreSQL it is the host name and
// the absolute data directory: replicas on different hosts (or in different directories) get
// different identities; replicas whose host name changes at every start (a Kubernetes
// Deployment) should set backend.instanceId (a StatefulSet's pod name), or their dead
// incarnations' leases are recovered only when they expire. "" (in-memory SQLite, where no
// lease survives a restart) lets each component pick a random identity.
func InstanceID(cfg *config.Config) (string, error) {
	if id, ok, err := cfg.OptionalString("backend.instanceId"); err != nil {
		return "", err
	} else if ok {
		id = strings.TrimSpace(id)
		if id == "" || len(id) > maxInstanceIDLen {
			return "", configError(cfg, "backend.instanceId", "want 1 to %d characters", maxInstanceIDLen)
		}
		return id, nil
	}
	opts, err := DatabaseOptionsFromConfig(cfg)
	if err != nil {
		return "", err
	}
	if opts.Client == "" || opts.Client == database.ClientSQLite {
		if opts.Memory {
			return "", nil
		}
		dir := opts.Directory
		if opts.Filename != "" && (dir == "" || filepath.IsAbs(opts.Filename)) {
			dir = filepath.Dir(opts.Filename)
		}
		if dir == "" {
			dir = database.DefaultDirectory
		}
		abs, err := filepath.Abs(dir)
		if err != nil {
			return "", fmt.Errorf("instance id: %w", err)
		}
		return "sqlite:" + abs, nil
	}
	host, err := os.Hostname()
	if err != nil {
		return "", fmt.Errorf("instance id: host name: %w", err)
	}
	dataDir, err := DataDir(cfg)
	if err != nil {
		return "", err
	}
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return "", fmt.Errorf("instance id: %w", err)
	}
	return host + ":" + abs, nil
}
