package browsertest

import (
	"context"
	"fmt"
	"net/url"

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
