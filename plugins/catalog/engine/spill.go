package engine

import (
	"fmt"
	"os"
	"sync"
)

// spillAfter is how many children a processing run keeps in memory; the encoded entities of
// the rest go to a spill file. A Location reading a whole catalog (100k entities in one run)
// then holds only refs and hashes, not every entity's JSON.
const spillAfter = 1000

// spill is an unlinked temporary file holding encoded child entities of one processing run.
type spill struct {
	mu   sync.Mutex
	f    *os.File
	size int64
}

func newSpill() (*spill, error) {
	f, err := os.CreateTemp("", "portico-catalog-spill-")
	if err != nil {
		return nil, fmt.Errorf("create spill file: %w", err)
	}
	// Unlinked at once: the space is freed when the file is closed, or when the process ends.
	_ = os.Remove(f.Name())
	return &spill{f: f}, nil
}

// write appends b and returns its offset.
func (s *spill) write(b []byte) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	off := s.size
	if _, err := s.f.WriteAt(b, off); err != nil {
		return 0, fmt.Errorf("write spill file: %w", err)
	}
	s.size += int64(len(b))
	return off, nil
}

// Read returns n bytes at off (store.SpillReader).
func (s *spill) Read(off int64, n int) ([]byte, error) {
	b := make([]byte, n)
	if _, err := s.f.ReadAt(b, off); err != nil {
		return nil, fmt.Errorf("read spill file: %w", err)
	}
	return b, nil
}

func (s *spill) close() {
	if s != nil {
		_ = s.f.Close()
	}
}

// releaseSpills closes the spill files of processed work that is no longer needed.
func releaseSpills(items []work) {
	for _, w := range items {
		w.out.spill.close()
	}
}
