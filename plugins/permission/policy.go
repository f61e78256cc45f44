package permission

import (
	"context"

	"github.com/portico-dev/portico/framework/auth"
	"github.com/portico-dev/portico/framework/permissions"
)

// PolicyUser is who a policy decides for; nil for anonymous callers.
type PolicyUser struct {
	UserEntityRef       string
	OwnershipEntityRefs []string
	Credentials         auth.Credentials
}

// Policy decides one permission for one user, never seeing a resource: resource-dependent
// answers are CONDITIONAL decisions whose criteria the owning plugin evaluates or turns into
// a query. A conditional decision must name the permission's resource type and the plugin
// owning it.
type Policy interface {
	Handle(ctx context.Context, p permissions.Permission, user *PolicyUser) (permissions.Decision, error)
}

// PolicyFunc adapts a function to Policy.
type PolicyFunc func(ctx context.Context, p permissions.Permission, user *PolicyUser) (permissions.Decision, error)

// Handle implements Policy.
func (f PolicyFunc) Handle(ctx context.Context, p permissions.Permission, user *PolicyUser) (permissions.Decision, error) {
	return f(ctx, p, user)
}

// AllowAllPolicy allows everything (Backstage's default app policy).
var AllowAllPolicy Policy = PolicyFunc(func(context.Context, permissions.Permission, *PolicyUser) (permissions.Decision, error) {
	return permissions.Decision{Result: permissions.Allow}, nil
})

// PolicyWrapper builds the effective policy from the declarative roles policy: return it
// unchanged, wrap it (decide some permissions in code and defer the rest), or replace it.
type PolicyWrapper func(roles Policy) Policy

// PolicyExtension is what the permission.policy extension point gives modules: a custom main
// or module calls SetPolicy to install a code policy.
type PolicyExtension struct {
	wrap PolicyWrapper
}

// SetPolicy installs w. The last call wins.
func (e *PolicyExtension) SetPolicy(w PolicyWrapper) { e.wrap = w }

// PluginIDForResourceType is the plugin that owns resources of type rt, by Backstage's
// naming convention "<pluginId>-<resource>" (catalog-entity → catalog).
func PluginIDForResourceType(rt string) string {
	for i := 0; i < len(rt); i++ {
		if rt[i] == '-' {
			return rt[:i]
		}
	}
	return rt
}

// ConditionalDecision returns a CONDITIONAL decision on p's resource type.
func ConditionalDecision(p permissions.Permission, c permissions.Criteria) permissions.Decision {
	return permissions.Decision{Result: permissions.Conditional, PluginID: PluginIDForResourceType(p.ResourceType), ResourceType: p.ResourceType, Conditions: &c}
}
