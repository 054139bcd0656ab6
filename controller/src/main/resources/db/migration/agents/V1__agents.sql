CREATE TABLE nw_agent (
    agent_id      VARCHAR(64) PRIMARY KEY,
    secret_hash   VARCHAR(128) NOT NULL,
    vm_key        VARCHAR(1024) NOT NULL,
    enrolled_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    last_seen_at  TIMESTAMP WITH TIME ZONE,
    agent_version VARCHAR(64),
    revoked       BOOLEAN NOT NULL
);
CREATE INDEX nw_agent_vm ON nw_agent (vm_key);
