package urlreader

import (
	"errors"
	"net/http"
	"testing"
)

func TestLocateGit(t *testing.T) {
	r, err := New(Options{
		Allow:      []AllowRule{{Host: "git.example.com"}},
		LocalRoots: []string{"/srv"},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		raw     string
		remote  string
		ref     string
		subpath string
		wantErr bool
	}{
		{raw: "git+file:///srv/repo", remote: "file:///srv/repo"},
		{raw: "git+file:///srv/repo#main", remote: "file:///srv/repo", ref: "main"},
		{raw: "git+file:///srv/repo#main:docs", remote: "file:///srv/repo", ref: "main", subpath: "docs"},
		{raw: "git+file:///srv/repo#:docs/", remote: "file:///srv/repo", subpath: "docs"},
		{raw: "git+file:///srv/repo#feature/x:/a/b.md", remote: "file:///srv/repo", ref: "feature/x", subpath: "a/b.md"},
		{raw: "git+file:///srv/repo#main:a:b.md", remote: "file:///srv/repo", ref: "main", subpath: "a:b.md"},
		{raw: "git+file:///srv/repo#main:sp%20ace.md", remote: "file:///srv/repo", ref: "main", subpath: "sp ace.md"},
		{raw: "git+file:///srv/repo#main:../../etc/passwd", remote: "file:///srv/repo", ref: "main", subpath: "etc/passwd"},
		{raw: "git+https://git.example.com/team/repo.git#v1.2.0:catalog-info.yaml", remote: "https://git.example.com/team/repo.git", ref: "v1.2.0", subpath: "catalog-info.yaml"},
		{raw: "git+https://other.example.com/repo.git#main", wantErr: true},
		{raw: "git+file:///etc/repo#main", wantErr: true},
		{raw: "git+ssh://git.example.com/repo.git#main", wantErr: true},
		{raw: "git+file:///srv/repo#-x", wantErr: true},
		{raw: "git+file:///srv/repo#a..b", wantErr: true},
		{raw: "git+file:///srv/repo#bad%zz", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.raw, func(t *testing.T) {
			loc, err := r.locate(tc.raw)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("locate(%q) succeeded, want an error", tc.raw)
				}
				return
			}
			if err != nil {
				t.Fatalf("locate(%q): %v", tc.raw, err)
			}
			if loc.kind != sourceGit || loc.remote.url != tc.remote || loc.ref != tc.ref || loc.subpath != tc.subpath {
				t.Errorf("locate(%q) = remote %q ref %q path %q; want %q %q %q",
					tc.raw, loc.remote.url, loc.ref, loc.subpath, tc.remote, tc.ref, tc.subpath)
			}
			// Result URLs read back to the same location.
			back, err := r.locate(loc.urlFor(loc.ref, loc.subpath))
			if err != nil || back.remote.url != loc.remote.url || back.ref != loc.ref || back.subpath != loc.subpath {
				t.Errorf("urlFor round trip of %q gave %+v, %v", tc.raw, back, err)
			}
		})
	}
}

