-- What the controller found in the storage account for a capture's upload: the size recorded when a
-- local upload was committed, the size and SHA-256 it read back, and whether they match what the
-- agent wrote (VERIFIED / MISMATCH).
ALTER TABLE nw_capture ADD COLUMN IF NOT EXISTS stored_bytes BIGINT;
ALTER TABLE nw_capture ADD COLUMN IF NOT EXISTS stored_sha256 VARCHAR(64);
ALTER TABLE nw_capture ADD COLUMN IF NOT EXISTS upload_check VARCHAR(16);
