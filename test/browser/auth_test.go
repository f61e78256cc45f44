package browser

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/portico-dev/portico/framework/frameworktest"
	"github.com/portico-dev/portico/internal/browsertest"
	"github.com/portico-dev/portico/plugins/all"
	"github.com/portico-dev/portico/plugins/auth/authtest"
)

// TestSignInPageAndUserMenu: a page without identity sends the browser to /sign-in, whose
// guest button signs in and returns to the page; the header's menu names the user and signs out.
func TestSignInPageAndUserMenu(t *testing.T) {
	ctx := browsertest.New(t)
	portal := startPortal(t)
	shots := screenshotDir(t)

	err := chromedp.Do(ctx,
		chromedp.Navigate(portal.URL+"/catalog?filters%5Bkind%5D=system"),
		chromedp.WaitVisible(`#sign-in-guest`),
	)
	if err != nil {
		t.Fatal(err)
	}
	signInURL, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if u, _ := url.Parse(signInURL); u.Path != "/sign-in" || u.Query().Get("redirect") != "/catalog?filters%5Bkind%5D=system" {
		t.Fatalf("landed on %s, want /sign-in with the page as redirect", signInURL)
	}
	browsertest.Screenshot(ctx, t, shots, "sign-in")
	if err := chromedp.Do(ctx, chromedp.Click(`#sign-in-guest`), chromedp.WaitVisible(`details.user-menu`)); err != nil {
		t.Fatal(err)
	}
	here, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	user, err := chromedp.Run(ctx, chromedp.Text(`details.user-menu .user-name`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(here, "/catalog?filters%5Bkind%5D=system") || user != "guest" {
		t.Fatalf("after guest sign-in: at %s, user %q", here, user)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(`details.user-menu summary`),
		chromedp.WaitVisible(`#sign-out`),
		chromedp.Click(`#sign-out`),
		chromedp.WaitVisible(`#sign-in-guest`),
	)
	if err != nil {
		t.Fatal(err)
	}
	if here, err = chromedp.Run(ctx, chromedp.Location()); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(here, "/sign-in") {
		t.Fatalf("after sign-out at %s", here)
	}
	// Signed out means signed out: the catalog asks for sign-in again.
	if err := chromedp.Do(ctx, chromedp.Navigate(portal.URL+"/catalog"), chromedp.WaitVisible(`#sign-in-guest`)); err != nil {
		t.Fatal(err)
	}
	// The helper other tests use.
	if err := browsertest.SignInAsGuest(ctx, portal.URL, "/settings"); err != nil {
		t.Fatal(err)
	}
}

// TestOIDCPopupFlow drives Backstage's popup protocol in Chromium against a real OpenID
// provider: the opener window.open()s /start, the person signs in at the provider in the popup,
// and the callback page posts the session to the opener at the app's origin.
func TestOIDCPopupFlow(t *testing.T) {
	ctx := browsertest.New(t)
	op := authtest.StartOP(t, authtest.User{ID: "u1", Username: "amara", Password: "pw", Email: "amara.okafor@kestrel.example", FirstName: "Amara", LastName: "Okafor"})
	portal := startOIDCPortal(t, op)
	op.AddClient("portico", "s3cret", portal.URL+"/api/auth/oidc/handler/frame")

	// The opener: any portal page; /sign-in needs no identity.
	if err := chromedp.Do(ctx, chromedp.Navigate(portal.URL+"/sign-in"), chromedp.WaitVisible(`main h1`)); err != nil {
		t.Fatal(err)
	}
	popupCh := chromedp.WaitNewTarget(ctx, func(i *target.Info) bool { return i.Type == "page" && strings.Contains(i.URL, "/login/username") })
	const open = `window.__auth = new Promise(function (resolve) {
	  window.addEventListener('message', function (e) {
	    if (e.data && e.data.type === 'authorization_response') resolve({origin: e.origin, data: e.data});
	  });
	});
	window.open('/api/auth/oidc/start?env=development&scope=openid&origin=' + encodeURIComponent(location.origin), 'auth', 'width=480,height=640') !== null`
	opened, err := chromedp.Run(ctx, chromedp.Evaluate[bool](open, func(p *runtime.EvaluateParams) { yes := true; p.UserGesture = &yes }))
	if err != nil || !opened {
		t.Fatalf("window.open: %v (opened %v)", err, opened)
	}
	var popupID target.ID
	select {
	case popupID = <-popupCh:
	case <-time.After(20 * time.Second):
		t.Fatal("the popup did not reach the provider's login page")
	}
	popup, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(popupID))
	defer cancel()
	err = chromedp.Do(popup,
		chromedp.WaitVisible(`#username`),
		chromedp.SendKeys(`#username`, "amara"),
		chromedp.SendKeys(`#password`, "pw"),
		chromedp.Submit(`#password`),
	)
	if err != nil {
		t.Fatal(err)
	}
	type message struct {
		Origin string `json:"origin"`
		Data   struct {
			Type     string `json:"type"`
			Response struct {
				Profile struct {
					Email string `json:"email"`
				} `json:"profile"`
				BackstageIdentity struct {
					Token    string `json:"token"`
					Identity struct {
						UserEntityRef       string   `json:"userEntityRef"`
						OwnershipEntityRefs []string `json:"ownershipEntityRefs"`
					} `json:"identity"`
				} `json:"backstageIdentity"`
			} `json:"response"`
			Error any `json:"error"`
		} `json:"data"`
	}
	waitCtx, cancelWait := context.WithTimeout(ctx, 30*time.Second)
	defer cancelWait()
	msg, err := chromedp.Run(waitCtx, chromedp.Evaluate[message](`window.__auth`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("waiting for the popup's message: %v", err)
	}
	id := msg.Data.Response.BackstageIdentity
	if msg.Origin != portal.URL || msg.Data.Error != nil || id.Identity.UserEntityRef != "user:default/amara.okafor" || id.Token == "" ||
		msg.Data.Response.Profile.Email != "amara.okafor@kestrel.example" {
		t.Fatalf("message %+v", msg)
	}
	// The popup also set the portal's identity cookie: the opener's pages now know the user.
	if err := chromedp.Do(ctx, chromedp.Navigate(portal.URL+"/catalog")); err != nil {
		t.Fatal(err)
	}
	user, err := chromedp.Run(ctx, chromedp.Text(`details.user-menu .user-name`, chromedp.NodeVisible))
	if err != nil {
		t.Fatal(err)
	}
	if user != "amara.okafor" {
		t.Fatalf("header user %q", user)
	}
}

// startOIDCPortal runs the whole portal on the example company with the oidc provider pointed
// at op, resolving people by their catalog profile email.
func startOIDCPortal(t *testing.T, op *authtest.OP) *frameworktest.Backend {
	t.Helper()
	examples, err := filepath.Abs("../../examples/catalog-info.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg := map[string]any{
		"app":     map[string]any{"title": "Kestrel Portal"},
		"backend": map[string]any{"reading": map[string]any{"localRoots": []any{filepath.Dir(examples)}}},
		"catalog": map[string]any{
			"rules":     []any{map[string]any{"allow": []any{"Component", "API", "Resource", "System", "Domain", "Group", "User", "Location", "Template"}}},
			"locations": []any{map[string]any{"type": "file", "target": examples}},
		},
	}
	cfg["auth"] = map[string]any{
		"environment": "development",
		"providers": map[string]any{"oidc": map[string]any{"development": map[string]any{
			"metadataUrl": op.MetadataURL(), "clientId": "portico", "clientSecret": "s3cret", "prompt": "auto",
			"signIn": map[string]any{"resolvers": []any{map[string]any{"resolver": "emailMatchingUserEntityProfileEmail"}}},
		}}},
	}
	b := frameworktest.Start(t, cfg, all.Features()...)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		resp, err := b.Get(b.URL + "/api/catalog/entities/by-name/user/default/amara.okafor")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return b
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the catalog did not ingest amara.okafor within 30s")
		}
	}
}
