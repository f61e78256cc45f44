package secret_test

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/portico-dev/portico/plugins/scaffolder/secret"
)

// TestOpenBoxKeySources: where the key comes from, what lands in the data directory, and what a
// reader of the data directory can do with it.
func TestOpenBoxKeySources(t *testing.T) {
	const configured = "a-key-from-the-environment-0123456789"
	tests := []struct {
		name       string
		configured string
		// before prepares the data directory.
		before     func(t *testing.T, dir string)
		wantSource secret.KeySource
		wantErr    bool
		// wantFileMode is the key file's mode afterwards (0: no file).
		wantFileMode os.FileMode
	}{
		{name: "configured key writes nothing", configured: configured, wantSource: secret.FromConfig},
		{name: "configured key too short", configured: "short", wantSource: secret.FromConfig, wantErr: true},
		{name: "generated key file is private", wantSource: secret.FromDataDir, wantFileMode: 0o600},
		{name: "readable key file is narrowed", before: func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, secret.KeyFile), []byte("0123456789abcdef0123456789abcdef\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(filepath.Join(dir, secret.KeyFile), 0o644); err != nil {
				t.Fatal(err)
			}
		}, wantSource: secret.FromDataDir, wantFileMode: 0o600},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "scaffolder")
			if err := os.MkdirAll(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if tt.before != nil {
				tt.before(t, dir)
			}
			box, src, err := secret.OpenBox(tt.configured, dir)
			if (err != nil) != tt.wantErr || src != tt.wantSource {
				t.Fatalf("OpenBox(%q) = source %v, err %v; want source %v, error %v", tt.configured, src, err, tt.wantSource, tt.wantErr)
			}
			if err != nil {
				return
			}
			info, statErr := os.Stat(filepath.Join(dir, secret.KeyFile))
			switch {
			case tt.wantFileMode == 0 && statErr == nil:
				t.Fatalf("a key file was written although the key is configured")
			case tt.wantFileMode != 0 && (statErr != nil || info.Mode().Perm() != tt.wantFileMode):
				t.Fatalf("key file: %v %v, want mode %v", info, statErr, tt.wantFileMode)
			}
			sealed, err := box.Seal(map[string]string{"TOKEN": "ghp_secret"})
			if err != nil {
				t.Fatal(err)
			}
			// The attack: everything in the data directory tried as key material.
			opened := false
			files, _ := filepath.Glob(filepath.Join(dir, "*"))
			for _, f := range files {
				b, _ := os.ReadFile(f)
				if other, err := secret.NewBox(b); err == nil {
					if _, err := other.Open(sealed); err == nil {
						opened = true
					}
				}
			}
			if src == secret.FromConfig && opened {
				t.Errorf("the data directory alone opens secrets sealed with a configured key")
			}
			// A restart opens what the previous process sealed (tasks recovered after a crash).
			again, _, err := secret.OpenBox(tt.configured, dir)
			if err != nil {
				t.Fatal(err)
			}
			if got, err := again.Open(sealed); err != nil || got["TOKEN"] != "ghp_secret" {
				t.Fatalf("after a restart: %v, %v", got, err)
			}
		})
	}
}

// TestOpenBoxConcurrentStarts: processes starting together on one data directory share one key.
func TestOpenBoxConcurrentStarts(t *testing.T) {
	dir := t.TempDir()
	boxes := make([]*secret.Box, 8)
	var wg sync.WaitGroup
	for i := range boxes {
		wg.Go(func() {
			b, _, err := secret.OpenBox("", dir)
			if err != nil {
				t.Error(err)
			}
			boxes[i] = b
		})
	}
	wg.Wait()
	sealed, err := boxes[0].Seal(map[string]string{"K": "value"})
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range boxes {
		if b == nil {
			t.Fatalf("box %d missing", i)
		}
		if _, err := b.Open(sealed); err != nil {
			t.Fatalf("box %d has another key: %v", i, err)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, secret.KeyFile+".*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}
