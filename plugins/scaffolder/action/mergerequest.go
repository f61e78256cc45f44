package action

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"

	"github.com/portico-dev/portico/plugins/scaffolder/nunjucks"
)

// gitlabProject is one project on a GitLab host, with the credentials to reach it.
type gitlabProject struct {
	d          BuiltinDeps
	api, token string
	path       string // owner/repo
	hdr        http.Header
	info       struct {
		ID            float64 `json:"id"`
		HTTPURLToRepo string  `json:"http_url_to_repo"`
		WebURL        string  `json:"web_url"`
		DefaultBranch string  `json:"default_branch"`
		PathWithNS    string  `json:"path_with_namespace"`
	}
}

func openGitLabProject(ctx context.Context, c *Context, d BuiltinDeps, id string) (*gitlabProject, error) {
	if err := require(c.Input, "repoUrl"); err != nil {
		return nil, err
	}
	spec, err := nunjucks.ParseRepoURL(str(c.Input, "repoUrl"), HostType(c.Integrations))
	if err != nil {
		return nil, inputErr("%s: %v", id, err)
	}
	gl, token, err := gitlabAPI(c, spec.Host, str(c.Input, "token"))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", id, err)
	}
	p := &gitlabProject{d: d, api: strings.TrimSuffix(gl.APIBaseURL, "/"), token: token, path: spec.Owner + "/" + spec.Repo,
		hdr: http.Header{"Private-Token": {token}}}
	if spec.Project != "" && spec.Owner == "" {
		p.path = spec.Project // a numeric project id
	}
	if err := callJSON(ctx, d.HTTPClient, http.MethodGet, p.api+"/projects/"+url.PathEscape(p.path), p.hdr, nil, &p.info); err != nil {
		return nil, fmt.Errorf("%s: get project %s: %w", id, p.path, err)
	}
	return p, nil
}

func (p *gitlabProject) projectAPI() string { return fmt.Sprintf("%s/projects/%.0f", p.api, p.info.ID) }

func (p *gitlabProject) auth() *githttp.BasicAuth {
	return &githttp.BasicAuth{Username: "oauth2", Password: p.token}
}

func newGitLabMergeRequest(d BuiltinDeps) Action {
	const id = "publish:gitlab:merge-request"
	return &undoable{
		builtin: builtin{
			id:          id,
			description: "Creates a GitLab merge request with the contents of the workspace on a new branch.",
			schema: schema(`{"type":"object","required":["repoUrl","branchName","title","description"],"properties":{
"repoUrl":{"type":"string","title":"Repository Location"},
"title":{"type":"string","title":"Merge Request Name"},
"description":{"type":"string","title":"Merge Request Description"},
"branchName":{"type":"string","title":"Source Branch Name"},
"targetBranchName":{"type":"string","title":"Target Branch Name","description":"Default: the project's default branch"},
"sourcePath":{"type":"string","title":"Working Subdirectory"},
"targetPath":{"type":"string","title":"Repository Subdirectory"},
"token":{"type":"string","title":"Authentication Token"},
"commitAction":{"type":"string","enum":["create","update"],"title":"Commit action","description":"Portico commits the files as they are in the workspace; create and update behave alike"},
"removeSourceBranch":{"type":"boolean","title":"Delete source branch","description":"Delete the source branch after the merge request is merged"},
"assignee":{"type":"string","title":"Merge Request Assignee","description":"User login"},
"gitAuthorName":{"type":"string"},"gitAuthorEmail":{"type":"string"}}}`,
				`{"type":"object","properties":{
"projectid":{"type":"number","title":"GitLab project id"},"projectPath":{"type":"string","title":"GitLab project path"},
"targetBranchName":{"type":"string","title":"Target branch name of the merge request"},
"mergeRequestUrl":{"type":"string","title":"Link to the merge request in GitLab"},
"mergeRequestIid":{"type":"number"},"commitHash":{"type":"string"}}}`),
			handle: func(ctx context.Context, c *Context) error {
				if err := require(c.Input, "title", "branchName"); err != nil {
					return err
				}
				p, err := openGitLabProject(ctx, c, d, id)
				if err != nil {
					return err
				}
				base := strDefault(c.Input, "targetBranchName", p.info.DefaultBranch)
				src, err := ResolvePath(c.Workspace, str(c.Input, "sourcePath"))
				if err != nil {
					return fmt.Errorf("%s: %w", id, err)
				}
				branch := str(c.Input, "branchName")
				hash, err := commitToNewBranch(ctx, c, d, branchChange{
					cloneURL: p.info.HTTPURLToRepo, base: base, branch: branch, auth: p.auth(),
					srcDir: src, targetPath: str(c.Input, "targetPath"), message: str(c.Input, "title"),
					authorName: strDefault(c.Input, "gitAuthorName", d.DefaultAuthorName),
					authorMail: strDefault(c.Input, "gitAuthorEmail", d.DefaultAuthorEmail),
					allowEmpty: true,
				})
				if err != nil {
					return fmt.Errorf("%s: %w", id, err)
				}
				c.output("commitHash", hash)
				body := map[string]any{
					"source_branch": branch, "target_branch": base, "title": str(c.Input, "title"),
					"description": str(c.Input, "description"), "remove_source_branch": boolean(c.Input, "removeSourceBranch"),
				}
				if login := str(c.Input, "assignee"); login != "" {
					var users []struct {
						ID float64 `json:"id"`
					}
					err := callJSON(ctx, d.HTTPClient, http.MethodGet, p.api+"/users?username="+url.QueryEscape(login), p.hdr, nil, &users)
					if err != nil || len(users) == 0 {
						c.log().Warn("Failed to find the assignee; the merge request has none", "assignee", login)
					} else {
						body["assignee_id"] = users[0].ID
					}
				}
				var mr struct {
					IID    float64 `json:"iid"`
					WebURL string  `json:"web_url"`
				}
				if err := callJSON(ctx, d.HTTPClient, http.MethodPost, p.projectAPI()+"/merge_requests", p.hdr, body, &mr); err != nil {
					return fmt.Errorf("%s: create merge request: %w", id, err)
				}
				c.output("projectid", p.info.ID)
				c.output("projectPath", p.info.PathWithNS)
				c.output("targetBranchName", base)
				c.output("mergeRequestUrl", mr.WebURL)
				c.output("mergeRequestIid", mr.IID)
				return nil
			},
		},
		// Undo closes the merge request and deletes its branch.
		undo: func(ctx context.Context, c *Context, output map[string]any) error {
			if str(output, "commitHash") == "" {
				return nil
			}
			p, err := openGitLabProject(ctx, c, d, id)
			if err != nil {
				return fmt.Errorf("%s undo: %w", id, err)
			}
			if iid, ok := output["mergeRequestIid"].(float64); ok {
				u := fmt.Sprintf("%s/merge_requests/%.0f", p.projectAPI(), iid)
				err := callJSON(ctx, d.HTTPClient, http.MethodPut, u, p.hdr, map[string]any{"state_event": "close"}, nil)
				var ae *APIError
				if err != nil && !(errors.As(err, &ae) && ae.StatusCode == http.StatusNotFound) {
					return fmt.Errorf("%s undo: close merge request: %w", id, err)
				}
			}
			if err := deleteRemoteBranch(ctx, c, p.info.HTTPURLToRepo, str(c.Input, "branchName"), str(output, "commitHash"), p.auth()); err != nil {
				return fmt.Errorf("%s undo: %w", id, err)
			}
			return nil
		},
	}
}
