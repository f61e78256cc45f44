package urlreader

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// localRoot finds the configured root that contains abs and returns abs
// relative to it, "/"-separated.
func (r *Reader) localRoot(abs string) (root, rel string, err error) {
	if r.trusted {
		// Anywhere on the file system: the root is abs's volume.
		root = filepath.VolumeName(abs) + string(filepath.Separator)
		rel, err = filepath.Rel(root, abs)
		if err != nil {
			return "", "", fmt.Errorf("local path %s: %w", abs, err)
		}
		return root, filepath.ToSlash(rel), nil
	}
	if len(r.localRoots) == 0 {
		return "", "", fmt.Errorf("local path %s: local reading is off (no local roots configured): %w", abs, ErrNotAllowed)
	}
	for _, candidate := range r.localRoots {
		rel, err := filepath.Rel(candidate, abs)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			continue
		}
		if len(candidate) > len(root) {
			root = candidate
		}
	}
	if root == "" {
		return "", "", fmt.Errorf("local path %s is outside the local roots: %w", abs, ErrNotAllowed)
	}
	rel, _ = filepath.Rel(root, abs)
	return root, filepath.ToSlash(rel), nil
}

// readLocalFile reads one file. Symlinks are followed only while they stay
// inside the local root (os.Root enforces it) and out of the denied
// directories.
func (r *Reader) readLocalFile(loc *location, opts ReadOptions) (*ReadResponse, error) {
	rootDir, rel, err := r.localRoot(loc.localPath)
	if err != nil {
		return nil, err
	}
	data, mtime, err := r.readRootFile(rootDir, rel)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", loc.raw, err)
	}
	etag := contentETag(data)
	if opts.ETag != "" && opts.ETag == etag {
		return nil, fmt.Errorf("read %s: %w", loc.raw, ErrNotModified)
	}
	if !opts.LastModifiedAfter.IsZero() && !mtime.After(opts.LastModifiedAfter) {
		return nil, fmt.Errorf("read %s: %w", loc.raw, ErrNotModified)
	}
	return &ReadResponse{Body: data, ETag: etag, LastModified: mtime}, nil
}

