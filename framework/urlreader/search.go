package urlreader

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"path"
	"path/filepath"
)

// Search returns the files matching the glob in the path part of rawURL,
// e.g. file:///srv/catalog/**/catalog-info.yaml or
// https://github.com/o/r/blob/main/**/catalog-info.yaml. Without glob
// characters it reads that one file and returns it, or nothing when it does
// not exist. Globs on plain HTTP hosts are not supported.
func (r *Reader) Search(ctx context.Context, rawURL string, _ SearchOptions) ([]SearchResult, error) {
	loc, err := r.locate(rawURL)
	if err != nil {
		return nil, err
	}
	var pattern string
	switch loc.kind {
	case sourceLocal:
		pattern = filepath.ToSlash(loc.localPath)
	case sourceHTTP:
		pattern = loc.url.Path
	case sourceGit:
		pattern = loc.subpath
	}
	if !hasGlob(pattern) {
		return r.searchOne(ctx, rawURL)
	}
	dir, rest := splitGlob(pattern)
	g, err := compileGlob(rest)
	if err != nil {
		return nil, fmt.Errorf("search %s: %w", rawURL, err)
	}

	switch loc.kind {
	case sourceLocal:
		tree, err := r.localTree(ctx, loc, filepath.FromSlash(dir), TreeOptions{Filter: g.match})
		if errors.Is(err, ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return toResults(tree.Files(), func(p string) string {
			full := path.Join(dir, p)
			if loc.fileURL {
				return (&url.URL{Scheme: "file", Path: full}).String()
			}
			return filepath.FromSlash(full)
		}), nil
	case sourceGit:
		snap, unlock, err := r.openSnapshot(ctx, loc, "")
		if err != nil {
			return nil, err
		}
		defer unlock()
		files, err := r.gitFiles(snap, dir, g.match)
		if errors.Is(err, ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("search %s: %w", rawURL, err)
		}
		return toResults(files, func(p string) string {
			return loc.urlFor(snap.label, path.Join(dir, p))
		}), nil
	}
	return nil, fmt.Errorf("search %s: globs need a local or repository source: %w", rawURL, errors.ErrUnsupported)
}

func (r *Reader) searchOne(ctx context.Context, rawURL string) ([]SearchResult, error) {
	resp, err := r.ReadURL(ctx, rawURL, ReadOptions{})
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	body := resp.Body
	return []SearchResult{{
		URL:          rawURL,
		Content:      func() ([]byte, error) { return body, nil },
		LastModified: resp.LastModified,
	}}, nil
}

func toResults(files []File, urlFor func(string) string) []SearchResult {
	out := make([]SearchResult, 0, len(files))
	for _, f := range files {
		out = append(out, SearchResult{URL: urlFor(f.Path), Content: f.Content, LastModified: f.LastModified})
	}
	return out
}
