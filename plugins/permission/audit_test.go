package permission

import (
	"fmt"
	"testing"
	"time"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/database/databasetest"
	"github.com/portico-dev/portico/framework/permissions"
	"github.com/portico-dev/portico/plugins/permission/migrations"
)

// TestAuditStore appends entries and reads them back newest first, filtered and paged, on
// each database.
func TestAuditStore(t *testing.T) {
	databasetest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		if err := db.Migrate(t.Context(), migrations.FS); err != nil {
			t.Fatal(err)
		}
		s := NewAuditStore(db)
		at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		for i := range 7 {
			dec := permissions.Allow
			if i%2 == 1 {
				dec = permissions.Deny
			}
			if err := s.Append(t.Context(), permissions.AuditEntry{
				Who: fmt.Sprintf("user:default/u%d", i%3), Permission: "catalog.entity.delete", Action: "delete",
				ResourceRef: fmt.Sprintf("component:default/c%d", i), Decision: dec, Plugin: "catalog", At: at.Add(time.Duration(i) * time.Minute),
			}); err != nil {
				t.Fatal(err)
			}
		}
		page, err := s.List(t.Context(), AuditQuery{})
		if err != nil || len(page.Items) != 7 || page.Next != "" {
			t.Fatalf("List all: %d items, next %q, err %v", len(page.Items), page.Next, err)
		}
		if first := page.Items[0]; first.ResourceRef != "component:default/c6" || !first.At.Equal(at.Add(6*time.Minute)) || first.Decision != permissions.Allow {
			t.Errorf("newest entry: %+v", first)
		}
		denied, _ := s.List(t.Context(), AuditQuery{Decision: "deny"})
		if len(denied.Items) != 3 {
			t.Errorf("denied: %d entries, want 3", len(denied.Items))
		}
		var refs []string
		q := AuditQuery{Who: "user:default/u0", Limit: 1}
		for range 10 {
			p, err := s.List(t.Context(), q)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range p.Items {
				refs = append(refs, it.ResourceRef)
			}
			if p.Next == "" {
				break
			}
			q.Cursor = p.Next
		}
		if fmt.Sprint(refs) != "[component:default/c6 component:default/c3 component:default/c0]" {
			t.Errorf("u0's entries paged: %v", refs)
		}
		if _, err := s.List(t.Context(), AuditQuery{Cursor: "x"}); err == nil {
			t.Error("a malformed cursor is accepted")
		}
	})
}
