package database

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Checkpointing of file SQLite databases.
//
// SQLite copies the pages of its write-ahead log back into the database file
// in a "checkpoint", by default run by whichever writer commits when the log
// passes 1000 pages: the committing transaction pays for copying pages that
// every earlier transaction wrote, on the one connection all writes queue
// behind. A catalog ingestion spent about a tenth of its time there. So a
// checkpointer with a connection of its own copies the log beside the writer
// (a PASSIVE checkpoint copies what is committed without blocking writers or
// readers), on the other core, and the pool's connections checkpoint only as
// a backstop, when the log passes checkpointBackstopPages: then the writer
// copies what the checkpointer has not, and the next write transaction starts
// the log over, so a writer that outruns the checkpointer cannot grow the log
// without bound.
const (
	// checkpointPoll is how often the checkpointer copies what was committed
	// since its last round (a round with nothing to copy is one cheap read).
	checkpointPoll = 200 * time.Millisecond
	// checkpointIdlePoll is the checkpointer's pace while the log stays empty.
	checkpointIdlePoll = 5 * time.Second
	// checkpointBackstopPages is the wal_autocheckpoint of the pool's
	// connections (256 MiB of 4 KiB pages).
	checkpointBackstopPages = 65536
)

// checkpointer runs checkpoints of one file database until stopped.
type checkpointer struct {
	db     *sql.DB
	logger *slog.Logger
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// startCheckpointer opens a connection of its own to dsn and checkpoints on it.
func startCheckpointer(dsn string, logger *slog.Logger) (*checkpointer, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open checkpoint connection: %w", err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	ctx, cancel := context.WithCancel(context.Background())
	c := &checkpointer{db: db, logger: logger, cancel: cancel}
	c.wg.Go(func() { c.run(ctx) })
	return c, nil
}

func (c *checkpointer) run(ctx context.Context) {
	wait := checkpointPoll
	lastLog := -1
	t := time.NewTimer(wait)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		logPages, _, err := c.checkpoint(ctx, "PASSIVE")
		if err != nil && ctx.Err() == nil {
			c.logger.Warn("sqlite checkpoint failed", "err", err)
		}
		// A database whose log did not change is looked at less and less often, down to
		// checkpointIdlePoll.
		if err == nil && logPages != lastLog {
			wait = checkpointPoll
		} else {
			wait = min(2*wait, checkpointIdlePoll)
		}
		lastLog = logPages
		t.Reset(wait)
	}
}

// checkpoint runs one checkpoint and returns the pages in the log and the
// pages of it now in the database file. An empty or short log costs one
// cheap statement.
func (c *checkpointer) checkpoint(ctx context.Context, mode string) (logPages, copied int, err error) {
	var busy int
	if err := c.db.QueryRowContext(ctx, "PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &logPages, &copied); err != nil {
		return 0, 0, err
	}
	return logPages, copied, nil
}

// stop ends the loop, runs a last checkpoint and closes the connection.
func (c *checkpointer) stop() error {
	c.cancel()
	c.wg.Wait()
	_, _, _ = c.checkpoint(context.Background(), "PASSIVE")
	return c.db.Close()
}
