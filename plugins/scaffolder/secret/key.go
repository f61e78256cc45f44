package secret

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// KeyFile is the name of the key generated into the scaffolder's data directory when no key is
// configured.
const KeyFile = "secrets.key"

// KeySource says where the key of a Box came from.
type KeySource int

const (
	// FromConfig: scaffolder.secretsKey (which app-config can take from the environment or a
	// file outside the data directory: ${SCAFFOLDER_SECRETS_KEY}, $file).
	FromConfig KeySource = iota
	// FromDataDir: a key generated once into <dataDir>/secrets.key. Whoever can read that file
	// can open the secrets of unfinished tasks, so the data directory must never be readable
	// through anything a user controls (no URL reader serves it, whatever its roots).
	FromDataDir
)

// OpenBox returns the box sealing task secrets. A configured key wins and nothing is written.
// Without one, the key is read from dir/secrets.key, generated there (0600, in a 0700
// directory) on first use, because the tasks a crashed process leaves behind must still open
// their secrets after a restart. An existing key file that others may read is narrowed to 0600.
func OpenBox(configured, dir string) (*Box, KeySource, error) {
	if configured != "" {
		box, err := NewBox([]byte(configured))
		if err != nil {
			return nil, FromConfig, fmt.Errorf("scaffolder.secretsKey: %w", err)
		}
		return box, FromConfig, nil
	}
	material, err := loadOrCreateKeyFile(filepath.Join(dir, KeyFile))
	if err != nil {
		return nil, FromDataDir, fmt.Errorf("scaffolder secrets key: %w", err)
	}
	box, err := NewBox(material)
	if err != nil {
		return nil, FromDataDir, fmt.Errorf("scaffolder secrets key %s: %w", filepath.Join(dir, KeyFile), err)
	}
	return box, FromDataDir, nil
}

// loadOrCreateKeyFile reads the key at path, or writes a new one there. The new key is written
// to a temporary file and linked into place, so processes starting together on one directory
// all end up with the first key written, never with a half-written one.
func loadOrCreateKeyFile(path string) ([]byte, error) {
	b, err := readKeyFile(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return b, err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(dir, KeyFile+".*") // mode 0600
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(hex.EncodeToString(raw)); err != nil {
		tmp.Close()
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		// A file system without hard links: create the file exclusively instead.
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			_, err = f.WriteString(hex.EncodeToString(raw))
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
	}
	return readKeyFile(path)
}

// readKeyFile reads the key at path, first narrowing its permissions to the owner.
func readKeyFile(path string) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if info.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(path, 0o600); err != nil {
			return nil, fmt.Errorf("narrow the permissions of %s: %w", path, err)
		}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return []byte(strings.TrimSpace(string(b))), nil
}
