package permission

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/portico-dev/portico/framework/permissions"
)

func parseYAML(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	block, _ := m["permission"].(map[string]any)
	return block
}

const exampleRoles = `permission:
  roles:
    - name: platform-admins
      members: [group:default/platform]
      allow: ['*']
    - name: everyone
      members: ['*']
      allow:
        - permission: catalog.entity.read
        - permission: catalog.entity.delete
          if: { rule: isEntityOwner, params: { claims: ['$ownershipRefs'] } }
        - action: [create]
      deny:
        - permission: catalog.location.*
        - permission: catalog.entity.read
          if: { rule: hasLabel, params: { label: secret } }
`

var (
	read   = permissions.Resource("catalog.entity.read", permissions.ActionRead, "catalog-entity")
	del    = permissions.Resource("catalog.entity.delete", permissions.ActionDelete, "catalog-entity")
	create = permissions.Basic("catalog.entity.create", permissions.ActionCreate)
	locDel = permissions.Basic("catalog.location.delete", permissions.ActionDelete)
	other  = permissions.Basic("scaffolder.task.cancel", "")
)

func TestRolesDecisions(t *testing.T) {
	roles, err := ParseRoles(parseYAML(t, exampleRoles))
	if err != nil {
		t.Fatal(err)
	}
	jane := &PolicyUser{UserEntityRef: "user:default/jane", OwnershipEntityRefs: []string{"user:default/jane", "group:default/team-a"}}
	admin := &PolicyUser{UserEntityRef: "user:default/root", OwnershipEntityRefs: []string{"group:default/platform"}}
	tests := []struct {
		name string
		user *PolicyUser
		perm permissions.Permission
		want string // result, or the conditions JSON for CONDITIONAL
	}{
		{"member reads all but secrets", jane, read, `{"not":{"rule":"HAS_LABEL","resourceType":"catalog-entity","params":{"label":"secret"}}}`},
		{"member deletes own", jane, del, `{"rule":"IS_ENTITY_OWNER","resourceType":"catalog-entity","params":{"claims":["user:default/jane","group:default/team-a"]}}`},
		{"attribute selector", jane, create, "ALLOW"},
		{"deny glob wins", jane, locDel, "DENY"},
		{"unmatched is the default (deny with roles)", jane, other, "DENY"},
		{"admin allowed", admin, other, "ALLOW"},
		{"admin still denied by deny", admin, locDel, "DENY"},
		{"anonymous gets the default", nil, read, "DENY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := roles.Handle(context.Background(), tt.perm, tt.user)
			if err != nil {
				t.Fatal(err)
			}
			got := string(d.Result)
			if d.Result == permissions.Conditional {
				b, _ := json.Marshal(d.Conditions)
				got = string(b)
				if d.PluginID != "catalog" || d.ResourceType != "catalog-entity" {
					t.Errorf("conditional decision names %s/%s", d.PluginID, d.ResourceType)
				}
			}
			if got != tt.want {
				t.Errorf("Handle(%s) = %s, want %s", tt.perm.Name, got, tt.want)
			}
		})
	}
	if got := roles.RolesOf(admin); strings.Join(got, ",") != "platform-admins,everyone" {
		t.Errorf("RolesOf(admin) = %v", got)
	}
}

func TestRolesDefaults(t *testing.T) {
	none, err := ParseRoles(map[string]any{})
	if err != nil || none.Default != permissions.Allow {
		t.Fatalf("no roles: default %v, err %v; want ALLOW", none.Default, err)
	}
	r, err := ParseRoles(parseYAML(t, "permission:\n  defaultDecision: allow\n  roles: [{name: x, members: ['*'], deny: [catalog.*]}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := r.Handle(context.Background(), other, &PolicyUser{UserEntityRef: "user:default/a"}); d.Result != permissions.Allow {
		t.Errorf("defaultDecision allow: %v", d.Result)
	}
}

func TestRolesConfigErrors(t *testing.T) {
	tests := []struct{ yaml, want string }{
		{"permission: {roles: [{members: ['*']}]}", "permission.roles[0]: name: required"},
		{"permission: {roles: [{name: a, members: [jane]}]}", `permission.roles[0] (role "a"): members[0]: "jane" is not an entity ref`},
		{"permission: {roles: [{name: a, members: ['*'], allow: [{action: remove}]}]}", `role "a"): allow[0]: action: "remove"`},
		{"permission: {roles: [{name: a, members: ['*'], allow: [{permission: x, if: {params: {}}}]}]}", `role "a"): allow[0]: if: rule: required`},
		{"permission: {roles: [{name: a, members: ['*'], deny: [{}]}]}", `role "a"): deny[0]: give at least one`},
		{"permission: {roles: [{name: a, members: ['*'], allow: [{permision: x}]}]}", `allow[0]: permision: unknown key`},
		{"permission: {roles: [{name: a, members: ['*']}, {name: a, members: ['*']}]}", `permission.roles[1] (role "a"): name: another role`},
		{"permission: {defaultDecision: maybe}", "permission.defaultDecision: want allow or deny"},
	}
	for _, tt := range tests {
		_, err := ParseRoles(parseYAML(t, tt.yaml))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseRoles(%s): err %v, want it to contain %q", tt.yaml, err, tt.want)
		}
	}
}

func TestRuleName(t *testing.T) {
	for in, want := range map[string]string{"isEntityOwner": "IS_ENTITY_OWNER", "IS_ENTITY_KIND": "IS_ENTITY_KIND", "hasSpec": "HAS_SPEC"} {
		if got := RuleName(in); got != want {
			t.Errorf("RuleName(%s) = %s, want %s", in, got, want)
		}
	}
}

// TestRolesReload changes the roles file under a running watcher and sees the new roles
// take effect; a broken file keeps the old ones.
func TestRolesReload(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "app-config.yaml")
	write := func(s string) {
		if err := os.WriteFile(file, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("permission:\n  roles: [{name: a, members: ['*'], allow: [catalog.entity.read]}]\n")
	d := &decider{}
	roles, _ := ParseRoles(parseYAML(t, "permission:\n  roles: [{name: a, members: ['*'], allow: [catalog.entity.read]}]\n"))
	d.setRoles(roles, file)
	w := newWatcher(file, time.Hour, d, discardLogger())
	user := &PolicyUser{UserEntityRef: "user:default/x"}
	decide := func() permissions.Result {
		dec, err := d.decideFor(context.Background(), user, create)
		if err != nil {
			t.Fatal(err)
		}
		return dec.Result
	}
	if got := decide(); got != permissions.Deny {
		t.Fatalf("before reload: %v, want DENY", got)
	}
	write("permission:\n  roles: [{name: a, members: ['*'], allow: [catalog.entity.read, catalog.entity.create]}]\n")
	w.check(context.Background())
	if got := decide(); got != permissions.Allow {
		t.Fatalf("after reload: %v, want ALLOW", got)
	}
	write("permission:\n  roles: [{name: a, members: [nobody], allow: ['*']}]\n#broken\n")
	w.check(context.Background())
	if got := decide(); got != permissions.Allow {
		t.Fatalf("a broken file must keep the roles: %v, want ALLOW", got)
	}
}
