package urlreader

import (
	"context"
	"fmt"
	"net/http"
)

// fetch GETs target and returns its body. display names the location in
// errors (the caller's URL, not an API endpoint).
func (r *Reader) fetch(ctx context.Context, display, target string, header http.Header, opts ReadOptions) (*ReadResponse, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", display, err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("User-Agent", "portico-urlreader")
	if opts.ETag != "" {
		req.Header.Set("If-None-Match", opts.ETag)
	}
	if !opts.LastModifiedAfter.IsZero() {
		req.Header.Set("If-Modified-Since", opts.LastModifiedAfter.UTC().Format(http.TimeFormat))
	}
	r.logger.DebugContext(ctx, "http read", "url", req.URL.Redacted())
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", display, err)
	}
	defer resp.Body.Close()

	switch {
	case resp.StatusCode == http.StatusNotModified:
		return nil, fmt.Errorf("read %s: %w", display, ErrNotModified)
	case resp.StatusCode == http.StatusNotFound:
		return nil, fmt.Errorf("read %s: status %d: %w", display, resp.StatusCode, ErrNotFound)
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return nil, fmt.Errorf("read %s: access denied (status %d); check the integration token", display, resp.StatusCode)
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return nil, fmt.Errorf("read %s: unexpected status %s", display, resp.Status)
	}

	body, err := readLimited(resp.Body, resp.ContentLength, r.maxBytes)
	if err != nil {
		return nil, fmt.Errorf("read %s: body %w", display, err)
	}
	out := &ReadResponse{Body: body, ETag: resp.Header.Get("ETag")}
	if lm := resp.Header.Get("Last-Modified"); lm != "" {
		if t, err := http.ParseTime(lm); err == nil {
			out.LastModified = t
		}
	}
	return out, nil
}
