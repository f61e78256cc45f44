package catalog

import (
	"cmp"
	"context"
	"slices"

	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/plugins/catalog/ui"
	usclient "github.com/portico-dev/portico/plugins/usersettings/client"
)

// maxVisits bounds the recent visits kept per user.
const maxVisits = 50

// userSettings keeps starred entities and visits in the user-settings plugin, calling it on
// behalf of the user whose request is being served.
type userSettings struct{ c *usclient.Client }

func newUserSettings(ctx context.Context, d *framework.Deps) (*userSettings, error) {
	r := framework.Resolve(ctx, d)
	disc := framework.Need(r, framework.DiscoveryService)
	authSvc := framework.Need(r, framework.AuthService)
	if err := r.Err(); err != nil {
		return nil, err
	}
	return &userSettings{c: usclient.New(disc, usclient.OnBehalfOfUser(authSvc))}, nil
}

func (u *userSettings) Starred(ctx context.Context) ([]string, error) {
	var refs []string
	if _, err := u.c.Get(ctx, usclient.StarredBucket, usclient.StarredKey, &refs); err != nil {
		return nil, err
	}
	return refs, nil
}

func (u *userSettings) SetStarred(ctx context.Context, refs []string) error {
	return u.c.Set(ctx, usclient.StarredBucket, usclient.StarredKey, refs)
}

// RecordVisit adds a visit to the user's list: a page seen before gets one more hit and the
// new time; the list keeps the most recent maxVisits pages.
func (u *userSettings) RecordVisit(ctx context.Context, v ui.Visit) error {
	var visits []ui.Visit
	if _, err := u.c.Get(ctx, usclient.VisitsBucket, usclient.VisitsKey, &visits); err != nil {
		return err
	}
	if i := slices.IndexFunc(visits, func(o ui.Visit) bool { return o.ID == v.ID }); i >= 0 {
		v.Hits = visits[i].Hits + 1
		visits = slices.Delete(visits, i, i+1)
	}
	visits = append(visits, v)
	slices.SortStableFunc(visits, func(a, b ui.Visit) int { return cmp.Compare(b.Timestamp, a.Timestamp) })
	if len(visits) > maxVisits {
		visits = visits[:maxVisits]
	}
	return u.c.Set(ctx, usclient.VisitsBucket, usclient.VisitsKey, visits)
}

var _ ui.UserSettings = (*userSettings)(nil)
