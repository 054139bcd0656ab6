-- Agent presence shared by every controller (cluster mode). Expand-only: a controller of the version
-- before ignores the columns. controller_id names the controller that last held the agent's long-poll;
-- the agent counts as connected while lease_until (written by that controller's clock) is in the future:
-- an open long-poll holds it for the longest hold plus the agent-lost grace, any later contact for the
-- grace. A controller killed with -9 leaves rows that expire by themselves.
ALTER TABLE nw_agent ADD COLUMN controller_id VARCHAR(64);
ALTER TABLE nw_agent ADD COLUMN lease_until TIMESTAMP WITH TIME ZONE;
