package permission

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"

	"github.com/portico-dev/portico/framework/apierr/errkind"
	"github.com/portico-dev/portico/framework/auth"
	"github.com/portico-dev/portico/framework/permissions"
)

// ErrInput is wrapped by errors in what a client sent (400).
var ErrInput = errkind.New(errkind.Input, "invalid input")

// policyState is the effective policy and the roles it was built from, swapped whole on
// reload.
type policyState struct {
	roles  *Roles
	policy Policy
	source string // where the roles came from, for the admin page
}

// decider runs the policy for credentials.
type decider struct {
	state atomic.Pointer[policyState]
	wrap  PolicyWrapper
	log   *slog.Logger
}

// setRoles installs roles (and the code policy wrapping them).
func (d *decider) setRoles(roles *Roles, source string) {
	var p Policy = roles
	if d.wrap != nil {
		p = d.wrap(roles)
	}
	d.state.Store(&policyState{roles: roles, policy: p, source: source})
}

func (d *decider) current() *policyState { return d.state.Load() }

// userOf returns the policy user of user credentials, nil for anyone else.
func userOf(creds auth.Credentials) *PolicyUser {
	u, ok := creds.User()
	if !ok {
		return nil
	}
	return &PolicyUser{UserEntityRef: u.UserEntityRef, OwnershipEntityRefs: u.OwnershipEntityRefs, Credentials: creds}
}

// decide answers one permission for creds: services bypass the policy (limited by access
// restrictions), users and anonymous callers go through it.
func (d *decider) decide(ctx context.Context, creds auth.Credentials, p permissions.Permission) (permissions.Decision, error) {
	if s, ok := creds.Service(); ok {
		if ar := s.AccessRestrictions; ar != nil && (len(ar.PermissionNames) > 0 || len(ar.PermissionAttributes) > 0) &&
			!permissions.MatchAttributes(p, ar.PermissionNames, ar.PermissionAttributes) {
			return permissions.Decision{Result: permissions.Deny}, nil
		}
		return permissions.Decision{Result: permissions.Allow}, nil
	}
	return d.decideFor(ctx, userOf(creds), p)
}

// decideFor runs the policy for user (nil: anonymous) and checks its answer.
func (d *decider) decideFor(ctx context.Context, user *PolicyUser, p permissions.Permission) (permissions.Decision, error) {
	dec, err := d.current().policy.Handle(ctx, p, user)
	if err != nil {
		return permissions.Decision{}, fmt.Errorf("policy: %s: %w", p.Name, err)
	}
	switch dec.Result {
	case permissions.Allow, permissions.Deny:
		return permissions.Decision{Result: dec.Result}, nil
	case permissions.Conditional:
		if !p.IsResource() {
			return permissions.Decision{}, fmt.Errorf("policy: %s: conditional decision for a basic permission", p.Name)
		}
		if dec.ResourceType != p.ResourceType {
			return permissions.Decision{}, fmt.Errorf("policy: %s: conditional decision on resource type %q, want %q", p.Name, dec.ResourceType, p.ResourceType)
		}
		if dec.Conditions == nil {
			return permissions.Decision{}, fmt.Errorf("policy: %s: conditional decision without conditions", p.Name)
		}
		if err := dec.Conditions.Validate(); err != nil {
			return permissions.Decision{}, fmt.Errorf("policy: %s: %w", p.Name, err)
		}
		if dec.PluginID == "" {
			dec.PluginID = PluginIDForResourceType(p.ResourceType)
		}
		return dec, nil
	}
	return permissions.Decision{}, fmt.Errorf("policy: %s: unknown result %q", p.Name, dec.Result)
}
