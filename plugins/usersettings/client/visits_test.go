package client

import (
	"fmt"
	"testing"
)

func TestAddVisit(t *testing.T) {
	v := func(id string, hits int, ts int64) Visit {
		return Visit{ID: id, Pathname: id, Hits: hits, Timestamp: ts}
	}
	many := make([]Visit, MaxVisits)
	for i := range many {
		many[i] = v(fmt.Sprintf("/p%d", i), 1, int64(1000-i))
	}
	for _, tc := range []struct {
		name   string
		before []Visit
		add    Visit
		want   string // ids:hits, newest first
	}{
		{"first visit", nil, v("/a", 0, 10), "/a:1"},
		{"a page seen before gets a hit and moves up", []Visit{v("/b", 1, 20), v("/a", 3, 10)}, v("/a", 1, 30), "/a:4 /b:1"},
		{"newest first", []Visit{v("/b", 1, 20)}, v("/c", 1, 5), "/b:1 /c:1"},
		{"bounded", many, v("/new", 1, 2000), fmt.Sprintf("/new:1 … %d visits", MaxVisits)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := AddVisit(tc.before, tc.add)
			s := ""
			if len(got) == MaxVisits {
				s = fmt.Sprintf("%s:%d … %d visits", got[0].ID, got[0].Hits, len(got))
				if got[len(got)-1].ID != fmt.Sprintf("/p%d", MaxVisits-2) {
					t.Errorf("the oldest visit was kept: %s", got[len(got)-1].ID)
				}
			} else {
				for i, g := range got {
					if i > 0 {
						s += " "
					}
					s += fmt.Sprintf("%s:%d", g.ID, g.Hits)
				}
			}
			if s != tc.want {
				t.Errorf("got %s, want %s", s, tc.want)
			}
		})
	}
	before := []Visit{v("/a", 1, 1)}
	AddVisit(before, v("/a", 1, 2))
	if before[0].Hits != 1 {
		t.Error("AddVisit changed its input")
	}
}
