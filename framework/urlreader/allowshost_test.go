package urlreader_test

import (
	"testing"

	"github.com/portico-dev/portico/framework/urlreader"
)

// TestAllowsHost pins the check for URLs the portal sends data to for a template (the
// scaffolder's publish:git remote): plain http(s) on an integration host or a
// backend.reading.allow entry, never a local target or another scheme.
func TestAllowsHost(t *testing.T) {
	r, err := urlreader.New(urlreader.Options{
		Allow:      []urlreader.AllowRule{{Host: "git.example.com"}, {Host: "docs.example.com", Paths: []string{"/pub/"}}},
		LocalRoots: []string{"/"},
		Integrations: urlreader.Integrations{
			GitHub: []urlreader.GitHubIntegration{{Host: "ghe.example.com", APIBaseURL: "https://ghe.example.com/api/v3"}},
			GitLab: []urlreader.GitLabIntegration{{Host: "gitlab.example.com"}},
			Git:    []urlreader.GitIntegration{{Host: "127.0.0.1:8080"}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	tests := []struct {
		url  string
		want bool
	}{
		{"https://git.example.com/team/repo.git", true},
		{"http://git.example.com/team/repo.git", true},
		{"https://user:token@git.example.com/team/repo.git", true},
		{"https://ghe.example.com/o/r.git", true},
		{"https://gitlab.example.com/g/p.git", true},
		{"http://127.0.0.1:8080/r.git", true},
		{"https://docs.example.com/pub/r.git", true},
		{"https://docs.example.com/private/r.git", false},
		{"https://git.example.com:8443/team/repo.git", false},
		{"https://evil.example.org/team/repo.git", false},
		{"http://127.0.0.1:8081/r.git", false},
		{"git+https://git.example.com/team/repo.git", false},
		{"file:///srv/repo.git", false},
		{"file://git.example.com/srv/repo.git", false},
		{"/srv/repo.git", false},
		{"../repo.git", false},
		{"ssh://git@git.example.com/team/repo.git", false},
		{"git@git.example.com:team/repo.git", false},
		{"git://git.example.com/team/repo.git", false},
		{"https:git.example.com/team/repo.git", false},
		{"", false},
	}
	for _, tc := range tests {
		t.Run(tc.url, func(t *testing.T) {
			if got := r.AllowsHost(tc.url); got != tc.want {
				t.Errorf("AllowsHost(%q) = %v, want %v", tc.url, got, tc.want)
			}
		})
	}
}
