// Package auth is the auth plugin (ID "auth"), Backstage's auth-backend: it signs people in
// through the configured providers (guest, OpenID Connect, GitHub, GitLab, Google, Microsoft,
// oauth2-proxy), maps them to catalog users with sign-in resolvers, and issues the portal's
// user identity tokens (ES256, keys in its database, rotated), with their JWKS, OpenID
// discovery document and userinfo endpoint. Its UI is the /sign-in page. Modules add providers
// and sign-in resolvers through ProvidersExtensionPoint.
//
// Layout: store (keys and secrets, SQL), identity (tokens), providers (identity providers),
// resolvers (catalog users), api (routes), ui (sign-in page).
package auth
