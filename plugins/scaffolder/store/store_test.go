package store_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/database/databasetest"
	"github.com/portico-dev/portico/internal/fakeclock"
	"github.com/portico-dev/portico/plugins/scaffolder/store"
	"github.com/portico-dev/portico/plugins/scaffolder/store/migrations"
)

func newStore(t *testing.T, db *database.DB, now func() time.Time) *store.Store {
	t.Helper()
	if err := db.Migrate(t.Context(), migrations.FS); err != nil {
		t.Fatal(err)
	}
	return store.New(db, now)
}

func spec(name string) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"apiVersion":"scaffolder.backstage.io/v1beta3","steps":[],"parameters":{"name":%q}}`, name))
}

// createClaimed creates a task and claims it for owner with an hour's lease.
func createClaimed(t *testing.T, s *store.Store, name, owner string) (string, *store.Claimed) {
	t.Helper()
	id, err := s.Create(t.Context(), store.NewTask{Spec: spec(name)})
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Claim(t.Context(), owner, time.Hour)
	if err != nil || c == nil || c.Task.ID != id {
		t.Fatalf("claim = %+v, %v", c, err)
	}
	return id, c
}

func TestStore(t *testing.T) {
	databasetest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		clock := fakeclock.New(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
		s := newStore(t, db, clock.Now)
		ctx := t.Context()

		t.Run("create get list", func(t *testing.T) {
			id1, err := s.Create(ctx, store.NewTask{Spec: spec("a"), CreatedBy: "user:default/ann"})
			if err != nil {
				t.Fatal(err)
			}
			clock.Advance(time.Second)
			id2, err := s.Create(ctx, store.NewTask{Spec: spec("b"), CreatedBy: "user:default/bob"})
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.Get(ctx, id1)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != store.StatusOpen || got.CreatedBy != "user:default/ann" || got.LastHeartbeatAt != nil {
				t.Errorf("get = %+v", got)
			}
			if !got.CreatedAt.Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) {
				t.Errorf("createdAt = %v", got.CreatedAt)
			}
			if _, err := s.Get(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("get missing: %v, want ErrNotFound", err)
			}
			tests := []struct {
				name  string
				opts  store.ListOptions
				ids   []string
				total int
			}{
				{"all newest first", store.ListOptions{}, []string{id2, id1}, 2},
				{"created by", store.ListOptions{CreatedBy: []string{"user:default/ann"}}, []string{id1}, 1},
				{"status", store.ListOptions{Status: []store.Status{store.StatusCompleted}}, nil, 0},
				{"asc", store.ListOptions{Order: []string{"asc:created_at"}}, []string{id1, id2}, 2},
				{"limit", store.ListOptions{Limit: 1}, []string{id2}, 2},
				{"offset", store.ListOptions{Offset: 1}, []string{id1}, 2},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					list, total, err := s.List(ctx, tc.opts)
					if err != nil {
						t.Fatal(err)
					}
					var ids []string
					for _, tk := range list {
						ids = append(ids, tk.ID)
					}
					if fmt.Sprint(ids) != fmt.Sprint(tc.ids) || total != tc.total {
						t.Errorf("List(%+v) = %v (%d), want %v (%d)", tc.opts, ids, total, tc.ids, tc.total)
					}
				})
			}
			if _, _, err := s.List(ctx, store.ListOptions{Order: []string{"desc:spec"}}); !errors.Is(err, store.ErrBadOrder) {
				t.Errorf("bad order: %v", err)
			}
			// Leave nothing open for the next subtests.
			for _, id := range []string{id1, id2} {
				if err := s.Cancel(ctx, id, map[string]any{"message": "x"}); err != nil {
					t.Fatal(err)
				}
			}
		})

		t.Run("claim heartbeat events complete", func(t *testing.T) {
			id, err := s.Create(ctx, store.NewTask{Spec: spec("c"), Secrets: []byte("sealed")})
			if err != nil {
				t.Fatal(err)
			}
			c, err := s.Claim(ctx, "w1", time.Minute)
			if err != nil || c == nil {
				t.Fatalf("claim = %v, %v", c, err)
			}
			if c.Task.ID != id || string(c.Secrets) != "sealed" || c.Task.Status != store.StatusProcessing {
				t.Errorf("claimed %+v secrets %q", c.Task, c.Secrets)
			}
			if sec, err := s.Secrets(ctx, id); err != nil || sec != nil {
				t.Errorf("secrets after claim of a non-recoverable task = %q, %v; want cleared", sec, err)
			}
			if again, err := s.Claim(ctx, "w2", time.Minute); err != nil || again != nil {
				t.Fatalf("second claim = %v, %v; want none", again, err)
			}
			if cancel, err := s.Heartbeat(ctx, c.Lease, time.Minute); err != nil || cancel {
				t.Fatalf("heartbeat = %v, %v", cancel, err)
			}
			ev, err := s.AppendEvent(ctx, c.Lease, store.EventLog, map[string]any{"message": "hello", "stepId": "s"})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Cancel(ctx, id, map[string]any{"message": "stop"}); err != nil {
				t.Fatal(err)
			}
			if cancel, err := s.Heartbeat(ctx, c.Lease, time.Minute); err != nil || !cancel {
				t.Fatalf("heartbeat after cancel = %v, %v; want cancel requested", cancel, err)
			}
			if err := s.Complete(ctx, c.Lease, store.StatusCancelled, map[string]any{"message": "Run completed with status: cancelled"}); err != nil {
				t.Fatal(err)
			}
			if err := s.Complete(ctx, c.Lease, store.StatusCompleted, nil); !errors.Is(err, store.ErrLeaseLost) {
				t.Errorf("second complete: %v, want ErrLeaseLost", err)
			}
			if _, err := s.AppendEvent(ctx, c.Lease, store.EventLog, "late"); !errors.Is(err, store.ErrLeaseLost) {
				t.Errorf("late event: %v, want ErrLeaseLost", err)
			}
			evs, err := s.ListEvents(ctx, id, 0, false)
			if err != nil {
				t.Fatal(err)
			}
			var types []string
			for _, e := range evs {
				types = append(types, e.Type)
			}
			if fmt.Sprint(types) != "[log cancelled completion]" || evs[0].ID != ev.ID {
				t.Errorf("events = %v", types)
			}
			after, err := s.ListEvents(ctx, id, evs[2].ID, true)
			if err != nil || len(after) != 1 || after[0].Type != store.EventCompletion {
				t.Errorf("events after the last with completion = %v, %v", after, err)
			}
			if after, err := s.ListEvents(ctx, id, evs[2].ID, false); err != nil || len(after) != 0 {
				t.Errorf("events after the last = %v, %v", after, err)
			}
			if err := s.Cancel(ctx, id, nil); !errors.Is(err, store.ErrConflict) {
				t.Errorf("cancel finished: %v, want ErrConflict", err)
			}

			// Retry reopens it; listings start at the recovered marker.
			if err := s.Retry(ctx, id, []byte("new")); err != nil {
				t.Fatal(err)
			}
			got, _ := s.Get(ctx, id)
			if got.Status != store.StatusOpen {
				t.Errorf("status after retry = %s", got.Status)
			}
			evs, _ = s.ListEvents(ctx, id, 0, true)
			if len(evs) != 1 || evs[0].Type != store.EventRecovered {
				t.Errorf("events after retry = %+v", evs)
			}
			c2, err := s.Claim(ctx, "w1", time.Minute)
			if err != nil || c2 == nil || c2.Lease.Epoch <= c.Lease.Epoch || string(c2.Secrets) != "new" {
				t.Fatalf("claim after retry = %+v, %v", c2, err)
			}
			if err := s.Complete(ctx, c2.Lease, store.StatusCompleted, map[string]any{"output": map[string]any{}}); err != nil {
				t.Fatal(err)
			}
			if err := s.Retry(ctx, "missing", nil); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("retry missing: %v", err)
			}
		})

		t.Run("recover expired", func(t *testing.T) {
			failID, err := s.Create(ctx, store.NewTask{Spec: spec("f")})
			if err != nil {
				t.Fatal(err)
			}
			clock.Advance(time.Millisecond)
			restartID, err := s.Create(ctx, store.NewTask{Spec: spec("r"), RecoverStrategy: store.RecoverStartOver, Secrets: []byte("keep")})
			if err != nil {
				t.Fatal(err)
			}
			a, _ := s.Claim(ctx, "dead", 10*time.Second)
			b, _ := s.Claim(ctx, "dead", 10*time.Second)
			if a == nil || b == nil || a.Task.ID != failID || b.Task.ID != restartID {
				t.Fatalf("claims = %+v %+v", a, b)
			}
			if rec, err := s.RecoverExpired(ctx); err != nil || len(rec.Failed)+len(rec.Restarted) != 0 {
				t.Fatalf("recover before expiry = %+v, %v", rec, err)
			}
			clock.Advance(11 * time.Second)
			rec, err := s.RecoverExpired(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(rec.Failed) != fmt.Sprint([]string{failID}) || fmt.Sprint(rec.Restarted) != fmt.Sprint([]string{restartID}) {
				t.Errorf("recovery = %+v", rec)
			}
			f, _ := s.Get(ctx, failID)
			if f.Status != store.StatusFailed {
				t.Errorf("failed task status = %s", f.Status)
			}
			evs, _ := s.ListEvents(ctx, failID, 0, false)
			if len(evs) != 2 || evs[1].Type != store.EventCompletion {
				t.Errorf("failed task events = %+v", evs)
			}
			if _, err := s.Heartbeat(ctx, a.Lease, time.Minute); !errors.Is(err, store.ErrLeaseLost) {
				t.Errorf("heartbeat of recovered lease: %v", err)
			}
			r, _ := s.Get(ctx, restartID)
			if r.Status != store.StatusOpen {
				t.Errorf("restarted task status = %s", r.Status)
			}
			c, err := s.Claim(ctx, "alive", time.Minute)
			if err != nil || c == nil || c.Task.ID != restartID || string(c.Secrets) != "keep" {
				t.Fatalf("reclaim = %+v, %v", c, err)
			}
			if _, err := s.AppendEvent(ctx, b.Lease, store.EventLog, "zombie"); !errors.Is(err, store.ErrLeaseLost) {
				t.Errorf("zombie write: %v", err)
			}
			if err := s.Complete(ctx, c.Lease, store.StatusCompleted, map[string]any{}); err != nil {
				t.Fatal(err)
			}
		})

		t.Run("release hands a task to recovery at once", func(t *testing.T) {
			id, c := createClaimed(t, s, "rel", "stopping")
			if err := s.Release(ctx, c.Lease); err != nil {
				t.Fatal(err)
			}
			rec, err := s.RecoverExpired(ctx)
			if err != nil || fmt.Sprint(rec.Failed) != fmt.Sprint([]string{id}) {
				t.Errorf("recovery after release = %+v, %v", rec, err)
			}
		})

		// kill -9: the instance dies holding a task; restarted under the same owner name it
		// recovers the task at once, while the clock is far from the lease's end. Another
		// owner (maybe a live replica) leaves it alone.
		t.Run("a restarted owner recovers its own tasks at once", func(t *testing.T) {
			id, c := createClaimed(t, s, "own", "node-1")
			if rec, err := s.RecoverAbandoned(ctx, "node-2"); err != nil || len(rec.Failed)+len(rec.Restarted) != 0 {
				t.Fatalf("another owner recovered %+v, %v", rec, err)
			}
			rec, err := s.RecoverAbandoned(ctx, "node-1")
			if err != nil || fmt.Sprint(rec.Failed) != fmt.Sprint([]string{id}) {
				t.Errorf("recovery by the restarted owner = %+v, %v; want %s failed at once", rec, err, id)
			}
			if _, err := s.Heartbeat(ctx, c.Lease, time.Minute); !errors.Is(err, store.ErrLeaseLost) {
				t.Errorf("the dead incarnation's heartbeat: %v, want ErrLeaseLost", err)
			}
		})
	})
}

// TestTwoWorkersNeverRunOneTaskTwice claims concurrently from two handles (two replicas) on one
// database: every task is claimed exactly once.
func TestTwoWorkersNeverRunOneTaskTwice(t *testing.T) {
	databasetest.ForEachBackend(t, func(t *testing.T, opts database.Options) {
		ctx := t.Context()
		var stores []*store.Store
		for range 2 {
			m := databasetest.NewManager(t, opts)
			db, err := m.ForPlugin(ctx, "scaffolder")
			if err != nil {
				t.Fatal(err)
			}
			stores = append(stores, newStore(t, db, nil))
		}
		const n = 40
		for i := range n {
			if _, err := stores[i%2].Create(ctx, store.NewTask{Spec: spec(fmt.Sprint(i))}); err != nil {
				t.Fatal(err)
			}
		}
		var mu sync.Mutex
		seen := map[string]string{}
		var claimed atomic.Int64
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Go(func() {
				s := stores[w%2]
				owner := fmt.Sprint("worker-", w)
				for {
					c, err := s.Claim(ctx, owner, time.Minute)
					if err != nil {
						t.Error(err)
						return
					}
					if c == nil {
						return
					}
					mu.Lock()
					if prev, dup := seen[c.Task.ID]; dup {
						t.Errorf("task %s claimed by %s and %s", c.Task.ID, prev, owner)
					}
					seen[c.Task.ID] = owner
					mu.Unlock()
					claimed.Add(1)
					if err := s.Complete(ctx, c.Lease, store.StatusCompleted, map[string]any{}); err != nil {
						t.Error(err)
					}
				}
			})
		}
		wg.Wait()
		if claimed.Load() != n {
			t.Errorf("claimed %d tasks, want %d", claimed.Load(), n)
		}
	})
}
