-- The expiry sweeper (every second) looks for captures still 'Updating' that no agent reported on;
-- without this index it read every capture row each time.
CREATE INDEX nw_capture_unclaimed ON nw_capture (provisioning_state, created_at);
