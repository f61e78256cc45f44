package ui

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/portico-dev/portico/framework/apierr"
	"github.com/portico-dev/portico/framework/auth"
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

// readerScope names who ctx reads as, so counts cached for one user are not shown to
// another whose read permission differs.
func readerScope(ctx context.Context) string {
	c, _ := auth.FromContext(ctx)
	if u, ok := c.User(); ok {
		return "user:" + u.UserEntityRef + "\x00" + strings.Join(u.OwnershipEntityRefs, "\x00")
	}
	if s, ok := c.Service(); ok {
		return "service:" + s.Subject
	}
	return "none"
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
