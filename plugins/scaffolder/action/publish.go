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

const publishCommonProps = `
"repoUrl":{"type":"string","title":"Repository Location","description":"Repository location in the form host?owner=owner&repo=repo"},
"description":{"type":"string","title":"Repository Description"},
"defaultBranch":{"type":"string","title":"Default Branch","description":"Sets the default branch on the repository. The default value is master"},
"repoVisibility":{"type":"string","enum":["private","public","internal"],"title":"Repository Visibility"},
"sourcePath":{"type":"string","title":"Source Path","description":"Path within the workspace that will be used as the repository root. If omitted, the entire workspace will be published as the repository."},
"gitCommitMessage":{"type":"string","title":"Git Commit Message","description":"Sets the commit message on the repository. The default value is initial commit"},
"gitAuthorName":{"type":"string","title":"Default Author Name"},
"gitAuthorEmail":{"type":"string","title":"Default Author Email"},
"token":{"type":"string","title":"Authentication Token","description":"The token to use for authorization"}`

const publishOutput = `{"type":"object","properties":{
"remoteUrl":{"type":"string","title":"A URL to the repository with the provider"},
"repoContentsUrl":{"type":"string","title":"A URL to the root of the repository"},
"commitHash":{"type":"string","title":"The git commit hash of the initial commit"}%s}}`

// publishInputs are the inputs every publish:<host> action shares.
type publishInputs struct {
	spec                   nunjucks.RepoSpec
	dir, branch            string
	authorName, authorMail string
	message, token         string
	visibility             string
}

func readPublishInputs(c *Context, d BuiltinDeps, id, defaultBranch string) (publishInputs, error) {
	var p publishInputs
	if err := require(c.Input, "repoUrl"); err != nil {
		return p, err
	}
	spec, err := nunjucks.ParseRepoURL(str(c.Input, "repoUrl"), HostType(c.Integrations))
	if err != nil {
		return p, inputErr("%s: %v", id, err)
	}
	dir, err := ResolvePath(c.Workspace, str(c.Input, "sourcePath"))
	if err != nil {
		return p, fmt.Errorf("%s: %w", id, err)
	}
	return publishInputs{
		spec: spec, dir: dir,
		branch:     strDefault(c.Input, "defaultBranch", defaultBranch),
		authorName: strDefault(c.Input, "gitAuthorName", d.DefaultAuthorName),
		authorMail: strDefault(c.Input, "gitAuthorEmail", d.DefaultAuthorEmail),
		message:    strDefault(c.Input, "gitCommitMessage", d.DefaultCommitMessage),
		token:      str(c.Input, "token"),
		visibility: strDefault(c.Input, "repoVisibility", "private"),
	}, nil
}

func newPublishGitLab(d BuiltinDeps) Action {
	return &undoable{
		builtin: builtin{
			id:          "publish:gitlab",
			description: "Initializes a git repository of the content in the workspace, and publishes it to GitLab.",
			schema: schema(`{"type":"object","required":["repoUrl"],"properties":{`+publishCommonProps+`,
"topics":{"type":"array","items":{"type":"string"},"title":"Topic labels"}}}`,
				fmt.Sprintf(publishOutput, `,"projectId":{"type":"number","title":"The ID of the project"}`)),
			examples: []Example{{Description: "Initializes a GitLab repository with default settings.", Example: "steps:\n  - id: publish\n    action: publish:gitlab\n    input:\n      repoUrl: gitlab.com?repo=project_name&owner=group_name\n"}},
			handle:   func(ctx context.Context, c *Context) error { return publishGitLab(ctx, c, d) },
		},
		undo: func(ctx context.Context, c *Context, output map[string]any) error {
			pid := output["projectId"]
			if pid == nil {
				return nil
			}
			spec, err := nunjucks.ParseRepoURL(str(c.Input, "repoUrl"), HostType(c.Integrations))
			if err != nil {
				return fmt.Errorf("publish:gitlab undo: %w", err)
			}
			gl, token, err := gitlabAPI(c, spec.Host, str(c.Input, "token"))
			if err != nil {
				return fmt.Errorf("publish:gitlab undo: %w", err)
			}
			u := fmt.Sprintf("%s/projects/%v", strings.TrimSuffix(gl.APIBaseURL, "/"), jsonNumber(pid))
			err = callJSON(ctx, d.HTTPClient, http.MethodDelete, u, http.Header{"Private-Token": {token}}, nil, nil)
			var ae *APIError
			if errors.As(err, &ae) && ae.StatusCode == http.StatusNotFound {
				return nil
			}
			if err != nil {
				return fmt.Errorf("publish:gitlab undo: delete project: %w", err)
			}
			c.log().Info("Deleted GitLab project", "projectId", jsonNumber(pid))
			return nil
		},
	}
}

