package engine

import (
	"context"
	"fmt"
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
	processing, stitching, err := e.st.ReclaimLeases(ctx, e.opts.WorkerID, e.opts.WorkerID+"/", ticketIDLen)
	if err != nil {
		return fmt.Errorf("engine: reclaim leases of worker %s: %w", e.opts.WorkerID, err)
	}
	if processing > 0 || stitching > 0 {
		e.log.Info("reclaimed the leases this instance held before it restarted",
			"worker", e.opts.WorkerID, "processing", processing, "stitching", stitching)
	}
	return nil
}
