package action

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"

	gitclient "github.com/go-git/go-git/v5/plumbing/transport/client"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
)

// go-git follows a redirect of a push's ref discovery and then sends the pack wherever it
// led, so a configured host could send a push (the workspace) to any host. go-git has no
// per-push HTTP client: its transports live in a process-wide table. installGitRedirectCheck
// replaces the http(s) entries once with a client whose CheckRedirect asks the check carried
// by the request's context (withRedirectCheck), as the URL reader checks the redirects of its
// reads. Requests without a check (other go-git users) keep go-git's own redirect policy, which
// runs first in every case.
var installGitHTTP sync.Once

func installGitRedirectCheck() {
	installGitHTTP.Do(func() {
		c := githttp.NewClient(&http.Client{Transport: http.DefaultTransport, CheckRedirect: checkGitRedirect})
		gitclient.InstallProtocol("http", c)
		gitclient.InstallProtocol("https", c)
	})
}

type redirectCheckKey struct{}

func checkGitRedirect(req *http.Request, _ []*http.Request) error {
	if check, ok := req.Context().Value(redirectCheckKey{}).(func(*url.URL) error); ok {
		return check(req.URL)
	}
	return nil
}

// withRedirectCheck returns ctx for a git operation on remote: a redirect is followed only to
// a host the operator configured (c.Reader.AllowsHost), or, without a reader, within the
// remote's own host.
func withRedirectCheck(ctx context.Context, c *Context, remote string) context.Context {
	installGitRedirectCheck() // a no-op after Builtins; kept for actions run without them (tests)
	origin, _ := url.Parse(remote)
	return context.WithValue(ctx, redirectCheckKey{}, func(u *url.URL) error {
		if c != nil && c.Reader != nil {
			if c.Reader.AllowsHost(u.String()) {
				return nil
			}
		} else if origin != nil && strings.EqualFold(u.Host, origin.Host) {
			return nil
		}
		return inputErr("git redirect to %s refused: no matching integration configuration for host %s, please check your integrations config (or backend.reading.allow)", u.Redacted(), u.Host)
	})
}
