package browsertest

import (
	"context"
	"fmt"
	"net/url"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// SignInAsGuest signs the browser in to the portal at baseURL with the guest provider (the
// default of a development portal without auth config), through the same full-page redirect
// flow as the sign-in page's guest button, and leaves it on redirect (a path, "/" if empty).
func SignInAsGuest(ctx context.Context, baseURL, redirect string) error {
	if redirect == "" {
		redirect = "/"
	}
	start := baseURL + "/api/auth/guest/start?env=development&flow=redirect&redirectUrl=" + url.QueryEscape(redirect)
	if err := chromedp.Do(ctx, chromedp.Navigate(start), chromedp.WaitVisible(`details.user-menu`)); err != nil {
		return fmt.Errorf("guest sign-in: %w", err)
	}
	return nil
}

// SetIdentity gives the browser the portal's identity cookie (named cookie, as the auth plugin
// names it) holding token, so pages at baseURL and their API calls carry credentials.
func SetIdentity(ctx context.Context, baseURL, cookie, token string) error {
	httpOnly := true
	_, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{
		Name: cookie, Value: token, URL: baseURL, Path: "/", HTTPOnly: &httpOnly,
	})
	if err != nil {
		return fmt.Errorf("set identity cookie: %w", err)
	}
	return nil
}
