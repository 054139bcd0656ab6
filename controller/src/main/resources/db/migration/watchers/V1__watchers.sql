CREATE TABLE nw_watcher (
    id_key        VARCHAR(1024) PRIMARY KEY,
    id            VARCHAR(1024) NOT NULL,
    subscription_key VARCHAR(64) NOT NULL,
    group_key     VARCHAR(256) NOT NULL,
    name          VARCHAR(256) NOT NULL,
    location      VARCHAR(128) NOT NULL,
    location_key  VARCHAR(128) NOT NULL,
    tags_json     TEXT NOT NULL,
    etag          VARCHAR(64) NOT NULL,
    provisioning_state VARCHAR(32) NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT nw_watcher_one_per_location UNIQUE (subscription_key, location_key)
);
CREATE INDEX nw_watcher_group ON nw_watcher (subscription_key, group_key);
