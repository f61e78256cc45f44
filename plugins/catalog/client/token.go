package client

import (
	"context"

	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/framework/auth"
)

// PluginID is the catalog's plugin ID, the target of the tokens below.
const PluginID = "catalog"

// Authority issues plugin request tokens; framework/auth.Service (framework.AuthService)
// satisfies it.
type Authority interface {
	GetPluginRequestToken(ctx context.Context, onBehalfOf auth.Credentials, targetPluginID string) (string, error)
	GetOwnServiceCredentials() auth.Credentials
}

// OnBehalfOfCaller returns the TokenFunc of a plugin that calls the catalog while serving
// someone: on behalf of the credentials the request context carries (auth.FromContext), so
// the catalog applies that user's permissions, and as the plugin itself when the context
// carries none (background work, pages served without sign-in).
func OnBehalfOfCaller(a Authority) TokenFunc {
	return func(ctx context.Context) (string, error) {
		creds, ok := auth.FromContext(ctx)
		if !ok || creds.IsNone() {
			creds = a.GetOwnServiceCredentials()
		}
		return a.GetPluginRequestToken(ctx, creds, PluginID)
	}
}

// CallerToken is the TokenFunc a plugin resolves at init to call the catalog while serving
// someone: OnBehalfOfCaller when the backend has the auth service, nil (no token) when it has
// none. An auth service that fails to build is an error.
func CallerToken(ctx context.Context, d *framework.Deps) (TokenFunc, error) {
	a, ok, err := framework.UseOptional(ctx, d, framework.AuthService)
	if err != nil || !ok {
		return nil, err
	}
	return OnBehalfOfCaller(a), nil
}

// AsPlugin returns the TokenFunc of a plugin that calls the catalog as itself, whoever it
// serves (the auth plugin resolving a sign-in: the person is not signed in yet).
func AsPlugin(a Authority) TokenFunc {
	return func(ctx context.Context) (string, error) {
		return a.GetPluginRequestToken(ctx, a.GetOwnServiceCredentials(), PluginID)
	}
}
