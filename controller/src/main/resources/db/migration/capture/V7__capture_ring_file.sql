-- The files of a ring capture (continuousCapture / captureSettings with several files, docs/captures.md), one row
-- per file as its agent last reported it: every file the capture wrote, also those an agent's report no longer
-- lists (a report lists the newest 200). Rows go with their capture's tombstone.
CREATE TABLE nw_capture_ring_file (
    capture_key   VARCHAR(64) NOT NULL,
    file_index    BIGINT NOT NULL,
    name          VARCHAR(300) NOT NULL,
    bytes         BIGINT NOT NULL,
    packets       BIGINT NOT NULL,
    first_packet  TIMESTAMP WITH TIME ZONE,
    last_packet   TIMESTAMP WITH TIME ZONE,
    open_file     BOOLEAN NOT NULL,
    upload_state  VARCHAR(16),
    on_host       BOOLEAN NOT NULL,
    lost          BOOLEAN NOT NULL,
    PRIMARY KEY (capture_key, file_index)
);
