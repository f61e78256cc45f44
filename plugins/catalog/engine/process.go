package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/portico-dev/portico/framework/urlreader"
	"github.com/portico-dev/portico/plugins/catalog/model"
	"github.com/portico-dev/portico/plugins/catalog/store"
)

// claimed is a refresh_state row this worker holds a lease on.
type claimed = store.Claimed

// work is a claimed row and what processing made of it.
type work struct {
	c    claimed
	skip bool
	out  outcome
}

// processAll claims, processes and writes due entities batch after batch until fewer than
// a batch were due or ProcessBudget has passed; it returns the number claimed. Batches are
// pipelined: the next batch is claimed before the current one is written and processed while
// it is written (processing reads files, not the database), so the single SQLite writer and
// the processing workers keep both cores busy.
func (e *Engine) processAll(ctx context.Context) (int, error) {
	deadline := e.opts.Clock().Add(e.opts.ProcessBudget)
	limit := e.processBatch()
	cur, err := e.ps.claim(ctx, limit)
	if err != nil || len(cur) == 0 {
		return 0, err
	}
	full := len(cur) >= limit // a backlog: more may be due
	e.sizeBatches(ctx, full)
	items := e.processItems(ctx, cur)
	total := 0
	for {
		if err := ctx.Err(); err != nil {
			releaseSpills(items)
			return total, err
		}
		var next []claimed
		if full && e.opts.Clock().Before(deadline) {
			limit = e.processBatch()
			if next, err = e.ps.claim(ctx, limit); err != nil {
				releaseSpills(items)
				return total, err
			}
		}
		written := make(chan error, 1)
		go func(items []work) { written <- e.ps.writeOutcomes(ctx, items) }(items)
		var nextItems []work
		if len(next) > 0 {
			nextItems = e.processItems(ctx, next)
		}
		err := <-written
		releaseSpills(items)
		if err != nil {
			releaseSpills(nextItems)
			return total, fmt.Errorf("write processing results: %w", err)
		}
		e.countProcessed(items)
		total += len(cur)
		if len(next) == 0 {
			return total, nil
		}
		cur, items, full = next, nextItems, len(next) >= limit
	}
}

// processItems runs the pipeline over a claimed batch on Workers goroutines.
func (e *Engine) processItems(ctx context.Context, batch []claimed) []work {
	items := make([]work, len(batch))
	var wg sync.WaitGroup
	next := make(chan int)
	for range e.opts.Workers {
		wg.Go(func() {
			for i := range next {
				items[i] = e.runOne(ctx, batch[i])
			}
		})
	}
	for i := range batch {
		next <- i
	}
	close(next)
	wg.Wait()
	return items
}

func (e *Engine) countProcessed(items []work) {
	e.stats.claimed.Add(int64(len(items)))
	for _, w := range items {
		if w.skip {
			e.stats.skipped.Add(1)
		} else if !w.out.OK {
			e.stats.failed.Add(1)
		}
	}
}

func (e *Engine) runOne(ctx context.Context, c claimed) work {
	if e.unchanged(ctx, c) {
		return work{c: c, skip: true}
	}
	return work{c: c, out: e.processEntity(ctx, []byte(c.Raw))}
}

func inputHashOf(unprocessedHash, fingerprint string, inputs map[string]string) string {
	keys := slices.Sorted(maps.Keys(inputs))
	var b strings.Builder
	b.WriteString(unprocessedHash + "|" + fingerprint)
	for _, k := range keys {
		b.WriteString("|" + k + "=" + inputs[k])
	}
	return sha1Hex([]byte(b.String()))
}

// unchanged reports whether the entity, the engine's configuration and every external input
// of its last successful processing are unchanged, so processing can be skipped.
func (e *Engine) unchanged(ctx context.Context, c claimed) bool {
	if !c.InputHash.Valid || (c.Errors.Valid && c.Errors.String != "[]" && c.Errors.String != "") {
		return false
	}
	inputs := map[string]string{}
	if c.Cache.Valid && c.Cache.String != "" {
		if err := json.Unmarshal([]byte(c.Cache.String), &inputs); err != nil {
			return false
		}
	}
	if inputHashOf(c.UnprocessedHash, e.fingerprint, inputs) != c.InputHash.String {
		return false
	}
	for k, v := range inputs {
		if !e.inputCurrent(ctx, k, v) {
			return false
		}
	}
	return true
}

func (e *Engine) inputCurrent(ctx context.Context, key, version string) bool {
	r := e.opts.Reader
	if r == nil || version == "error" {
		return false
	}
	switch {
	case strings.HasPrefix(key, "read:"):
		u := strings.TrimPrefix(key, "read:")
		resp, err := r.ReadURL(ctx, u, urlreader.ReadOptions{ETag: version})
		if errors.Is(err, urlreader.ErrNotModified) {
			return true
		}
		if err != nil {
			return version == "" && errors.Is(err, urlreader.ErrNotFound)
		}
		return resp.ETag == version || sha1Hex(resp.Body) == version
	case strings.HasPrefix(key, "search:"):
		results, err := r.Search(ctx, strings.TrimPrefix(key, "search:"), urlreader.SearchOptions{})
		if err != nil {
			return false
		}
		h := newInputHasher()
		for _, res := range results {
			data, err := res.Content()
			if err != nil {
				return false
			}
			h.add(res.URL, data)
		}
		return h.sum() == version
	}
	return false
}

// nextUpdate is when an entity is processed again: the interval plus up to 50% jitter, and
// exponential backoff (up to an hour, or the interval when longer) after failures.
func (e *Engine) nextUpdate(now time.Time, failures int) time.Time {
	d := e.opts.ProcessingInterval
	limit := max(maxBackoff, d)
	for i := 1; i < failures && i < 8 && d < limit; i++ {
		d *= 2
	}
	d = min(d, limit)
	return now.Add(d + time.Duration(float64(d)*0.5*e.opts.Random()))
}

func errorsJSON(errs []model.SerializedError) string { return store.ErrorsJSON(errs) }
