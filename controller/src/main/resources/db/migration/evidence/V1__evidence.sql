CREATE TABLE nw_evidence (
    check_key       VARCHAR(64) PRIMARY KEY,
    client_base_url VARCHAR(1024) NOT NULL,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX nw_evidence_created ON nw_evidence (created_at);
