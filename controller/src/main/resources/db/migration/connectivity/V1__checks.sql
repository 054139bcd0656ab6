CREATE TABLE nw_check (
    check_key     VARCHAR(64) PRIMARY KEY,
    kind          VARCHAR(32) NOT NULL,
    check_id      VARCHAR(1024) NOT NULL,
    subscription_key VARCHAR(64) NOT NULL,
    location      VARCHAR(128) NOT NULL,
    source_vm_key VARCHAR(1024) NOT NULL,
    request_json  TEXT NOT NULL,
    api_version   VARCHAR(32) NOT NULL,
    state         VARCHAR(32) NOT NULL,
    flow_json     TEXT,
    result_json   TEXT,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    source_done_at TIMESTAMP WITH TIME ZONE
);
CREATE INDEX nw_check_state ON nw_check (state);

CREATE TABLE nw_check_part (
    check_key     VARCHAR(64) NOT NULL,
    vm_key        VARCHAR(1024) NOT NULL,
    role          VARCHAR(32) NOT NULL,
    state         VARCHAR(32) NOT NULL,
    report_json   TEXT,
    updated_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (check_key, vm_key, role)
);
CREATE INDEX nw_check_part_vm ON nw_check_part (vm_key, state);
