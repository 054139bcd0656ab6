-- The sweeper looks for finished captures whose upload is not settled yet (to verify the stored file)
-- and for settled tombstones (to collect them).
CREATE INDEX nw_capture_settled ON nw_capture (final_state, deleted);
