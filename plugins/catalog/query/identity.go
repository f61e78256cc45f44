package query

// Markers newer Backstage clients send as filter values, expanded from the caller's identity.
const (
	CurrentUserRef           = "__catalog:current_user_ref__"
	CurrentUserOwnershipRefs = "__catalog:current_user_ownership_refs__"
)

// ExpandIdentity returns e with the identity markers among its values replaced: the user's
// entity ref, or the user's ownership refs. Without a user (userRef "") the markers stay
// literal and match nothing, as Backstage treats them for non-user callers.
func ExpandIdentity(e *Expr, userRef string, ownership []string) *Expr {
	if e == nil || userRef == "" {
		return e
	}
	out := expandIdentity(*e, Lower(userRef), ownership)
	return &out
}

func expandIdentity(e Expr, user string, ownership []string) Expr {
	if len(e.Args) > 0 {
		args := make([]Expr, len(e.Args))
		for i, a := range e.Args {
			args[i] = expandIdentity(a, user, ownership)
		}
		e.Args = args
	}
	if e.Match == nil || len(e.Match.Values) == 0 {
		return e
	}
	var vals []string
	changed := false
	for _, v := range e.Match.Values {
		switch v {
		case CurrentUserRef:
			vals, changed = append(vals, user), true
		case CurrentUserOwnershipRefs:
			changed = true
			for _, o := range ownership {
				vals = append(vals, Lower(o))
			}
		default:
			vals = append(vals, v)
		}
	}
	if changed && len(vals) == 0 {
		return Any() // the caller owns through nothing: nothing matches
	}
	if changed {
		m := *e.Match
		m.Values = vals
		e.Match = &m
	}
	return e
}
