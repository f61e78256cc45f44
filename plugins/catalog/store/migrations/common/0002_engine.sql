-- Engine bookkeeping: the hash of the inputs of the last successful processing (the entity,
-- the engine's configuration and the versions of every file it read), so unchanged input is
-- skipped, and the count of consecutive failures for backoff.
ALTER TABLE refresh_state ADD COLUMN processed_input_hash TEXT;
ALTER TABLE refresh_state ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
CREATE INDEX refresh_state_claimed_by ON refresh_state (claimed_by);
