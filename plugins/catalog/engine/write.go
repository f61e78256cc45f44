package engine

import (
	"context"
	"fmt"
	"strings"

	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/plugins/catalog/store"
)

// writeOutcomes stores a processed batch. When the batch's transaction fails, the batch is
// split in halves and each is written on its own, down to single entities, so that one
// entity the database refuses (PostgreSQL refuses NUL in text and index entries over 2704
// bytes) does not hold back its neighbours; that entity gets a processing error instead
// (writeFailed). An error that is not the data's (the database is down) still ends the write:
// recording the failure fails too.
func (e *Engine) writeOutcomes(ctx context.Context, items []work) error {
	err := e.writeOutcomesTx(ctx, items)
	if err == nil || ctx.Err() != nil || len(items) == 0 {
		return err
	}
	if len(items) == 1 {
		return e.writeFailed(ctx, items[0].c, err)
	}
	mid := len(items) / 2
	if err := e.writeOutcomes(ctx, items[:mid]); err != nil {
		return err
	}
	return e.writeOutcomes(ctx, items[mid:])
}

// writeFailed records that the processing result of c could not be stored: a processing error
// on the entity (shown in its status once stitched, as Backstage's refresh_state errors), a
// retry after the failure backoff, and the previous result kept. It returns the write's error
// when even that cannot be recorded.
func (e *Engine) writeFailed(ctx context.Context, c claimed, cause error) error {
	msg := strings.ReplaceAll(cause.Error(), "\x00", `\u0000`)
	e.log.Warn("entity processing result could not be stored", "entity", c.Ref, "err", msg)
	errs := errorsJSON([]model.SerializedError{GeneralError("The processing result of " + c.Ref + " could not be stored: " + msg)})
	written, err := e.st.WriteFailed(ctx, c, errs, e.nextUpdate(e.now(), c.Failures+1))
	if err != nil {
		return fmt.Errorf("%w (and recording the failure: %w)", cause, err)
	}
	if written {
		e.stats.failed.Add(1)
	}
	return nil
}

// writeOutcomesTx stores a processed batch in one transaction (store.WriteOutcomes): every
// row update is fenced by the epoch read at claim time, so a worker whose lease was taken
// over writes nothing. The engine decides when each entity is processed again.
func (e *Engine) writeOutcomesTx(ctx context.Context, items []work) error {
	now := e.now()
	out := make([]store.Outcome, len(items))
	for i, w := range items {
		c := w.c
		o := store.Outcome{Claimed: c, Skip: w.skip, OK: w.out.OK}
		switch {
		case w.skip:
			o.NextUpdate = e.nextUpdate(now, 0)
		case !w.out.OK:
			o.Errors, o.ResultHash, o.Cache = errorsJSON(w.out.Errors), w.out.ResultHash, store.InputsJSON(w.out.Inputs)
			o.NextUpdate = e.nextUpdate(now, c.Failures+1)
		default:
			o.NextUpdate = e.nextUpdate(now, 0)
			o.ResultHash, o.JSON, o.Cache = w.out.ResultHash, w.out.JSON, store.InputsJSON(w.out.Inputs)
			o.InputHash = inputHashOf(c.UnprocessedHash, e.fingerprint, w.out.Inputs)
			o.Relations, o.Children, o.Keys = w.out.Relations, w.out.Children, w.out.Keys
		}
		out[i] = o
	}
	return e.st.WriteOutcomes(ctx, now, out)
}
