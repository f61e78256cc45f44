package archtest

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/plugins/all"
	"github.com/portico-dev/portico/web"
)

// extensionIDPattern matches an extension ID of a plugin's kind ("page:catalog",
// "entity-card:catalog/about"): the shell declares no page, nav item or entity extension of
// its own, so any such text in web/ names a plugin's.
var extensionIDPattern = regexp.MustCompile(`\b(page|nav-item|entity-card|entity-content|entity-header-action):[a-z0-9]`)

// TestWebShellKnowsNoPluginIDs keeps the web shell generic: web/ (its Go code, templates and
// static files, tests aside) must not name a built-in plugin's ID ("auth", "/api/auth/") or any
// extension ID a built-in plugin contributes ("page:sign-in"). What the shell needs from a
// plugin, the plugin declares: page roles (extension.RoleSignIn…), web.ProfileLinker,
// templates and assets of its own. The IDs are gathered from plugins/all by starting it.
func TestWebShellKnowsNoPluginIDs(t *testing.T) {
	reg := &web.Registry{}
	features := append(all.Features(), framework.NewServiceFactory(web.RegistryService,
		func(context.Context, *framework.Deps) (*web.Registry, error) { return reg, nil }))
	b := frameworktest.Start(t, nil, features...)

	shellOwn := []string{web.AppID, web.LayoutID, web.NavID, web.RoutesID}
	var extIDs []string
	for _, e := range reg.Extensions() {
		if !slices.Contains(shellOwn, e.ID) {
			extIDs = append(extIDs, e.ID)
		}
	}
	if len(extIDs) < 20 {
		t.Fatalf("only %d extensions gathered from plugins/all: %v", len(extIDs), extIDs)
	}
	var pluginIDs []string
	for _, p := range b.Plugins() {
		pluginIDs = append(pluginIDs, p.ID)
	}

	// offences returns what text (from file where) says about a plugin; literal is true for a
	// Go string literal, which must not equal a plugin ID either (the shell's root extension
	// "app" is the shell's own, not the app plugin's).
	offences := func(text string, literal bool) []string {
		var out []string
		for _, id := range extIDs {
			if strings.Contains(text, id) {
				out = append(out, "extension ID "+strconv.Quote(id))
			}
		}
		for _, id := range pluginIDs {
			if strings.Contains(text, "/api/"+id+"/") || strings.HasSuffix(text, "/api/"+id) {
				out = append(out, "the API path of plugin "+strconv.Quote(id))
			}
			if literal && text == id && !slices.Contains(shellOwn, text) {
				out = append(out, "plugin ID "+strconv.Quote(id))
			}
		}
		if m := extensionIDPattern.FindString(text); m != "" && len(out) == 0 {
			out = append(out, "an extension ID of a plugin's kind ("+m+"…)")
		}
		return out
	}

	root := filepath.Join("..", "..", "web")
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		switch {
		case strings.HasSuffix(path, "_test.go"), strings.Contains(filepath.ToSlash(rel), "testdata/"):
			return nil
		case strings.HasSuffix(path, ".go"):
			checked++
			lits, err := stringLiterals(path)
			if err != nil {
				return err
			}
			for _, lit := range lits {
				for _, o := range offences(lit.value, true) {
					t.Errorf("web/%s: the string %q names %s; let the plugin declare what the shell needs", rel, lit.value, o)
				}
			}
		default: // templates, stylesheets, scripts
			checked++
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, o := range offences(string(b), false) {
				t.Errorf("web/%s names %s; the plugin's own templates and assets belong in the plugin", rel, o)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 10 {
		t.Fatalf("only %d files of web/ checked", checked)
	}
}
