// Package api holds the auth plugin's HTTP routes, mounted at /api/auth: the sign-in flows of
// every configured provider (/<provider>/start, /handler/frame, /refresh, /logout) with the
// popup (postMessage) and full-page redirect flows Backstage's frontend and Portico's UI use,
// and the identity endpoints (/.well-known/jwks.json, /.well-known/openid-configuration,
// /v1/userinfo).
package api
