-- One row per kind of background work done by one controller at a time (the leader). holder is the
-- controller that holds the lease until expires_at; epoch grows by one at every change of holder and is
-- the fencing token: the holder renews only "WHERE holder = me AND epoch = mine", so a controller that
-- lost the lease (expired, taken over) learns it at its next renewal and stops the work. The row is
-- inserted if absent by the first controller that needs it.
CREATE TABLE nw_leader_lease (
    name        VARCHAR(64)              NOT NULL PRIMARY KEY,
    holder      VARCHAR(64),
    epoch       BIGINT                   NOT NULL,
    acquired_at TIMESTAMP WITH TIME ZONE,
    expires_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
