CREATE TABLE nw_operation (
    id            VARCHAR(64) PRIMARY KEY,
    subscription_key VARCHAR(64) NOT NULL,
    location_key  VARCHAR(128) NOT NULL,
    kind          VARCHAR(64) NOT NULL,
    target_key    VARCHAR(1024),
    status        VARCHAR(32) NOT NULL,
    http_status   INTEGER,
    result_json   TEXT,
    error_json    TEXT,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    deadline      TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX nw_operation_pending ON nw_operation (status, kind);
