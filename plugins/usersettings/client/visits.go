package client

import (
	"cmp"
	"context"
	"slices"
)

// MaxVisits bounds the visits kept per user.
const MaxVisits = 50

// Visit is one page view, in the shape of Backstage's home plugin visits (bucket "home.visits",
// key "visits"), which its Recently Visited and Top Visited widgets read.
type Visit struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Pathname  string `json:"pathname"`
	Hits      int    `json:"hits"`
	Timestamp int64  `json:"timestamp"` // milliseconds since the epoch
	EntityRef string `json:"entityRef,omitempty"`
}

// Visits returns the user's recorded visits, most recent first.
func (c *Client) Visits(ctx context.Context) ([]Visit, error) {
	var visits []Visit
	if _, err := c.Get(ctx, VisitsBucket, VisitsKey, &visits); err != nil {
		return nil, err
	}
	return visits, nil
}

// RecordVisit adds a visit to the user's list: a page seen before (same ID) gets one more
// hit and the new time and name; the list keeps the most recent MaxVisits pages.
func (c *Client) RecordVisit(ctx context.Context, v Visit) error {
	visits, err := c.Visits(ctx)
	if err != nil {
		return err
	}
	return c.Set(ctx, VisitsBucket, VisitsKey, AddVisit(visits, v))
}

// AddVisit is RecordVisit's update of a list: v with its hits counted, then the others,
// newest first, at most MaxVisits.
func AddVisit(visits []Visit, v Visit) []Visit {
	if v.Hits < 1 {
		v.Hits = 1
	}
	visits = slices.Clone(visits)
	if i := slices.IndexFunc(visits, func(o Visit) bool { return o.ID == v.ID }); i >= 0 {
		v.Hits = visits[i].Hits + 1
		visits = slices.Delete(visits, i, i+1)
	}
	visits = append(visits, v)
	slices.SortStableFunc(visits, func(a, b Visit) int { return cmp.Compare(b.Timestamp, a.Timestamp) })
	if len(visits) > MaxVisits {
		visits = visits[:MaxVisits]
	}
	return visits
}
