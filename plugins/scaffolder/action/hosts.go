package action

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/portico-dev/portico/framework/urlreader"
)

func githubHost(h string) string {
	if h == "" {
		return "github.com"
	}
	return h
}

func gitlabHost(h string) string {
	if h == "" {
		return "gitlab.com"
	}
	return h
}

// HostType classifies a repository host by its integration, as Backstage's
// ScmIntegrations.byHost does for parseRepoUrl and the publish actions: "github" for
// github.com and configured GitHub hosts, "gitlab" for gitlab.com and configured GitLab hosts,
// "azure" for dev.azure.com and "bitbucketCloud" for bitbucket.org (integrations Backstage
// always has), "git" for configured plain git hosts, and "" for any other host, which
// parseRepoUrl refuses. Hosts compare case-insensitively. It is the one classifier: the
// templating engine's parseRepoUrl (nunjucks.Options.HostType) and the publish actions both
// use it, and it finds GitHub and GitLab hosts with the same lookup the actions call.
func HostType(in Integrations) func(host string) string {
	return func(host string) string {
		switch {
		case strings.EqualFold(host, "dev.azure.com"):
			return "azure"
		case strings.EqualFold(host, "bitbucket.org"):
			return "bitbucketCloud"
		}
		if _, ok := findGitHub(in, host); ok {
			return "github"
		}
		if _, ok := findGitLab(in, host); ok {
			return "gitlab"
		}
		for _, g := range in.Git {
			if strings.EqualFold(g.Host, host) {
				return "git"
			}
		}
		return ""
	}
}

func findGitHub(in Integrations, host string) (urlreader.GitHubIntegration, bool) {
	for _, g := range in.GitHub {
		if strings.EqualFold(githubHost(g.Host), host) {
			g.Host = githubHost(g.Host)
			if g.APIBaseURL == "" {
				if g.Host == "github.com" {
					g.APIBaseURL = "https://api.github.com"
				} else {
					g.APIBaseURL = "https://" + g.Host + "/api/v3"
				}
			}
			return g, true
		}
	}
	if strings.EqualFold(host, "github.com") {
		return urlreader.GitHubIntegration{Host: "github.com", APIBaseURL: "https://api.github.com"}, true
	}
	return urlreader.GitHubIntegration{}, false
}

func findGitLab(in Integrations, host string) (urlreader.GitLabIntegration, bool) {
	for _, g := range in.GitLab {
		if strings.EqualFold(gitlabHost(g.Host), host) {
			g.Host = gitlabHost(g.Host)
			if g.BaseURL == "" {
				g.BaseURL = "https://" + g.Host
			}
			if g.APIBaseURL == "" {
				g.APIBaseURL = strings.TrimSuffix(g.BaseURL, "/") + "/api/v4"
			}
			return g, true
		}
	}
	if strings.EqualFold(host, "gitlab.com") {
		return urlreader.GitLabIntegration{Host: "gitlab.com", BaseURL: "https://gitlab.com", APIBaseURL: "https://gitlab.com/api/v4"}, true
	}
	return urlreader.GitLabIntegration{}, false
}

// APIError is a non-2xx answer from a repository host's API.
type APIError struct {
	Method, URL string
	StatusCode  int
	Body        string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("%s %s: %d: %s", e.Method, e.URL, e.StatusCode, e.Body)
}

// callJSON sends body (if any) as JSON and decodes a JSON answer into out (if any).
func callJSON(ctx context.Context, client *http.Client, method, url string, header http.Header, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, url, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		msg := strings.TrimSpace(string(b))
		var e struct {
			Message any `json:"message"`
		}
		if json.Unmarshal(b, &e) == nil && e.Message != nil {
			msg = fmt.Sprint(e.Message)
		}
		return &APIError{Method: method, URL: url, StatusCode: resp.StatusCode, Body: msg}
	}
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("%s %s: decode answer: %w", method, url, err)
		}
	}
	return nil
}
