package catalog

import (
	"context"

	"github.com/portico-dev/portico/framework"
	"github.com/portico-dev/portico/plugins/catalog/ui"
	usclient "github.com/portico-dev/portico/plugins/usersettings/client"
)

// userSettings keeps starred entities in the user-settings plugin, calling it on
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

var _ ui.UserSettings = (*userSettings)(nil)
