-- A VM that is an instance of a scale set: one row per member VM. The scale set exists while it has
-- members; instance ids are numbers given in joining order, never reused while the set exists.
CREATE TABLE nw_vmss_instance (
    vm_key        VARCHAR(1024) PRIMARY KEY,
    vmss_key      VARCHAR(1024) NOT NULL,
    vmss_id       VARCHAR(1024) NOT NULL,
    subscription_key VARCHAR(64) NOT NULL,
    group_key     VARCHAR(256) NOT NULL,
    instance_id   INTEGER NOT NULL,
    vmss_uuid     VARCHAR(64) NOT NULL,
    joined_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT nw_vmss_instance_id UNIQUE (vmss_key, instance_id)
);
CREATE INDEX nw_vmss_instance_group ON nw_vmss_instance (subscription_key, group_key);
