package service

import (
	"context"
	"fmt"

	"github.com/portico-dev/portico/framework/apierr/errkind"
	"github.com/portico-dev/portico/framework/auth"
	"github.com/portico-dev/portico/framework/permissions"
)

// ErrNotAllowed: the caller may not do this (403, NotAllowedError).
var ErrNotAllowed = errkind.New(errkind.NotAllowed, "not allowed")

// The scaffolder's permissions, as Backstage names them (basic permissions: Portico does not
// evaluate conditional task or template rules yet).
var (
	PermissionTaskCreate = permissions.Basic("scaffolder.task.create", permissions.ActionCreate)
	PermissionTaskRead   = permissions.Basic("scaffolder.task.read", permissions.ActionRead)
	PermissionTaskCancel = permissions.Basic("scaffolder.task.cancel", permissions.ActionUpdate)
)

// PermissionSet lists the permissions the scaffolder declares.
var PermissionSet = []permissions.Permission{PermissionTaskCreate, PermissionTaskRead, PermissionTaskCancel}

// Authorizer is the part of the permissions service the scaffolder uses.
type Authorizer interface {
	Authorize(ctx context.Context, creds auth.Credentials, reqs []permissions.Request) ([]permissions.Decision, error)
}

// authorize fails with ErrNotAllowed unless every permission is allowed for the caller.
func (s *Service) authorize(ctx context.Context, perms ...permissions.Permission) error {
	if s.o.Permissions == nil {
		return nil
	}
	creds, ok := auth.FromContext(ctx)
	if !ok {
		creds = auth.None()
	}
	reqs := make([]permissions.Request, len(perms))
	for i, p := range perms {
		reqs[i] = permissions.Request{Permission: p}
	}
	decisions, err := s.o.Permissions.Authorize(ctx, creds, reqs)
	if err != nil {
		return fmt.Errorf("authorize: %w", err)
	}
	for i, d := range decisions {
		if d.Result != permissions.Allow {
			return fmt.Errorf("%w: %s", ErrNotAllowed, perms[i].Name)
		}
	}
	return nil
}
