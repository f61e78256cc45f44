package ui

import (
	"context"
	"errors"
	"net/http"

	"github.com/portico-dev/portico/framework/apierr"
)

// Permissions answers whether the signed-in user (from ctx) may use a catalog permission,
// on an entity for resource permissions (catalog.entity.refresh, catalog.entity.delete…), so
// pages hide what the user may not do. The writer re-checks every action regardless.
type Permissions interface {
	Allowed(ctx context.Context, permission, entityRef string) bool
}

// allowed is Permissions.Allowed, true without a checker.
func (o Options) allowed(ctx context.Context, permission, entityRef string) bool {
	return o.Permissions == nil || o.Permissions.Allowed(ctx, permission, entityRef)
}

// allowedAll reports whether every basic permission of names is allowed.
func (o Options) allowedAll(ctx context.Context, names ...string) bool {
	for _, n := range names {
		if !o.allowed(ctx, n, "") {
			return false
		}
	}
	return true
}

// ReadScoper is implemented by readers whose results depend on the caller (permissions).
// ReadScope returns one string for all callers who see the same entities: "" when the
// caller's reads are not restricted.
type ReadScoper interface {
	ReadScope(ctx context.Context) (string, error)
}

// readScope is r's ReadScope, or "" for a reader that restricts nobody: cached counts are
// shared by the callers who see the same entities, not kept per user.
func readScope(ctx context.Context, r Reader) (string, error) {
	rs, ok := r.(ReadScoper)
	if !ok {
		return "", nil
	}
	return rs.ReadScope(ctx)
}

// notAllowedProblem is the message for a write the user's permissions refused (the writer
// answers 403 NotAllowedError).
func notAllowedProblem(err error) (*problemMessage, bool) {
	var ae *apierr.Error
	if !errors.As(err, &ae) || ae.Status != http.StatusForbidden {
		return nil, false
	}
	return &problemMessage{Title: "Not allowed", Detail: ae.Message + ". Ask an administrator for a role that grants it."}, true
}

// registerDenied is shown on the register page to users who may not register locations.
func registerDenied() *problemMessage {
	return &problemMessage{Title: "Not allowed", Detail: "You may not register components here (catalog.location.create and catalog.entity.create). Ask an administrator for a role that grants it."}
}
