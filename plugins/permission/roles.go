package permission

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"
	"unicode"

	"github.com/portico-dev/portico/framework/permissions"
)

// Placeholders role conditions may use in params, replaced per user when deciding.
const (
	PlaceholderOwnershipRefs = "$ownershipRefs"
	PlaceholderUserEntityRef = "$userEntityRef"
)

// Roles is the declarative policy read from permission.roles.
type Roles struct {
	Roles []Role
	// Default answers requests no grant matches: allow when no roles are configured, deny
	// otherwise, unless permission.defaultDecision says.
	Default permissions.Result
}

// Role grants or denies permissions to its members.
type Role struct {
	Name    string
	Members []string // normalized entity refs, or "*" for every signed-in user
	Allow   []Grant
	Deny    []Grant
}

// Grant selects permissions by name glob and/or attributes, optionally under a condition.
type Grant struct {
	Permission   string   // glob over the name ("*" any run of characters); "" any
	Actions      []string // attributes.action among these; empty any
	ResourceType string   // "" any
	If           *permissions.Criteria
}

// Matches reports whether g selects p.
func (g Grant) Matches(p permissions.Permission) bool {
	if g.Permission != "" && !globMatch(g.Permission, p.Name) {
		return false
	}
	if len(g.Actions) > 0 && !slices.Contains(g.Actions, p.Attributes.Action) {
		return false
	}
	if g.ResourceType != "" && g.ResourceType != p.ResourceType {
		return false
	}
	return true
}

// globMatch matches name against a pattern where "*" is any run of characters (dots too).
func globMatch(pattern, name string) bool {
	// path.Match's "*" stops at "/", which permission names do not contain.
	ok, err := path.Match(pattern, name)
	return err == nil && ok
}

// MemberOf reports whether the user is a member of r.
func (r Role) MemberOf(user *PolicyUser) bool {
	if user == nil {
		return false
	}
	for _, m := range r.Members {
		if m == "*" || strings.EqualFold(m, user.UserEntityRef) {
			return true
		}
		for _, o := range user.OwnershipEntityRefs {
			if strings.EqualFold(m, o) {
				return true
			}
		}
	}
	return false
}

// RolesOf returns the names of the roles user is a member of.
func (rs *Roles) RolesOf(user *PolicyUser) []string {
	var out []string
	for _, r := range rs.Roles {
		if r.MemberOf(user) {
			out = append(out, r.Name)
		}
	}
	return out
}

// Handle implements Policy: deny grants win over allow grants; conditional grants combine
// into a CONDITIONAL decision (allowed when some conditional allow holds and no conditional
// deny does); no matching grant falls back to the default.
func (rs *Roles) Handle(_ context.Context, p permissions.Permission, user *PolicyUser) (permissions.Decision, error) {
	var allowAll bool
	var allowIf, denyIf []permissions.Criteria
	for _, r := range rs.Roles {
		if !r.MemberOf(user) {
			continue
		}
		for _, g := range r.Deny {
			if !g.Matches(p) {
				continue
			}
			if g.If == nil {
				return permissions.Decision{Result: permissions.Deny}, nil
			}
			if p.IsResource() {
				denyIf = append(denyIf, expand(*g.If, p.ResourceType, user))
			}
		}
		for _, g := range r.Allow {
			if !g.Matches(p) {
				continue
			}
			if g.If == nil {
				allowAll = true
			} else if p.IsResource() {
				allowIf = append(allowIf, expand(*g.If, p.ResourceType, user))
			}
		}
	}
	var parts []permissions.Criteria
	switch {
	case allowAll:
	case len(allowIf) == 1:
		parts = append(parts, allowIf[0])
	case len(allowIf) > 1:
		parts = append(parts, permissions.AnyOf(allowIf...))
	case rs.Default == permissions.Deny:
		return permissions.Decision{Result: permissions.Deny}, nil
	}
	for _, d := range denyIf {
		parts = append(parts, permissions.Not(d))
	}
	switch len(parts) {
	case 0:
		return permissions.Decision{Result: permissions.Allow}, nil
	case 1:
		return ConditionalDecision(p, parts[0]), nil
	}
	return ConditionalDecision(p, permissions.AllOf(parts...)), nil
}

// expand fills resource types into c's conditions and replaces the placeholders in params.
func expand(c permissions.Criteria, resourceType string, user *PolicyUser) permissions.Criteria {
	switch {
	case c.AllOf != nil || c.AnyOf != nil:
		out := permissions.Criteria{}
		if c.AllOf != nil {
			out.AllOf = make([]permissions.Criteria, len(c.AllOf))
			for i, ch := range c.AllOf {
				out.AllOf[i] = expand(ch, resourceType, user)
			}
		}
		if c.AnyOf != nil {
			out.AnyOf = make([]permissions.Criteria, len(c.AnyOf))
			for i, ch := range c.AnyOf {
				out.AnyOf[i] = expand(ch, resourceType, user)
			}
		}
		return out
	case c.Not != nil:
		return permissions.Not(expand(*c.Not, resourceType, user))
	}
	params := make(map[string]any, len(c.Params))
	for k, v := range c.Params {
		params[k] = expandValue(v, user)
	}
	return permissions.Criteria{Rule: c.Rule, ResourceType: resourceType, Params: params}
}

