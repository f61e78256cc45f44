package urlreader

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing/object"
)

// ReadURL reads one file. It returns ErrNotModified when opts says the
// caller is up to date, ErrNotFound, ErrNotAllowed or ErrTooLarge, all
// wrapped with the URL.
func (r *Reader) ReadURL(ctx context.Context, rawURL string, opts ReadOptions) (*ReadResponse, error) {
	loc, err := r.locate(rawURL)
	if err != nil {
		return nil, err
	}
	switch loc.kind {
	case sourceLocal:
		return r.readLocalFile(loc, opts)
	case sourceHTTP:
		return r.fetch(ctx, loc.url.Redacted(), loc.url.String(), nil, opts)
	}
	if loc.subpath == "" {
		return nil, fmt.Errorf("read %s: the url names a repository, not a file: %w", rawURL, errInvalidURL)
	}
	if loc.fileAPI != nil {
		if loc.ref == "" {
			return nil, fmt.Errorf("read %s: the url names no ref: %w", rawURL, errInvalidURL)
		}
		target, header := loc.fileAPI(loc.ref, loc.subpath)
		return r.fetch(ctx, rawURL, target, header, opts)
	}
	return r.readGitFile(ctx, loc, opts)
}

func (r *Reader) readGitFile(ctx context.Context, loc *location, opts ReadOptions) (*ReadResponse, error) {
	snap, unlock, err := r.openSnapshot(ctx, loc, "")
	if err != nil {
		return nil, err
	}
	defer unlock()
	tree, err := snap.commit.Tree()
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", loc.raw, err)
	}
	f, err := tree.File(loc.subpath)
	if errors.Is(err, object.ErrFileNotFound) {
		return nil, fmt.Errorf("read %s: %w", loc.raw, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", loc.raw, err)
	}
	etag := f.Blob.Hash.String()
	modified := snap.commit.Committer.When
	if (opts.ETag != "" && opts.ETag == etag) ||
		(!opts.LastModifiedAfter.IsZero() && !modified.After(opts.LastModifiedAfter)) {
		return nil, fmt.Errorf("read %s: %w", loc.raw, ErrNotModified)
	}
	body, err := r.readBlob(snap.repo, f.Blob.Hash)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", loc.raw, err)
	}
	return &ReadResponse{Body: body, ETag: etag, LastModified: modified}, nil
}

// ReadTree reads a directory: a local one, or one of a repository at a
// ref. File contents are read lazily through File.Content.
func (r *Reader) ReadTree(ctx context.Context, rawURL string, opts TreeOptions) (*Tree, error) {
	loc, err := r.locate(rawURL)
	if err != nil {
		return nil, err
	}
	switch loc.kind {
	case sourceLocal:
		return r.localTree(ctx, loc, loc.localPath, opts)
	case sourceHTTP:
		return nil, fmt.Errorf("read tree %s: plain http hosts serve files only: %w", rawURL, errors.ErrUnsupported)
	}
	files, etag, err := r.readGitTree(ctx, loc, loc.subpath, opts.ETag, opts.Filter)
	if err != nil {
		return nil, err
	}
	return NewTree(etag, files), nil
}

func (r *Reader) readGitTree(ctx context.Context, loc *location, dir, etag string, filter func(string) bool) ([]File, string, error) {
	snap, unlock, err := r.openSnapshot(ctx, loc, etag)
	if err != nil {
		return nil, "", err
	}
	defer unlock()
	files, err := r.gitFiles(snap, dir, filter)
	if err != nil {
		return nil, "", fmt.Errorf("read tree %s: %w", loc.raw, err)
	}
	return files, snap.commit.Hash.String(), nil
}
