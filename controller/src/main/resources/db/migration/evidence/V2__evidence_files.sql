-- Evidence files kept in the database, used when several controllers share it (cluster mode), so that any
-- controller takes an agent's upload (also one resumed through another controller) and serves the download.
-- A file is at most the evidence byte limit (about 1 MiB): data collects the upload until complete is TRUE,
-- then it is the stored file, never overwritten. Deleted with its check's evidence row.
CREATE TABLE nw_evidence_file (
    check_key VARCHAR(64)   NOT NULL REFERENCES nw_evidence (check_key) ON DELETE CASCADE,
    blob_path VARCHAR(1024) NOT NULL,
    data      BYTEA         NOT NULL,
    total     BIGINT        NOT NULL,
    complete  BOOLEAN       NOT NULL,
    PRIMARY KEY (check_key, blob_path)
);
