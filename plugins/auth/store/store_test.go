package store_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/portico-dev/portico/framework/database"
	"github.com/portico-dev/portico/framework/database/databasetest"
	"github.com/portico-dev/portico/plugins/auth/authtest"
	"github.com/portico-dev/portico/plugins/auth/store"
)

func TestStore(t *testing.T) {
	databasetest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := authtest.NewStore(t, db)
		ctx := t.Context()
		t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		keys := []store.Key{
			{KID: "b", JWK: []byte(`{"kid":"b"}`), CreatedAt: t0, ExpiresAt: t0.Add(3 * time.Hour)},
			{KID: "a", JWK: []byte(`{"kid":"a"}`), CreatedAt: t0.Add(time.Hour), ExpiresAt: t0.Add(4 * time.Hour)},
		}
		for _, k := range keys {
			if err := s.AddKey(ctx, k); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.AddKey(ctx, keys[0]); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate kid: got %v, want ErrConflict", err)
		}
		got, err := s.ListKeys(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].KID != "b" || got[1].KID != "a" {
			t.Fatalf("ListKeys = %+v, want b then a", got)
		}
		if !got[0].CreatedAt.Equal(t0) || !got[0].ExpiresAt.Equal(t0.Add(3*time.Hour)) || got[0].CreatedAt.Location() != time.UTC {
			t.Fatalf("times: got %v %v, want %v UTC", got[0].CreatedAt, got[0].ExpiresAt, t0)
		}
		if string(got[1].JWK) != `{"kid":"a"}` {
			t.Fatalf("JWK = %s", got[1].JWK)
		}
		if err := s.DeleteKeys(ctx, "b", "gone"); err != nil {
			t.Fatal(err)
		}
		got, err = s.ListKeys(ctx)
		if err != nil || len(got) != 1 || got[0].KID != "a" {
			t.Fatalf("after delete: %+v %v", got, err)
		}
	})
}

func TestSecretCreatedOnceUnderRace(t *testing.T) {
	databasetest.ForEachDialect(t, func(t *testing.T, db *database.DB) {
		s := authtest.NewStore(t, db)
		const n = 8
		var wg sync.WaitGroup
		vals := make([]string, n)
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				v, err := s.Secret(t.Context(), "state", func() ([]byte, error) { return []byte(fmt.Sprint("v", i)), nil })
				vals[i], errs[i] = string(v), err
			})
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("replica %d: %v", i, errs[i])
			}
			if vals[i] != vals[0] {
				t.Fatalf("replica %d got %q, replica 0 got %q", i, vals[i], vals[0])
			}
		}
		again, err := s.Secret(t.Context(), "state", func() ([]byte, error) { return []byte("other"), nil })
		if err != nil || string(again) != vals[0] {
			t.Fatalf("second call: %q %v, want %q", again, err, vals[0])
		}
	})
}
