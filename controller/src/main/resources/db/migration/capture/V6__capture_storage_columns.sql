-- Where a capture's file goes, one column each: the storage account's key and the path inside it. They were
-- packed as "account-id|path" into order_json's upload.url; the claim table already holds both for every
-- capture created since V3 (older ones are filled in at start-up from their packed orders).
ALTER TABLE nw_capture ADD COLUMN storage_account_key VARCHAR(1024);
ALTER TABLE nw_capture ADD COLUMN blob_path VARCHAR(1100);
UPDATE nw_capture SET
    storage_account_key = (SELECT MIN(b.account_key) FROM nw_capture_blob b WHERE b.capture_key = nw_capture.capture_key),
    blob_path = (SELECT MIN(b.blob_path) FROM nw_capture_blob b WHERE b.capture_key = nw_capture.capture_key);
