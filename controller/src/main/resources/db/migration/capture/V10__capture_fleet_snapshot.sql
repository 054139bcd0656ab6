-- Snapshots of fleet captures (targetType AzureVMSS; docs/captures.md "Snapshots of a scale-set capture"): the fleet's
-- snapshot is one row (fleet = TRUE, on the fleet capture) and each chosen instance's cut one more row (parent_id naming
-- the fleet's row, instance_id its instance, on the instance capture and its VM, so that the agent path is the
-- single-VM one unchanged). merge_owner / merge_until lease the merge of the cuts to one controller run at a time; a
-- run that stopped mid-merge leaves a lease that expires, and the next run (or another controller) merges again.
-- Expand-only: new nullable columns and defaults.
ALTER TABLE nw_capture_snapshot ADD COLUMN fleet BOOLEAN DEFAULT FALSE NOT NULL;
ALTER TABLE nw_capture_snapshot ADD COLUMN parent_id VARCHAR(64);
ALTER TABLE nw_capture_snapshot ADD COLUMN instance_id VARCHAR(64);
ALTER TABLE nw_capture_snapshot ADD COLUMN merge_owner VARCHAR(100);
ALTER TABLE nw_capture_snapshot ADD COLUMN merge_until TIMESTAMP WITH TIME ZONE;
CREATE INDEX nw_capture_snapshot_parent ON nw_capture_snapshot (parent_id);
CREATE INDEX nw_capture_snapshot_fleet ON nw_capture_snapshot (fleet, state);
