package engine

import (
	"context"
	"database/sql"
	"fmt"
	"unicode/utf8"

	"github.com/portico-dev/portico/framework/database"
)

// ticketIDLen is the length of the random part of a stitch ticket (a UUID string).
const ticketIDLen = 36

// stitchTicket names one stitching claim: this worker's id, a slash and a random id, so a
// restarted worker recognises the claims its previous incarnation left behind.
func (e *Engine) stitchTicket() string { return e.opts.WorkerID + "/" + newID() }

// reclaimOwnLeases releases the processing and stitching claims held under this engine's
// WorkerID, making them due now. Start calls it: claims under our identity that exist before
// we claimed anything were left by a previous incarnation of this instance that died without
// releasing them (kill -9, power loss), and waiting for their lease to expire would leave the
// catalog incomplete for that long after a restart. Claims of other workers keep their
// leases. Epochs are bumped, so a late write of the dead incarnation (were it somehow alive)
// is refused.
func (e *Engine) reclaimOwnLeases(ctx context.Context) error {
	now := database.NewNullTime(e.now())
	prefix := e.opts.WorkerID + "/"
	var processing, stitching int64
	err := e.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, e.q(`UPDATE refresh_state
			SET claimed_by = NULL, claim_expires_at = NULL, next_update_at = ?, epoch = epoch + 1
			WHERE claimed_by = ?`), now, e.opts.WorkerID)
		if err != nil {
			return err
		}
		if processing, err = res.RowsAffected(); err != nil {
			return err
		}
		// Only rows still waiting for a claim to end (next_stitch_at in the future) are
		// touched; the ticket's exact shape keeps a worker named "a" off "a/b"'s tickets.
		res, err = tx.ExecContext(ctx, e.q(`UPDATE final_entities SET next_stitch_at = ?
			WHERE next_stitch_at > ? AND length(stitch_ticket) = ? AND substr(stitch_ticket, 1, ?) = ?`),
			now, now, utf8.RuneCountInString(prefix)+ticketIDLen, utf8.RuneCountInString(prefix), prefix)
		if err != nil {
			return err
		}
		stitching, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("engine: reclaim leases of worker %s: %w", e.opts.WorkerID, err)
	}
	if processing > 0 || stitching > 0 {
		e.log.Info("reclaimed the leases this instance held before it restarted",
			"worker", e.opts.WorkerID, "processing", processing, "stitching", stitching)
	}
	return nil
}
