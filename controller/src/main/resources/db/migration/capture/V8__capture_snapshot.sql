-- Snapshots of running captures (POST .../packetCaptures/{name}/snapshot, docs/captures.md "Snapshots"): one row per
-- snapshot, from the request (Running) to the agent's final report (Succeeded or Failed). The state lives here, not in
-- a controller's memory, so any controller of a cluster serves, orders and resolves a snapshot. Expand-only: a new table.
CREATE TABLE nw_capture_snapshot (
    snapshot_id   VARCHAR(64) PRIMARY KEY,
    capture_key   VARCHAR(64) NOT NULL,
    vm_key        VARCHAR(1024) NOT NULL,
    window_from   TIMESTAMP WITH TIME ZONE NOT NULL,
    window_to     TIMESTAMP WITH TIME ZONE NOT NULL,
    last_seconds  BIGINT NOT NULL,
    state         VARCHAR(16) NOT NULL,
    requested_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    finished_at   TIMESTAMP WITH TIME ZONE,
    packets       BIGINT,
    bytes         BIGINT,
    first_packet  TIMESTAMP WITH TIME ZONE,
    last_packet   TIMESTAMP WITH TIME ZONE,
    storage_path  VARCHAR(4096),
    error_code    VARCHAR(64),
    message       VARCHAR(4000)
);
CREATE INDEX nw_capture_snapshot_capture ON nw_capture_snapshot (capture_key, requested_at);
CREATE INDEX nw_capture_snapshot_vm ON nw_capture_snapshot (vm_key, state);
