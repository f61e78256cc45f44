package action_test

import (
	"strings"
	"testing"

	"github.com/portico-dev/portico/framework/urlreader"
	"github.com/portico-dev/portico/plugins/scaffolder/action"
	"github.com/portico-dev/portico/plugins/scaffolder/nunjucks"
)

// TestHostType pins the one host classifier that parseRepoUrl and the publish actions share,
// against the integrations Backstage always has (github.com, gitlab.com, bitbucket.org,
// dev.azure.com) and configured ones. Before it was one classifier, the scaffolder's own said
// "" for GitHub.com (so parseRepoUrl refused what publish:github accepted) and "github" for a
// host configured as a plain git host.
func TestHostType(t *testing.T) {
	in := action.Integrations{
		GitHub: []urlreader.GitHubIntegration{{Host: "ghe.example.com"}},
		GitLab: []urlreader.GitLabIntegration{{Host: "gitlab.example.com"}},
		Git:    []urlreader.GitIntegration{{Host: "git.example.com"}, {Host: "github.com"}},
	}
	tests := []struct{ host, want string }{
		{"github.com", "github"},
		{"GitHub.com", "github"},
		{"gitlab.com", "gitlab"},
		{"bitbucket.org", "bitbucketCloud"},
		{"dev.azure.com", "azure"},
		{"ghe.example.com", "github"},
		{"GHE.example.com", "github"},
		{"gitlab.example.com", "gitlab"},
		{"git.example.com", "git"},
		{"unknown.example.com", ""},
		{"", ""},
	}
	classify := action.HostType(in)
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			if got := classify(tt.host); got != tt.want {
				t.Errorf("HostType(%q) = %q, want %q", tt.host, got, tt.want)
			}
		})
	}
}

// TestParseRepoURLWithHostType runs parseRepoUrl's rules through the shared classifier: the
// fields each host type requires, and Backstage's refusal of a host with no integration.
func TestParseRepoURLWithHostType(t *testing.T) {
	classify := action.HostType(action.Integrations{})
	tests := []struct{ url, wantErr string }{
		{"github.com?owner=o&repo=r", ""},
		{"GitHub.com?owner=o&repo=r", ""},
		{"gitlab.com?owner=o&repo=r", ""},
		{"bitbucket.org?workspace=w&project=p&repo=r", ""},
		{"bitbucket.org?project=p&repo=r", "missing workspace"},
		{"dev.azure.com?organization=o&project=p&repo=r", ""},
		{"dev.azure.com?owner=o&repo=r", "missing project"},
		{"unknown.example.com?owner=o&repo=r", "no matching integration configuration for host unknown.example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			_, err := nunjucks.ParseRepoURL(tt.url, classify)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("ParseRepoURL(%q): %v", tt.url, err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("ParseRepoURL(%q) = %v, want an error containing %q", tt.url, err, tt.wantErr)
			}
		})
	}
}
