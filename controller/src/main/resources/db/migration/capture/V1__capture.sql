CREATE TABLE nw_capture (
    capture_key   VARCHAR(64) PRIMARY KEY,
    id_key        VARCHAR(1024) NOT NULL,
    id            VARCHAR(1024) NOT NULL,
    watcher_key   VARCHAR(1024) NOT NULL,
    vm_key        VARCHAR(1024) NOT NULL,
    name          VARCHAR(256) NOT NULL,
    spec_json     TEXT NOT NULL,
    order_json    TEXT NOT NULL,
    etag          VARCHAR(64) NOT NULL,
    provisioning_state VARCHAR(32) NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    deleted       BOOLEAN NOT NULL,
    stop_requested BOOLEAN NOT NULL,
    status        VARCHAR(32) NOT NULL,
    stop_reason   VARCHAR(64),
    errors        VARCHAR(256) NOT NULL,
    message       TEXT,
    capture_start TIMESTAMP WITH TIME ZONE,
    capture_end   TIMESTAMP WITH TIME ZONE,
    report_json   TEXT,
    reported_at   TIMESTAMP WITH TIME ZONE,
    final_state   BOOLEAN NOT NULL
);
CREATE UNIQUE INDEX nw_capture_live_id ON nw_capture (id_key, capture_key);
CREATE INDEX nw_capture_watcher ON nw_capture (watcher_key, deleted);
CREATE INDEX nw_capture_vm ON nw_capture (vm_key, final_state);
CREATE INDEX nw_capture_id ON nw_capture (id_key, deleted);

-- One live capture per (case-insensitive) ARM id; the row goes when the capture is deleted, while the
-- nw_capture row stays as a tombstone until the agent has stopped the capture and reported it.
CREATE TABLE nw_capture_name (
    id_key        VARCHAR(1024) PRIMARY KEY,
    capture_key   VARCHAR(64) NOT NULL
);
