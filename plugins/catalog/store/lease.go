package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"
	"unicode/utf8"

	"github.com/portico-dev/portico/framework/database"
)

// Claims: a worker leases processing and stitching work; the leases expire, so a dead
// worker's work comes back, and a restarted worker takes its own back at once.

// Claim leases up to limit due rows for worker: their next_update_at moves to the lease
// expiry (so a dead worker's rows come back then) and their epoch is bumped (so a late write
// from an earlier holder is refused). The rows are ordered by id.
func (s *Store) Claim(ctx context.Context, worker string, lease time.Duration, limit int) ([]Claimed, error) {
	now := s.now()
	out, err := collectTx(ctx, s, s.q(`UPDATE refresh_state
			SET claimed_by = ?, claim_expires_at = ?, next_update_at = ?, epoch = epoch + 1
			WHERE entity_id IN (SELECT entity_id FROM refresh_state WHERE next_update_at <= ?
				ORDER BY next_update_at LIMIT ? `+s.db.Dialect.ForUpdateSkipLocked()+`)
			RETURNING entity_id, entity_ref, unprocessed_entity, unprocessed_hash, result_hash,
				processed_input_hash, cache, errors, epoch, failures`),
		[]any{worker, database.NewNullTime(now.Add(lease)), database.NewNullTime(now.Add(lease)), database.NewNullTime(now), limit},
		func(rows *sql.Rows, c *Claimed) error {
			return rows.Scan(&c.ID, &c.Ref, &c.Raw, &c.UnprocessedHash, &c.ResultHash, &c.InputHash, &c.Cache, &c.Errors, &c.Epoch, &c.Failures)
		})
	if err != nil {
		return nil, fmt.Errorf("claim: %w", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// ClaimStitch claims up to limit entities queued for stitching under ticket, until the lease
// ends; they are ordered by id.
func (s *Store) ClaimStitch(ctx context.Context, ticket string, lease time.Duration, limit int) ([]StitchClaim, error) {
	now := s.now()
	claims, err := collectTx(ctx, s, s.q(`UPDATE final_entities SET stitch_ticket = ?, next_stitch_at = ?
			WHERE entity_id IN (SELECT entity_id FROM final_entities WHERE next_stitch_at <= ?
				ORDER BY next_stitch_at LIMIT ? `+s.db.Dialect.ForUpdateSkipLocked()+`)
			RETURNING entity_id, entity_ref, hash`),
		[]any{ticket, database.NewNullTime(now.Add(lease)), database.NewNullTime(now), limit},
		func(rows *sql.Rows, c *StitchClaim) error { return rows.Scan(&c.ID, &c.Ref, &c.Hash) })
	if err != nil {
		return nil, fmt.Errorf("claim stitching: %w", err)
	}
	sort.Slice(claims, func(i, j int) bool { return claims[i].ID < claims[j].ID })
	return claims, nil
}

// ReclaimLeases releases the processing claims held by worker and the stitching claims whose
// ticket is ticketPrefix followed by ticketIDLen characters, making them due now; epochs are
// bumped so a late write of the previous holder is refused. It returns how many of each.
func (s *Store) ReclaimLeases(ctx context.Context, worker, ticketPrefix string, ticketIDLen int) (processing, stitching int64, err error) {
	now := database.NewNullTime(s.now())
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE refresh_state
			SET claimed_by = NULL, claim_expires_at = NULL, next_update_at = ?, epoch = epoch + 1
			WHERE claimed_by = ?`), now, worker)
		if err != nil {
			return err
		}
		if processing, err = res.RowsAffected(); err != nil {
			return err
		}
		// Only rows still waiting for a claim to end (next_stitch_at in the future) are
		// touched; the ticket's exact shape keeps a worker named "a" off "a/b"'s tickets.
		res, err = tx.ExecContext(ctx, s.q(`UPDATE final_entities SET next_stitch_at = ?
			WHERE next_stitch_at > ? AND length(stitch_ticket) = ? AND substr(stitch_ticket, 1, ?) = ?`),
			now, now, utf8.RuneCountInString(ticketPrefix)+ticketIDLen, utf8.RuneCountInString(ticketPrefix), ticketPrefix)
		if err != nil {
			return err
		}
		stitching, err = res.RowsAffected()
		return err
	})
	return processing, stitching, err
}

// CountEntities counts the rows of refresh_state: the catalog's size, which the engine's
// batch sizes scale with.
func (s *Store) CountEntities(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM refresh_state").Scan(&n); err != nil {
		return 0, fmt.Errorf("count entities: %w", err)
	}
	return n, nil
}
