package urlreader

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	"github.com/go-git/go-git/v5/storage/memory"
)

// maxRefAdvertisement bounds the ref list read from a smart HTTP server.
const maxRefAdvertisement = 64 << 20

// remoteRefs are the refs a remote advertises.
type remoteRefs struct {
	refs   map[plumbing.ReferenceName]*plumbing.Reference
	peeled map[plumbing.ReferenceName]plumbing.Hash // annotated tag -> commit
}

// hash resolves name to a commit id where the remote told us how.
func (rr remoteRefs) hash(name plumbing.ReferenceName) (plumbing.Hash, bool) {
	ref, ok := rr.refs[name]
	if !ok {
		return plumbing.ZeroHash, false
	}
	if ref.Type() == plumbing.SymbolicReference {
		return rr.hash(ref.Target())
	}
	if h, ok := rr.peeled[name]; ok {
		return h, true
	}
	return ref.Hash(), true
}

// listRemote lists the remote's refs. It returns the URL to fetch from,
// which differs from remote.url when an HTTP server redirected (to an
// allowed host: the Reader's client refuses others).
func (r *Reader) listRemote(ctx context.Context, remote gitRemote) (remoteRefs, string, error) {
	if strings.HasPrefix(remote.url, "http://") || strings.HasPrefix(remote.url, "https://") {
		return r.listRemoteHTTP(ctx, remote)
	}
	rem := git.NewRemote(memory.NewStorage(), &config.RemoteConfig{Name: git.DefaultRemoteName, URLs: []string{remote.url}})
	list, err := rem.ListContext(ctx, &git.ListOptions{Auth: remote.auth, PeelingOption: git.AppendPeeled})
	if err != nil {
		return remoteRefs{}, "", fmt.Errorf("list refs of %s: %w", redactURL(remote.url), mapGitError(err))
	}
	rr := remoteRefs{refs: map[plumbing.ReferenceName]*plumbing.Reference{}, peeled: map[plumbing.ReferenceName]plumbing.Hash{}}
	for _, ref := range list {
		if name, ok := strings.CutSuffix(ref.Name().String(), "^{}"); ok {
			rr.peeled[plumbing.ReferenceName(name)] = ref.Hash()
			continue
		}
		rr.refs[ref.Name()] = ref
	}
	return rr, remote.url, nil
}

// listRemoteHTTP does the first request of git's smart HTTP protocol
// itself, with the Reader's client, so redirects obey the allow-list before
// go-git sees the remote.
func (r *Reader) listRemoteHTTP(ctx context.Context, remote gitRemote) (remoteRefs, string, error) {
	display := redactURL(remote.url)
	target := strings.TrimSuffix(remote.url, "/") + "/info/refs?service=git-upload-pack"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return remoteRefs{}, "", fmt.Errorf("list refs of %s: %w", display, err)
	}
	if ba, ok := remote.auth.(*githttp.BasicAuth); ok {
		req.SetBasicAuth(ba.Username, ba.Password)
	}
	req.Header.Set("User-Agent", "git/portico-urlreader")
	resp, err := r.client.Do(req)
	if err != nil {
		return remoteRefs{}, "", fmt.Errorf("list refs of %s: %w", display, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return remoteRefs{}, "", fmt.Errorf("list refs of %s: repository %w", display, ErrNotFound)
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return remoteRefs{}, "", fmt.Errorf("list refs of %s: access denied (status %d); check the integration token", display, resp.StatusCode)
	case resp.StatusCode != http.StatusOK:
		return remoteRefs{}, "", fmt.Errorf("list refs of %s: unexpected status %s", display, resp.Status)
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "application/x-git-upload-pack-advertisement" {
		return remoteRefs{}, "", fmt.Errorf("list refs of %s: not a smart git http server (content type %q)", display, mt)
	}
	ar := packp.NewAdvRefs()
	if err := ar.Decode(io.LimitReader(resp.Body, maxRefAdvertisement)); err != nil {
		if errors.Is(err, packp.ErrEmptyAdvRefs) {
			return remoteRefs{}, "", fmt.Errorf("list refs of %s: empty repository: %w", display, ErrNotFound)
		}
		return remoteRefs{}, "", fmt.Errorf("list refs of %s: %w", display, err)
	}
	all, err := ar.AllReferences()
	if err != nil {
		return remoteRefs{}, "", fmt.Errorf("list refs of %s: %w", display, err)
	}
	rr := remoteRefs{refs: map[plumbing.ReferenceName]*plumbing.Reference(all), peeled: map[plumbing.ReferenceName]plumbing.Hash{}}
	for name, h := range ar.Peeled {
		rr.peeled[plumbing.ReferenceName(name)] = h
	}

	fetchURL := remote.url
	if final := resp.Request.URL; final.String() != req.URL.String() {
		moved := *final
		moved.RawQuery = ""
		moved.Path = strings.TrimSuffix(moved.Path, "/info/refs")
		moved.RawPath = ""
		fetchURL = moved.String()
		r.logger.DebugContext(ctx, "git remote redirected", "from", display, "to", redactURL(fetchURL))
	}
	return rr, fetchURL, nil
}

// redactURL hides a password in a URL for logs and errors.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "<unparseable url>"
	}
	return u.Redacted()
}