// readRootFile reads rootDir/rel. The file's real path (symlinks resolved)
// must lie outside the denied directories, checked again after opening
// against the file actually opened, so a link swapped in meanwhile is
// refused too.
func (r *Reader) readRootFile(rootDir, rel string) ([]byte, time.Time, error) {
	abs := filepath.Join(rootDir, filepath.FromSlash(rel))
	if _, err := r.checkLocal(abs); err != nil {
		return nil, time.Time{}, err
	}
	root, err := os.OpenRoot(rootDir)
	if err != nil {
		return nil, time.Time{}, mapFSError(err)
	}
	defer root.Close()
	f, err := root.Open(rel)
	if err != nil {
		return nil, time.Time{}, mapFSError(err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, time.Time{}, err
	}
	if err := r.checkOpened(abs, fi); err != nil {
		return nil, time.Time{}, err
	}
	if fi.IsDir() {
		return nil, time.Time{}, errors.New("is a directory")
	}
	data, err := readLimited(f, fi.Size(), r.maxBytes)
	return data, fi.ModTime(), err
}

// checkLocal refuses abs when it, or its real path, lies in a denied
// directory (and not in one of its exceptions); it returns the real path.
func (r *Reader) checkLocal(abs string) (string, error) {
	real := realPath(abs)
	if r.isDenied(abs) || r.isDenied(real) {
		return "", fmt.Errorf("local path %s is in a directory that is never read (the data directory): %w", abs, ErrNotAllowed)
	}
	return real, nil
}

// checkOpened checks, after opening abs, that its real path is still
// allowed and is the file opened (fi).
func (r *Reader) checkOpened(abs string, fi fs.FileInfo) error {
	real, err := r.checkLocal(abs)
	if err != nil {
		return err
	}
	if checked, err := os.Stat(real); err != nil || !os.SameFile(fi, checked) {
		return fmt.Errorf("local path %s changed while being read: %w", abs, ErrNotAllowed)
	}
	return nil
}

// isDenied reports whether the absolute path p is inside a denied directory
// and not inside one of its exceptions. Both are compared as configured and
// with their symlinks resolved.
func (r *Reader) isDenied(p string) bool {
	for _, d := range r.denied {
		if !within(d, p) && !within(realPath(d), p) {
			continue
		}
		for _, e := range r.except {
			if within(e, p) && within(realPath(e), realPath(p)) {
				return false
			}
		}
		return true
	}
	return false
}

// within reports whether p is dir or below it (both absolute and clean).
func within(dir, p string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// realPath resolves the symlinks of p's longest existing ancestor and
// appends the rest, so paths that do not exist yet resolve too.
func realPath(p string) string {
	rest := ""
	for cur := filepath.Clean(p); ; {
		if real, err := filepath.EvalSymlinks(cur); err == nil {
			return filepath.Join(real, rest)
		}
		parent := filepath.Dir(cur)
		if parent == cur {
			return filepath.Clean(p)
		}
		rest = filepath.Join(filepath.Base(cur), rest)
		cur = parent
	}
}

// localTree lists the regular files under a directory. Symlinks and other
// special files are left out.
func (r *Reader) localTree(ctx context.Context, loc *location, dir string, opts TreeOptions) (*Tree, error) {
	rootDir, rel, err := r.localRoot(dir)
	if err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(rootDir)
	if err != nil {
		return nil, fmt.Errorf("read tree %s: %w", loc.raw, mapFSError(err))
	}
	defer root.Close()
	subDir := filepath.Join(rootDir, filepath.FromSlash(rel))
	if _, err := r.checkLocal(subDir); err != nil {
		return nil, err
	}
	sub, err := root.OpenRoot(rel)
	if err != nil {
		return nil, fmt.Errorf("read tree %s: %w", loc.raw, mapFSError(err))
	}
	defer sub.Close()
	fi, err := sub.Stat(".")
	if err != nil {
		return nil, fmt.Errorf("read tree %s: %w", loc.raw, mapFSError(err))
	}
	if err := r.checkOpened(subDir, fi); err != nil {
		return nil, err
	}
	subReal := realPath(subDir)

	hash := sha256.New()
	var files []File
	err = fs.WalkDir(sub.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		// The walk follows no links, so an entry's real path is below subReal.
		if r.isDenied(filepath.Join(subDir, p)) || r.isDenied(filepath.Join(subReal, p)) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(hash, "%s\x00%d\x00%d\n", p, info.Size(), info.ModTime().UnixNano())
		if opts.Filter != nil && !opts.Filter(p) {
			return nil
		}
		files = append(files, File{
			Path:         p,
			LastModified: info.ModTime(),
			Content: func() ([]byte, error) {
				data, _, err := r.readRootFile(subDir, p)
				if err != nil {
					return nil, fmt.Errorf("read %s: %w", p, err)
				}
				return data, nil
			},
		})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read tree %s: %w", loc.raw, mapFSError(err))
	}
	etag := hex.EncodeToString(hash.Sum(nil))
	if opts.ETag != "" && opts.ETag == etag {
		return nil, fmt.Errorf("read tree %s: %w", loc.raw, ErrNotModified)
	}
	slices.SortFunc(files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	return NewTree(etag, files), nil
}

func mapFSError(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	return err
}

// readLimited reads all of rd, refusing more than maxBytes. size is the
// announced length, or -1 when unknown.
func readLimited(rd io.Reader, size, maxBytes int64) ([]byte, error) {
	if size > maxBytes {
		return nil, fmt.Errorf("%d bytes exceeds the limit of %d: %w", size, maxBytes, ErrTooLarge)
	}
	data, err := io.ReadAll(io.LimitReader(rd, maxBytes+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > maxBytes {
		return nil, fmt.Errorf("more than %d bytes: %w", maxBytes, ErrTooLarge)
	}
	return data, nil
}

func contentETag(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
