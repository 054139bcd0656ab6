-- The controllers' shared identity, so that N controllers on one database accept what any of them issued.
-- Each table is written race-free: the first controller inserts if absent, every controller then reads.

-- The admin token's hash (the token itself stays in DATA_DIR/admin.token of the controller that made it).
-- One row; start-up fills it from an existing admin.token, so data directories from before keep their token.
CREATE TABLE admin_token (
    slot        VARCHAR(16)              NOT NULL PRIMARY KEY,
    token_hash  VARCHAR(128)             NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL
);

-- The built-in OAuth2 issuer's RS256 signing keys. One key per rotation period (slot: the period's start, in epoch seconds): the first
-- controller to need a period's key inserts it, the others read it. The newest key whose period has begun
-- signs; every key verifies until verify_until (its period's end plus the longest token lifetime), and the
-- JWKS lists exactly those. Start-up imports an existing DATA_DIR/oauth/signing-key.pem as the current
-- period's key.
CREATE TABLE signing_key (
    slot         BIGINT                   NOT NULL PRIMARY KEY,
    key_id       VARCHAR(128)             NOT NULL,
    private_pem  TEXT                     NOT NULL,
    sign_from    TIMESTAMP WITH TIME ZONE NOT NULL,
    sign_until   TIMESTAMP WITH TIME ZONE NOT NULL,
    verify_until TIMESTAMP WITH TIME ZONE NOT NULL,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT signing_key_id_once UNIQUE (key_id)
);
