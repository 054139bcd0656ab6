CREATE TABLE nw_vm (
    id_key        VARCHAR(1024) PRIMARY KEY,
    id            VARCHAR(1024) NOT NULL,
    subscription_key VARCHAR(64) NOT NULL,
    group_key     VARCHAR(256) NOT NULL,
    name          VARCHAR(256) NOT NULL,
    location      VARCHAR(128) NOT NULL,
    vm_uuid       VARCHAR(64) NOT NULL,
    host_json     TEXT NOT NULL,
    generation    BIGINT NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at    TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX nw_vm_group ON nw_vm (subscription_key, group_key);

CREATE TABLE nw_nic (
    id_key        VARCHAR(1024) PRIMARY KEY,
    id            VARCHAR(1024) NOT NULL,
    vm_key        VARCHAR(1024) NOT NULL,
    subscription_key VARCHAR(64) NOT NULL,
    group_key     VARCHAR(256) NOT NULL,
    name          VARCHAR(256) NOT NULL,
    location      VARCHAR(128) NOT NULL,
    interface_name VARCHAR(64) NOT NULL,
    mac_address   VARCHAR(64),
    primary_nic   BOOLEAN NOT NULL,
    addresses_json TEXT NOT NULL,
    position      INTEGER NOT NULL
);
CREATE INDEX nw_nic_vm ON nw_nic (vm_key);
CREATE INDEX nw_nic_group ON nw_nic (subscription_key, group_key);
