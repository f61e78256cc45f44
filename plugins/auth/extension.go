package auth

import (
	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/plugins/auth/providers"
	"github.com/portico-dev/portico/plugins/auth/resolvers"
)

// ProvidersExtensionPoint lets modules of the auth plugin add sign-in providers and sign-in
// resolvers (Backstage's authProvidersExtensionPoint, and the custom resolvers its provider
// factories accept). A provider is configured like a built-in one, under
// auth.providers.<id>; a resolver is named in a provider's signIn.resolvers.
var ProvidersExtensionPoint = framework.NewExtensionPointRef[*ProvidersExtension]("auth.providers")

// ProvidersExtension is what modules receive from ProvidersExtensionPoint.
type ProvidersExtension struct {
	providers *providers.Registry
	resolvers *resolvers.Registry
}

func newProvidersExtension() *ProvidersExtension {
	return &ProvidersExtension{providers: providers.NewRegistry(), resolvers: &resolvers.Registry{}}
}

// RegisterProvider adds a sign-in provider under id. An ID already registered (a built-in
// included) is refused with providers.ErrDuplicate.
func (x *ProvidersExtension) RegisterProvider(id string, f providers.Factory) error {
	return x.providers.Register(id, f)
}

// RegisterSignInResolver adds a sign-in resolver under name. A built-in name or one already
// registered is refused with resolvers.ErrDuplicate.
func (x *ProvidersExtension) RegisterSignInResolver(name string, f resolvers.Func) error {
	return x.resolvers.Register(name, f)
}