func jsonNumber(v any) string {
	if f, ok := v.(float64); ok {
		return fmt.Sprintf("%.0f", f)
	}
	return fmt.Sprint(v)
}

func gitlabAPI(c *Context, host, token string) (struct{ APIBaseURL string }, string, error) {
	var out struct{ APIBaseURL string }
	gl, ok := findGitLab(c.Integrations, host)
	if !ok {
		return out, "", inputErr("no matching integration configuration for host %s, please check your integrations config", host)
	}
	if token == "" {
		token = gl.Token
	}
	if token == "" {
		return out, "", inputErr("no token available for host %s", host)
	}
	out.APIBaseURL = gl.APIBaseURL
	return out, token, nil
}

func publishGitLab(ctx context.Context, c *Context, d BuiltinDeps) error {
	const id = "publish:gitlab"
	p, err := readPublishInputs(c, d, id, "master")
	if err != nil {
		return err
	}
	if p.spec.Owner == "" {
		return inputErr("%s: no owner provided for host: %s, and repo %s", id, p.spec.Host, p.spec.Repo)
	}
	gl, token, err := gitlabAPI(c, p.spec.Host, p.token)
	if err != nil {
		return fmt.Errorf("%s: %w", id, err)
	}
	api := strings.TrimSuffix(gl.APIBaseURL, "/")
	hdr := http.Header{"Private-Token": {token}}
	var ns struct {
		ID float64 `json:"id"`
	}
	if err := callJSON(ctx, d.HTTPClient, http.MethodGet, api+"/namespaces/"+url.PathEscape(p.spec.Owner), hdr, nil, &ns); err != nil {
		return fmt.Errorf("%s: the namespace %s is not found or the user doesn't have permissions to access it: %w", id, p.spec.Owner, err)
	}
	body := map[string]any{
		"namespace_id": ns.ID, "name": p.spec.Repo, "path": p.spec.Repo,
		"visibility": p.visibility, "description": str(c.Input, "description"),
	}
	if topics := strSlice(c.Input, "topics"); len(topics) > 0 {
		body["topics"] = topics
	}
	var project struct {
		ID            float64 `json:"id"`
		HTTPURLToRepo string  `json:"http_url_to_repo"`
		WebURL        string  `json:"web_url"`
	}
	c.log().Info("Creating GitLab project", "project", p.spec.Owner+"/"+p.spec.Repo)
	if err := callJSON(ctx, d.HTTPClient, http.MethodPost, api+"/projects", hdr, body, &project); err != nil {
		return fmt.Errorf("%s: create project %s/%s: %w", id, p.spec.Owner, p.spec.Repo, err)
	}
	c.output("projectId", project.ID)
	c.output("remoteUrl", project.WebURL)
	hash, err := commitAndPush(ctx, c, d, pushSpec{
		dir: p.dir, remoteURL: project.HTTPURLToRepo, branch: p.branch,
		auth:       &githttp.BasicAuth{Username: "oauth2", Password: token},
		authorName: p.authorName, authorMail: p.authorMail, message: p.message,
	})
	if err != nil {
		return fmt.Errorf("%s: %w", id, err)
	}
	c.output("repoContentsUrl", strings.TrimSuffix(project.WebURL, "/")+"/-/blob/"+p.branch)
	c.output("commitHash", hash)
	return nil
}
