-- The cluster's controllers, so that one can reach another (the live stream's relay, docs/captures.md): id is the
-- controller id that nw_agent.controller_id records, peer_url the controller's own direct URL (not the balancer's),
-- heartbeat_at renewed every few seconds while it runs; a row whose heartbeat is older than a minute is a controller
-- that is gone. Rows are written by their own controller only (insert at start, heartbeat, delete at a clean stop).
CREATE TABLE nw_controller (
    id           VARCHAR(64)              NOT NULL PRIMARY KEY,
    peer_url     VARCHAR(512)             NOT NULL,
    started_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    heartbeat_at TIMESTAMP WITH TIME ZONE NOT NULL
);

-- Secrets only the cluster's controllers know (they read them from the shared database): name 'peer-relay' is the
-- HMAC-SHA256 key of the short-lived tokens one controller presents to another on /internal/v1/ routes. Inserted if
-- absent by the first controller that needs it; never sent to agents or API callers.
CREATE TABLE nw_cluster_secret (
    name       VARCHAR(64)              NOT NULL PRIMARY KEY,
    secret     VARCHAR(128)             NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL
);
