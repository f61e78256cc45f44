// Package permissions is Portico's permission framework, compatible with Backstage's:
// permission definitions, decisions (ALLOW, DENY, CONDITIONAL with a criteria tree of rule
// conditions), rules owned by the plugin that owns the resources (in-memory Apply and a
// ToQuery into the plugin's own filter type), the integration endpoints every plugin with
// permissions mounts (/.well-known/backstage/permissions/metadata and apply-conditions), and
// the core permissions service plugins call to authorize requests.
//
// The decisions themselves are made by the permission plugin (plugins/permission) behind
// POST /api/permission/authorize; this package is the part every plugin shares.
package permissions

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Actions a permission may carry in attributes.action.
const (
	ActionCreate = "create"
	ActionRead   = "read"
	ActionUpdate = "update"
	ActionDelete = "delete"
)

// Permission types on the wire.
const (
	TypeBasic    = "basic"
	TypeResource = "resource"
)

// Attributes describe a permission so policies can treat families alike ("deny all deletes").
type Attributes struct {
	Action string `json:"action,omitempty"`
}

// Permission is a named action a plugin protects. It is a resource permission when
// ResourceType is set, else a basic one.
type Permission struct {
	Type         string     `json:"type"`
	Name         string     `json:"name"`
	Attributes   Attributes `json:"attributes"`
	ResourceType string     `json:"resourceType,omitempty"`
}

// Basic returns a basic permission.
func Basic(name, action string) Permission {
	return Permission{Type: TypeBasic, Name: name, Attributes: Attributes{Action: action}}
}

// Resource returns a resource permission on resources of resourceType.
func Resource(name, action, resourceType string) Permission {
	return Permission{Type: TypeResource, Name: name, Attributes: Attributes{Action: action}, ResourceType: resourceType}
}

// IsResource reports whether p is a resource permission.
func (p Permission) IsResource() bool { return p.ResourceType != "" }

// Validate checks the shape of a permission received from a client.
func (p Permission) Validate() error {
	if strings.TrimSpace(p.Name) == "" {
		return fmt.Errorf("permission name must not be empty")
	}
	switch p.Type {
	case TypeBasic:
		if p.ResourceType != "" {
			return fmt.Errorf("basic permission %q must not have a resourceType", p.Name)
		}
	case TypeResource:
		if p.ResourceType == "" {
			return fmt.Errorf("resource permission %q must have a resourceType", p.Name)
		}
	default:
		return fmt.Errorf("permission %q: unknown type %q (want basic or resource)", p.Name, p.Type)
	}
	switch p.Attributes.Action {
	case "", ActionCreate, ActionRead, ActionUpdate, ActionDelete:
	default:
		return fmt.Errorf("permission %q: unknown action %q", p.Name, p.Attributes.Action)
	}
	return nil
}

// UnmarshalJSON accepts permissions without "type" (older clients): the type follows from
// resourceType.
func (p *Permission) UnmarshalJSON(b []byte) error {
	type plain Permission
	var v plain
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	if v.Type == "" {
		v.Type = TypeBasic
		if v.ResourceType != "" {
			v.Type = TypeResource
		}
	}
	*p = Permission(v)
	return nil
}

// Result is a decision's outcome.
type Result string

// Results.
const (
	Allow       Result = "ALLOW"
	Deny        Result = "DENY"
	Conditional Result = "CONDITIONAL"
)

// Decision is a policy's answer for one permission. Conditional decisions name the plugin
// owning the resource type and the criteria a resource must meet.
type Decision struct {
	Result       Result    `json:"result"`
	PluginID     string    `json:"pluginId,omitempty"`
	ResourceType string    `json:"resourceType,omitempty"`
	Conditions   *Criteria `json:"conditions,omitempty"`
}

// Request asks about one permission, optionally for one resource (resource permissions only).
type Request struct {
	Permission  Permission
	ResourceRef string
}

// MatchAttributes reports whether permission p satisfies the access restrictions of an
// external caller: its name is listed, or its action is among the listed actions.
func MatchAttributes(p Permission, names []string, attrs map[string][]string) bool {
	for _, n := range names {
		if n == p.Name {
			return true
		}
	}
	for _, a := range attrs["action"] {
		if a == p.Attributes.Action && a != "" {
			return true
		}
	}
	return false
}