func TestIntegrationFileEndpoints(t *testing.T) {
	r, err := New(Options{Integrations: Integrations{
		GitHub: []GitHubIntegration{{Host: "github.com", Token: "ghp"}, {Host: "ghe.example.net", APIBaseURL: "https://ghe.example.net/api/v3"}},
		GitLab: []GitLabIntegration{{Host: "gitlab.com", Token: "glpat"}, {Host: "git.corp", BaseURL: "https://git.corp/gitlab"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	anon, err := New(Options{Integrations: Integrations{GitHub: []GitHubIntegration{{}}}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		r          *Reader
		raw        string
		wantTarget string
		wantHeader http.Header
		wantRemote string
	}{
		{
			name:       "github.com with token",
			r:          r,
			raw:        "https://github.com/o/r/blob/main/dir/a b.yaml",
			wantTarget: "https://api.github.com/repos/o/r/contents/dir/a%20b.yaml?ref=main",
			wantHeader: http.Header{"Authorization": {"Bearer ghp"}, "Accept": {"application/vnd.github.raw"}},
			wantRemote: "https://github.com/o/r.git",
		},
		{
			name:       "github.com without token",
			r:          anon,
			raw:        "https://github.com/o/r.git/blob/v1/catalog-info.yaml",
			wantTarget: "https://raw.githubusercontent.com/o/r/v1/catalog-info.yaml",
			wantHeader: http.Header{},
			wantRemote: "https://github.com/o/r.git",
		},
		{
			name:       "github enterprise",
			r:          r,
			raw:        "https://ghe.example.net/o/r/blob/main/x.yaml",
			wantTarget: "https://ghe.example.net/api/v3/repos/o/r/contents/x.yaml?ref=main",
			wantHeader: http.Header{"Accept": {"application/vnd.github.raw"}},
			wantRemote: "https://ghe.example.net/o/r.git",
		},
		{
			name:       "gitlab.com",
			r:          r,
			raw:        "https://gitlab.com/g/sub/p/-/blob/main/docs/index.md",
			wantTarget: "https://gitlab.com/api/v4/projects/g%2Fsub%2Fp/repository/files/docs%2Findex.md/raw?ref=main",
			wantHeader: http.Header{"Private-Token": {"glpat"}},
			wantRemote: "https://gitlab.com/g/sub/p.git",
		},
		{
			name:       "self-hosted gitlab with a base path",
			r:          r,
			raw:        "https://git.corp/gitlab/g/p/-/tree/release/docs",
			wantTarget: "https://git.corp/api/v4/projects/g%2Fp/repository/files/docs/raw?ref=release",
			wantHeader: http.Header{},
			wantRemote: "https://git.corp/gitlab/g/p.git",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			loc, err := tc.r.locate(tc.raw)
			if err != nil {
				t.Fatalf("locate(%q): %v", tc.raw, err)
			}
			target, header := loc.fileAPI(loc.ref, loc.subpath)
			if target != tc.wantTarget {
				t.Errorf("target = %s, want %s", target, tc.wantTarget)
			}
			if len(header) != len(tc.wantHeader) {
				t.Errorf("header = %v, want %v", header, tc.wantHeader)
			}
			for k := range tc.wantHeader {
				if header.Get(k) != tc.wantHeader.Get(k) {
					t.Errorf("header %s = %q, want %q", k, header.Get(k), tc.wantHeader.Get(k))
				}
			}
			if loc.remote.url != tc.wantRemote {
				t.Errorf("remote = %s, want %s", loc.remote.url, tc.wantRemote)
			}
		})
	}
}

func TestLocateErrors(t *testing.T) {
	r, err := New(Options{LocalRoots: []string{"/srv"}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		raw  string
		want error
	}{
		{"", errInvalidURL},
		{"ftp://example.com/x", errInvalidURL},
		{"https://example.com/x", ErrNotAllowed},
		{"/etc/passwd", ErrNotAllowed},
		{"file:///etc/passwd", ErrNotAllowed},
		{"/srv/../etc/passwd", ErrNotAllowed},
	}
	for _, tc := range tests {
		t.Run(tc.raw, func(t *testing.T) {
			if _, err := r.locate(tc.raw); !errors.Is(err, tc.want) {
				t.Errorf("locate(%q) err = %v, want %v", tc.raw, err, tc.want)
			}
		})
	}
}

func FuzzLocate(f *testing.F) {
	seeds := []string{
		"git+file:///srv/repo#main:docs", "git+https://git.example.com/r.git#v1:a/b",
		"https://github.com/o/r/blob/main/x.yaml", "https://gitlab.com/g/p/-/tree/main/d",
		"/srv/a/**/b.yaml", "file:///srv/x?y", "https://example.com/%zz", "git+#::", "https://github.com/o",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	r, err := New(Options{
		Allow:        []AllowRule{{Host: "git.example.com"}, {Host: "*.example.com", Paths: []string{"/docs/"}}},
		LocalRoots:   []string{"/srv"},
		Integrations: Integrations{GitHub: []GitHubIntegration{{Token: "t"}}, GitLab: []GitLabIntegration{{Token: "t"}}},
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		loc, err := r.locate(raw)
		if err != nil {
			return
		}
		if loc.kind == sourceGit {
			if loc.fileAPI != nil {
				loc.fileAPI(loc.ref, loc.subpath)
				if loc.ref == "" || loc.subpath == "" {
					return // GitHub and GitLab file URLs need both
				}
			}
			back, err := r.locate(loc.urlFor(loc.ref, loc.subpath))
			if err != nil {
				t.Fatalf("urlFor(%q) does not parse back: %v", raw, err)
			}
			if back.ref != loc.ref || back.subpath != loc.subpath {
				t.Fatalf("round trip of %q: ref %q→%q path %q→%q", raw, loc.ref, back.ref, loc.subpath, back.subpath)
			}
		}
	})
}
