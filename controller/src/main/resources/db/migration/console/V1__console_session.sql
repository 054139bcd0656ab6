-- The web console's sessions, shared by every controller on the database (a cluster's balancer may send each
-- request of one browser to a different controller). Expand-only: two new tables, nothing an older controller reads.
-- Nothing here opens a session without the browser's cookie: the row is found by a hash of the cookie's id, and the
-- credential the session stands for is sealed (AES-GCM) under a key derived from that id, which only the browser holds.

CREATE TABLE console_session (
    id_hash     VARCHAR(64)              NOT NULL PRIMARY KEY,
    credential  TEXT                     NOT NULL,
    csrf_token  VARCHAR(64)              NOT NULL,
    expires_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE INDEX console_session_by_expiry ON console_session (expires_at);

-- An OIDC login under way (authorization code + PKCE): what the pre-login cookie stands for, used once by the
-- callback (a replayed callback finds no row).
CREATE TABLE console_login (
    id_hash       VARCHAR(64)              NOT NULL PRIMARY KEY,
    provider      VARCHAR(32)              NOT NULL,
    state         VARCHAR(64)              NOT NULL,
    nonce         VARCHAR(64)              NOT NULL,
    code_verifier VARCHAR(128)             NOT NULL,
    expires_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE INDEX console_login_by_expiry ON console_login (expires_at);
