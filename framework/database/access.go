package database

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// AccessError says why an SQLite database file cannot be used, naming the file or directory
// at fault and the cause, instead of SQLite's "unable to open database file (14)" or "attempt
// to write a readonly database (1544)".
type AccessError struct {
	File    string // the database file
	Path    string // the path at fault: the file, its directory, or one of SQLite's side files
	Problem string // what is wrong with Path, e.g. "is not writable"
	Err     error  // the system's error (permission denied, read-only file system…)
}

func (e *AccessError) Error() string {
	if e.File == "" {
		return fmt.Sprintf("database directory %s %s: %v", e.Path, e.Problem, e.Err)
	}
	if e.Path == e.File {
		return fmt.Sprintf("database file %s %s: %v", e.File, e.Problem, e.Err)
	}
	what := "directory"
	if filepath.Dir(e.File) != e.Path {
		what = "file"
	}
	return fmt.Sprintf("database file %s: %s %s %s: %v", e.File, what, e.Path, e.Problem, e.Err)
}

func (e *AccessError) Unwrap() error { return e.Err }

// Access modes for canAccess.
const (
	accessWrite = 0x2 // W_OK
	accessRead  = 0x4 // R_OK
	accessExec  = 0x1 // X_OK (search, for directories)
)

// checkSQLiteAccess verifies, before SQLite opens file, that this process can use it the way
// SQLite will in WAL mode: create files in its directory (the -wal, -shm and -journal files),
// and read and write the file and its side files when they exist. It creates the directory
// when missing. Permissions are checked against the effective user (root passes, as it does
// in SQLite itself, unless the file system is read-only).
func checkSQLiteAccess(file string) error {
	if err := checkSQLiteDir(file, filepath.Dir(file)); err != nil {
		return err
	}
	for _, p := range []string{file, file + "-wal", file + "-shm"} {
		st, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return &AccessError{File: file, Path: p, Problem: "cannot be read", Err: underlying(err)}
		}
		if st.IsDir() {
			return &AccessError{File: file, Path: p, Problem: "is a directory", Err: syscall.EISDIR}
		}
		if err := canAccess(p, accessRead|accessWrite); err != nil {
			return &AccessError{File: file, Path: p, Problem: "is not writable", Err: err}
		}
	}
	return nil
}

// checkSQLiteDir creates dir when missing and verifies that it is a directory this process
// may create files in; file ("" for the directory alone) is named in the error.
func checkSQLiteDir(file, dir string) error {
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return &AccessError{File: file, Path: dir, Problem: "cannot be created", Err: underlying(err)}
		}
	case err != nil:
		return &AccessError{File: file, Path: dir, Problem: "cannot be read", Err: underlying(err)}
	case !st.IsDir():
		return &AccessError{File: file, Path: dir, Problem: "is not a directory", Err: syscall.ENOTDIR}
	}
	if err := canAccess(dir, accessWrite|accessExec); err != nil {
		return &AccessError{File: file, Path: dir, Problem: "is not writable (SQLite needs to create its -wal and -journal files there)", Err: err}
	}
	return nil
}

// underlying strips the *fs.PathError around a system error: AccessError names the path.
func underlying(err error) error {
	if pe, ok := errors.AsType[*fs.PathError](err); ok {
		return pe.Err
	}
	return err
}
