-- Tables for the storage contract tests (DatabaseContractTest). Test classpath only.
CREATE TABLE dbtest_item (
    id          UUID PRIMARY KEY,
    name        VARCHAR(200) NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at  TIMESTAMP WITH TIME ZONE,
    size_bytes  BIGINT,
    enabled     BOOLEAN NOT NULL DEFAULT TRUE,
    body        TEXT
);

CREATE TABLE dbtest_counter (
    name  VARCHAR(64) PRIMARY KEY,
    total BIGINT NOT NULL
);
