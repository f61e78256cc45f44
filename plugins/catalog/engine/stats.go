package engine

import "sync/atomic"

// Stats counts the engine's work since it was created.
type Stats struct {
	// Claimed is the number of entities claimed for processing.
	Claimed int64
	// Skipped is the number of claimed entities whose input was unchanged.
	Skipped int64
	// Failed is the number of processing runs that produced errors.
	Failed int64
	// Stitched is the number of final entities written.
	Stitched int64
	// StitchClaimed is the number of entities claimed for stitching.
	StitchClaimed int64
}

type stats struct {
	claimed, skipped, failed, stitched, stitchClaimed atomic.Int64
}

// Stats returns the engine's counters.
func (e *Engine) Stats() Stats {
	return Stats{
		Claimed:       e.stats.claimed.Load(),
		Skipped:       e.stats.skipped.Load(),
		Failed:        e.stats.failed.Load(),
		Stitched:      e.stats.stitched.Load(),
		StitchClaimed: e.stats.stitchClaimed.Load(),
	}
}
