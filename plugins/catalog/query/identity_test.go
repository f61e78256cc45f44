package query

import (
	"reflect"
	"testing"
)

func TestExpandIdentity(t *testing.T) {
	parse := func(s ...string) *Expr {
		t.Helper()
		e, err := ParseFilters(s)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	owners := []string{"user:default/Alice", "group:default/team-a"}
	cases := []struct {
		name  string
		in    *Expr
		user  string
		owned []string
		want  *Expr
	}{
		{"nil", nil, "user:default/alice", owners, nil},
		{"no user keeps markers", parse("relations.ownedBy=__catalog:current_user_ownership_refs__"), "", nil,
			parse("relations.ownedBy=__catalog:current_user_ownership_refs__")},
		{"ownership refs", parse("kind=component,relations.ownedBy=__catalog:current_user_ownership_refs__"), "user:default/alice", owners,
			parse("kind=component,relations.ownedBy=user:default/alice,relations.ownedBy=group:default/team-a")},
		{"user ref among others, in an OR", parse("kind=user", "metadata.name=x,relations.memberOf=__catalog:current_user_ref__"), "user:default/Alice", owners,
			parse("kind=user", "metadata.name=x,relations.memberOf=user:default/alice")},
		{"no ownership matches nothing", parse("relations.ownedBy=__catalog:current_user_ownership_refs__"), "user:default/alice", nil,
			&Expr{Op: OpAny, Args: nil}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := ExpandIdentity(c.in, c.user, c.owned)
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %+v\nwant %+v", got, c.want)
			}
		})
	}
}
