-- Which capture writes each stored object: a storage account's blob (or local file) belongs to at most
-- one capture, so a second capture naming the same storagePath is refused instead of reporting the
-- first capture's file as its own. The row goes with the capture row (when its tombstone is collected).
CREATE TABLE nw_capture_blob (
    account_key   VARCHAR(1024) NOT NULL,
    blob_path     VARCHAR(1100) NOT NULL,
    capture_key   VARCHAR(64) NOT NULL,
    PRIMARY KEY (account_key, blob_path)
);
CREATE INDEX nw_capture_blob_capture ON nw_capture_blob (capture_key);
