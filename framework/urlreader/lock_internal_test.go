package urlreader

import (
	"context"
	"errors"
	"testing"
)

func TestKeyedLocks(t *testing.T) {
	k := newKeyedLocks()
	unlockA, err := k.lock(t.Context(), "a")
	if err != nil {
		t.Fatal(err)
	}

	t.Run("other keys are independent", func(t *testing.T) {
		unlockB, err := k.lock(t.Context(), "b")
		if err != nil {
			t.Fatalf("lock(b) while a is held: %v", err)
		}
		unlockB()
	})

	t.Run("waiting honours the context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if _, err := k.lock(ctx, "a"); !errors.Is(err, context.Canceled) {
			t.Fatalf("lock(a) with a cancelled context: err = %v, want context.Canceled", err)
		}
	})

	t.Run("released keys are dropped", func(t *testing.T) {
		acquired := make(chan func())
		go func() {
			unlock, err := k.lock(context.Background(), "a")
			if err != nil {
				t.Error(err)
			}
			acquired <- unlock
		}()
		unlockA()
		(<-acquired)()
		k.mu.Lock()
		defer k.mu.Unlock()
		if len(k.m) != 0 {
			t.Errorf("%d lock entries left, want 0", len(k.m))
		}
	})
}
