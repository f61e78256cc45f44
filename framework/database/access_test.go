package database_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/portico-dev/portico/framework/database"
)

// asUnprivileged runs fn with the effective user nobody when the test runs as root (root
// ignores permission bits, so a chmod'd directory would not stop it) and restores root after.
// The change applies to the whole process (Go sets it on every thread); this package's tests
// do not run in parallel.
func asUnprivileged(t *testing.T, fn func()) {
	t.Helper()
	if os.Geteuid() != 0 {
		fn()
		return
	}
	const nobody = 65534
	if err := syscall.Setresuid(-1, nobody, -1); err != nil {
		t.Skipf("cannot drop to an unprivileged user to test permissions as root: %v", err)
	}
	defer func() {
		if err := syscall.Setresuid(-1, 0, -1); err != nil {
			panic("cannot restore root after the permission test: " + err.Error())
		}
	}()
	fn()
}

// TestReadOnlyDataDirectory performs the case of issue 12: a data directory that already holds
// the databases but cannot be written. Opening must name the directory and the cause, not
// answer SQLite's "unable to open database file (14)".
func TestReadOnlyDataDirectory(t *testing.T) {
	tests := []struct {
		name string
		// lock makes dir (holding file) unusable.
		lock func(t *testing.T, dir, file string)
		want func(dir, file string) string
	}{
		{
			name: "read-only directory",
			lock: func(t *testing.T, dir, _ string) { chmod(t, dir, 0o555) },
			want: func(dir, file string) string {
				return "database file " + file + ": directory " + dir +
					" is not writable (SQLite needs to create its -wal and -journal files there): permission denied"
			},
		},
		{
			name: "read-only database file",
			lock: func(t *testing.T, dir, file string) {
				chmod(t, dir, 0o777) // whoever runs the test may create files beside it
				chmod(t, file, 0o444)
			},
			want: func(_, file string) string { return "database file " + file + " is not writable: permission denied" },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			dir := filepath.Join(root, ".portico")
			// The test's own directories must be reachable by the unprivileged user.
			chmod(t, filepath.Dir(root), 0o755)
			chmod(t, root, 0o755)
			opts := database.Options{Directory: dir}
			m, err := database.NewManager(opts, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := m.ForPlugin(t.Context(), "catalog"); err != nil {
				t.Fatal(err)
			}
			if err := m.Close(); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(dir, "backstage_plugin_catalog.sqlite")
			chmod(t, dir, 0o755)
			chmod(t, file, 0o644)
			tt.lock(t, dir, file)
			t.Cleanup(func() { chmod(t, dir, 0o755) })

			var openErr error
			asUnprivileged(t, func() {
				m, err := database.NewManager(opts, nil)
				if err != nil {
					t.Error(err)
					return
				}
				defer m.Close()
				_, openErr = m.ForPlugin(t.Context(), "catalog")
			})
			if openErr == nil {
				t.Fatal("opening succeeded")
			}
			access, ok := errors.AsType[*database.AccessError](openErr)
			if !ok {
				t.Fatalf("error %v is not an AccessError", openErr)
			}
			if got, want := access.Error(), tt.want(dir, file); got != want {
				t.Errorf("error = %q\nwant    %q", got, want)
			}
			if strings.Contains(openErr.Error(), "(14)") {
				t.Errorf("error still shows SQLite's code: %v", openErr)
			}
		})
	}
}

func chmod(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}
