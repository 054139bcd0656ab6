-- The merged file of a fleet capture (targetType AzureVMSS) as durable work: merge_due_at is set once every
-- instance has a final state and is the earliest time the next attempt may start (a running attempt pushes it
-- out by its lease); merge_attempts counts the attempts started, merge_error is the last attempt's failure and
-- merge_owner the controller run that started the attempt in progress, so that a restarted controller or a new
-- leader resumes a merge that stopped half-way (docs/captures.md, "Scale-set captures: the merged file").
ALTER TABLE nw_capture ADD COLUMN merge_attempts INTEGER DEFAULT 0 NOT NULL;
ALTER TABLE nw_capture ADD COLUMN merge_due_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE nw_capture ADD COLUMN merge_error VARCHAR(2000);
ALTER TABLE nw_capture ADD COLUMN merge_owner VARCHAR(100);
CREATE INDEX nw_capture_merge_due ON nw_capture (merge_due_at);
