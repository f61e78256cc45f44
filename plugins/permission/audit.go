package permission

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/permissions"
)

// AuditStore keeps the audit log in the plugin's database. Entries are append-only; listing
// is newest first with an opaque cursor (the last id seen).
type AuditStore struct {
	db *database.DB
}

// NewAuditStore returns a store over db (migrated by the framework).
func NewAuditStore(db *database.DB) *AuditStore { return &AuditStore{db: db} }

// AuditRecord is a stored entry.
type AuditRecord struct {
	ID int64 `json:"id"`
	permissions.AuditEntry
}

// Append stores e; a zero time is now.
func (s *AuditStore) Append(ctx context.Context, e permissions.AuditEntry) error {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	_, err := s.db.ExecContext(ctx, s.db.Dialect.Rebind(`INSERT INTO permission_audit
		(at, who, permission, action, resource_ref, decision, plugin, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		database.NewNullTime(e.At), e.Who, e.Permission, e.Action, e.ResourceRef, string(e.Decision), e.Plugin, e.Detail)
	if err != nil {
		return fmt.Errorf("append audit entry: %w", err)
	}
	return nil
}

// AuditQuery filters and pages the log. Empty fields do not filter.
type AuditQuery struct {
	Who, Permission, ResourceRef, Decision, Plugin string
	Limit                                          int    // default 50, at most 500
	Cursor                                         string // from a previous page's Next
}

// AuditPage is one page of the log, newest first.
type AuditPage struct {
	Items []AuditRecord `json:"items"`
	Next  string        `json:"nextCursor,omitempty"`
}

// List returns one page of entries matching q.
func (s *AuditStore) List(ctx context.Context, q AuditQuery) (AuditPage, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 500)
	var where []string
	var args []any
	for _, f := range []struct{ col, v string }{
		{"who", q.Who}, {"permission", q.Permission}, {"resource_ref", q.ResourceRef},
		{"decision", strings.ToUpper(q.Decision)}, {"plugin", q.Plugin},
	} {
		if f.v != "" {
			where = append(where, f.col+" = ?")
			args = append(args, f.v)
		}
	}
	if q.Cursor != "" {
		before, err := strconv.ParseInt(q.Cursor, 10, 64)
		if err != nil || before <= 0 {
			return AuditPage{}, fmt.Errorf("%w: malformed cursor", ErrInput)
		}
		where = append(where, "id < ?")
		args = append(args, before)
	}
	stmt := `SELECT id, at, who, permission, action, resource_ref, decision, plugin, detail FROM permission_audit`
	if len(where) > 0 {
		stmt += " WHERE " + strings.Join(where, " AND ")
	}
	stmt += " ORDER BY id DESC LIMIT " + strconv.Itoa(limit+1)
	rows, err := s.db.QueryContext(ctx, s.db.Dialect.Rebind(stmt), args...)
	if err != nil {
		return AuditPage{}, fmt.Errorf("list audit entries: %w", err)
	}
	defer rows.Close()
	page := AuditPage{Items: []AuditRecord{}}
	for rows.Next() {
		var r AuditRecord
		var at database.NullTime
		var decision string
		if err := rows.Scan(&r.ID, &at, &r.Who, &r.Permission, &r.Action, &r.ResourceRef, &decision, &r.Plugin, &r.Detail); err != nil {
			return AuditPage{}, fmt.Errorf("scan audit entry: %w", err)
		}
		r.At, r.Decision = at.Time, permissions.Result(decision)
		page.Items = append(page.Items, r)
	}
	if err := rows.Err(); err != nil {
		return AuditPage{}, fmt.Errorf("list audit entries: %w", err)
	}
	if len(page.Items) > limit {
		page.Items = page.Items[:limit]
		page.Next = strconv.FormatInt(page.Items[limit-1].ID, 10)
	}
	return page, nil
}