func expandValue(v any, user *PolicyUser) any {
	var ref string
	var owns []string
	if user != nil {
		ref, owns = user.UserEntityRef, user.OwnershipEntityRefs
	}
	switch t := v.(type) {
	case string:
		switch t {
		case PlaceholderOwnershipRefs:
			return anyStrings(owns)
		case PlaceholderUserEntityRef:
			return ref
		}
		return t
	case []any:
		out := make([]any, 0, len(t))
		for _, e := range t {
			if s, ok := e.(string); ok && s == PlaceholderOwnershipRefs {
				out = append(out, anyStrings(owns)...)
				continue
			}
			out = append(out, expandValue(e, user))
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = expandValue(e, user)
		}
		return out
	}
	return v
}

func anyStrings(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// RuleName turns a config rule name (isEntityOwner) into the wire name (IS_ENTITY_OWNER);
// names already in upper snake case are kept.
func RuleName(s string) string {
	if strings.ToUpper(s) == s {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) && i > 0 {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

// ParseRoles reads the permission block (its "roles" and "defaultDecision"), as decoded
// from YAML. Errors name the role and the key.
func ParseRoles(block map[string]any) (*Roles, error) {
	rs := &Roles{Default: permissions.Allow}
	rawRoles, hasRoles := block["roles"]
	if hasRoles && rawRoles != nil {
		list, ok := rawRoles.([]any)
		if !ok {
			return nil, fmt.Errorf("permission.roles: want a list of roles")
		}
		seen := map[string]bool{}
		for i, raw := range list {
			r, err := parseRole(raw, i)
			if err != nil {
				return nil, err
			}
			if seen[r.Name] {
				return nil, fmt.Errorf("permission.roles[%d] (role %q): name: another role has this name", i, r.Name)
			}
			seen[r.Name] = true
			rs.Roles = append(rs.Roles, r)
		}
		if len(rs.Roles) > 0 {
			rs.Default = permissions.Deny
		}
	}
	if d, ok := block["defaultDecision"]; ok && d != nil {
		s, _ := d.(string)
		switch strings.ToLower(s) {
		case "allow":
			rs.Default = permissions.Allow
		case "deny":
			rs.Default = permissions.Deny
		default:
			return nil, fmt.Errorf("permission.defaultDecision: want allow or deny, got %v", d)
		}
	}
	return rs, nil
}

func parseRole(raw any, i int) (Role, error) {
	m, ok := raw.(map[string]any)
	where := fmt.Sprintf("permission.roles[%d]", i)
	if !ok {
		return Role{}, fmt.Errorf("%s: want an object with name, members, allow and deny", where)
	}
	name, _ := m["name"].(string)
	if strings.TrimSpace(name) == "" {
		return Role{}, fmt.Errorf("%s: name: required", where)
	}
	where = fmt.Sprintf("%s (role %q)", where, name)
	for k := range m {
		switch k {
		case "name", "members", "allow", "deny", "description":
		default:
			return Role{}, fmt.Errorf("%s: %s: unknown key (want name, members, allow, deny)", where, k)
		}
	}
	r := Role{Name: name}
	members, ok := m["members"].([]any)
	if !ok || len(members) == 0 {
		return Role{}, fmt.Errorf("%s: members: want a list of entity refs or '*'", where)
	}
	for j, mv := range members {
		s, _ := mv.(string)
		ref, err := normalizeMember(s)
		if err != nil {
			return Role{}, fmt.Errorf("%s: members[%d]: %w", where, j, err)
		}
		r.Members = append(r.Members, ref)
	}
	var err error
	if r.Allow, err = parseGrants(m["allow"], where+": allow"); err != nil {
		return Role{}, err
	}
	if r.Deny, err = parseGrants(m["deny"], where+": deny"); err != nil {
		return Role{}, err
	}
	return r, nil
}

// normalizeMember accepts "*" and full refs kind:namespace/name (namespace defaults to
// "default"), lower-cased.
func normalizeMember(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "*" {
		return s, nil
	}
	kind, rest, ok := strings.Cut(s, ":")
	if !ok || kind == "" || rest == "" {
		return "", fmt.Errorf("%q is not an entity ref: want kind:namespace/name (e.g. group:default/team-a) or '*'", s)
	}
	ns, name, ok := strings.Cut(rest, "/")
	if !ok {
		ns, name = "default", rest
	}
	if ns == "" || name == "" {
		return "", fmt.Errorf("%q is not an entity ref: want kind:namespace/name", s)
	}
	return strings.ToLower(kind + ":" + ns + "/" + name), nil
}

func parseGrants(raw any, where string) ([]Grant, error) {
	if raw == nil {
		return nil, nil
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, fmt.Errorf("%s: want a list", where)
	}
	out := make([]Grant, 0, len(list))
	for i, item := range list {
		at := fmt.Sprintf("%s[%d]", where, i)
		switch v := item.(type) {
		case string:
			if err := checkGlob(v); err != nil {
				return nil, fmt.Errorf("%s: %w", at, err)
			}
			out = append(out, Grant{Permission: v})
		case map[string]any:
			g, err := parseGrant(v, at)
			if err != nil {
				return nil, err
			}
			out = append(out, g)
		default:
			return nil, fmt.Errorf("%s: want a permission name or an object", at)
		}
	}
	return out, nil
}

func checkGlob(p string) error {
	if strings.TrimSpace(p) == "" {
		return fmt.Errorf("permission: must not be empty")
	}
	if _, err := path.Match(p, ""); err != nil {
		return fmt.Errorf("permission: bad pattern %q: %w", p, err)
	}
	return nil
}

func parseGrant(m map[string]any, at string) (Grant, error) {
	var g Grant
	for k, v := range m {
		switch k {
		case "permission":
			s, _ := v.(string)
			if err := checkGlob(s); err != nil {
				return g, fmt.Errorf("%s: %w", at, err)
			}
			g.Permission = s
		case "action":
			switch a := v.(type) {
			case string:
				g.Actions = []string{a}
			case []any:
				for _, e := range a {
					s, _ := e.(string)
					g.Actions = append(g.Actions, s)
				}
			}
			for _, a := range g.Actions {
				switch a {
				case permissions.ActionCreate, permissions.ActionRead, permissions.ActionUpdate, permissions.ActionDelete:
				default:
					return g, fmt.Errorf("%s: action: %q is not create, read, update or delete", at, a)
				}
			}
			if len(g.Actions) == 0 {
				return g, fmt.Errorf("%s: action: want an action or a list of actions", at)
			}
		case "resourceType":
			s, _ := v.(string)
			if s == "" {
				return g, fmt.Errorf("%s: resourceType: want a resource type such as catalog-entity", at)
			}
			g.ResourceType = s
		case "if":
			c, err := parseCondition(v, at+": if", 0)
			if err != nil {
				return g, err
			}
			g.If = &c
		default:
			return g, fmt.Errorf("%s: %s: unknown key (want permission, action, resourceType, if)", at, k)
		}
	}
	if g.Permission == "" && len(g.Actions) == 0 && g.ResourceType == "" {
		return g, fmt.Errorf("%s: give at least one of permission, action or resourceType", at)
	}
	return g, nil
}

func parseCondition(raw any, at string, depth int) (permissions.Criteria, error) {
	if depth > 16 {
		return permissions.Criteria{}, fmt.Errorf("%s: conditions nest too deep", at)
	}
	m, ok := raw.(map[string]any)
	if !ok || len(m) == 0 {
		return permissions.Criteria{}, fmt.Errorf("%s: want {rule, params} or allOf, anyOf, not", at)
	}
	list := func(key string) ([]permissions.Criteria, error) {
		l, ok := m[key].([]any)
		if !ok || len(l) == 0 {
			return nil, fmt.Errorf("%s: %s: want a non-empty list of conditions", at, key)
		}
		out := make([]permissions.Criteria, len(l))
		for i, e := range l {
			c, err := parseCondition(e, fmt.Sprintf("%s.%s[%d]", at, key, i), depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	}
	switch {
	case m["allOf"] != nil:
		cs, err := list("allOf")
		return permissions.Criteria{AllOf: cs}, err
	case m["anyOf"] != nil:
		cs, err := list("anyOf")
		return permissions.Criteria{AnyOf: cs}, err
	case m["not"] != nil:
		c, err := parseCondition(m["not"], at+".not", depth+1)
		return permissions.Not(c), err
	}
	rule, _ := m["rule"].(string)
	if rule == "" {
		return permissions.Criteria{}, fmt.Errorf("%s: rule: required (e.g. isEntityOwner)", at)
	}
	for k := range m {
		if k != "rule" && k != "params" {
			return permissions.Criteria{}, fmt.Errorf("%s: %s: unknown key (want rule, params)", at, k)
		}
	}
	var params map[string]any
	if p, ok := m["params"]; ok && p != nil {
		if params, ok = p.(map[string]any); !ok {
			return permissions.Criteria{}, fmt.Errorf("%s: params: want an object", at)
		}
	}
	return permissions.Criteria{Rule: RuleName(rule), Params: params}, nil
}
