package ui

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/portico-dev/portico/internal/fakeclock"
	"github.com/portico-dev/portico/plugins/catalog/query"
	"github.com/portico-dev/portico/plugins/catalog/reader"
)

// countingReader answers Facets with a count that grows on every call, and records calls.
type countingReader struct {
	Reader
	calls   atomic.Int32
	release chan struct{} // when set, Facets waits for it
}

func (c *countingReader) Facets(context.Context, []string, *query.Expr) (map[string][]reader.FacetCount, error) {
	n := c.calls.Add(1)
	if c.release != nil {
		<-c.release
	}
	return map[string][]reader.FacetCount{"kind": {{Value: "Component", Count: int(n)}}}, nil
}

func TestFacetCacheServesStaleWhileRefreshing(t *testing.T) {
	clock := fakeclock.New(time.Unix(1000, 0))
	c := newFacetCache(5*time.Second, clock.Now)
	r := &countingReader{}
	ctx := context.Background()
	get := func() int {
		t.Helper()
		got, err := c.get(ctx, r, []string{"kind"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return got["kind"][0].Count
	}
	if n := get(); n != 1 {
		t.Fatalf("first count %d", n)
	}
	if n := get(); n != 1 || r.calls.Load() != 1 {
		t.Fatalf("fresh entry recounted: %d after %d calls", n, r.calls.Load())
	}
	clock.Advance(6 * time.Second)
	if n := get(); n != 1 {
		t.Fatalf("stale entry not served while refreshing: %d", n)
	}
	deadline := time.Now().Add(5 * time.Second)
	for get() != 2 {
		if time.Now().After(deadline) {
			t.Fatal("background refresh never landed")
		}
		time.Sleep(time.Millisecond) // polling with a bound
	}
	if calls := r.calls.Load(); calls != 2 {
		t.Errorf("%d counts; want 2 (one refresh for several stale reads)", calls)
	}
}

func TestFacetCacheSharesFirstCount(t *testing.T) {
	c := newFacetCache(5*time.Second, time.Now)
	r := &countingReader{release: make(chan struct{})}
	var wg sync.WaitGroup
	results := make([]int, 4)
	for i := range results {
		wg.Go(func() {
			got, err := c.get(context.Background(), r, []string{"kind"}, nil)
			if err == nil {
				results[i] = got["kind"][0].Count
			}
		})
	}
	for r.calls.Load() == 0 {
		time.Sleep(time.Millisecond) // the first request is counting
	}
	time.Sleep(20 * time.Millisecond) // let the others queue behind it
	close(r.release)
	wg.Wait()
	for i, n := range results {
		if n != 1 {
			t.Errorf("request %d got count %d; want the shared first count 1", i, n)
		}
	}
	if calls := r.calls.Load(); calls != 1 {
		t.Errorf("%d counts for concurrent first requests; want 1", calls)
	}
}

// scopedReader is countingReader whose callers see what the scope in their context says.
type scopedReader struct{ *countingReader }

type scopeKey struct{}

func (s scopedReader) ReadScope(ctx context.Context) (string, error) {
	v, _ := ctx.Value(scopeKey{}).(string)
	return v, nil
}

func TestWarmCountsAndSharedScopes(t *testing.T) {
	r := &countingReader{}
	p := New(scopedReader{r}, Options{})
	ctx := context.Background()
	if err := p.WarmCounts(ctx); err != nil {
		t.Fatal(err)
	}
	// The kind picker, the default kind's facets and every kind's facets.
	if n := r.calls.Load(); n != 3 {
		t.Fatalf("warming computed %d views, want 3", n)
	}
	if err := p.WarmCounts(ctx); err != nil || r.calls.Load() != 3 {
		t.Fatalf("warming again recomputed cached views: %d calls, %v", r.calls.Load(), err)
	}
	// Callers in the warmed (unrestricted) scope are served from the cache; a caller whose
	// reads are restricted differently gets counts of its own.
	if _, err := p.idx.facets.get(ctx, p.idx.r, []string{"kind"}, nil); err != nil || r.calls.Load() != 3 {
		t.Fatalf("unrestricted caller recounted: %d calls, %v", r.calls.Load(), err)
	}
	other := context.WithValue(ctx, scopeKey{}, `{"kind":"component"}`)
	if _, err := p.idx.facets.get(other, p.idx.r, []string{"kind"}, nil); err != nil || r.calls.Load() != 4 {
		t.Fatalf("restricted caller served another scope's counts: %d calls, %v", r.calls.Load(), err)
	}
}
