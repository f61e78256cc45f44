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
// inside the local root (os.Root enforces it).
func (r *Reader) readLocalFile(loc *location, opts ReadOptions) (*ReadResponse, error) {
	rootDir, rel, err := r.localRoot(loc.localPath)
	if err != nil {
		return nil, err
	}
	data, mtime, err := readRootFile(rootDir, rel, r.maxBytes)
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

func readRootFile(rootDir, rel string, maxBytes int64) ([]byte, time.Time, error) {
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
	if fi.IsDir() {
		return nil, time.Time{}, errors.New("is a directory")
	}
	data, err := readLimited(f, fi.Size(), maxBytes)
	return data, fi.ModTime(), err
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
	sub, err := root.OpenRoot(rel)
	if err != nil {
		return nil, fmt.Errorf("read tree %s: %w", loc.raw, mapFSError(err))
	}
	defer sub.Close()

	subDir := filepath.Join(rootDir, filepath.FromSlash(rel))
	hash := sha256.New()
	var files []File
	err = fs.WalkDir(sub.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
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
				data, _, err := readRootFile(subDir, p, r.maxBytes)
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
