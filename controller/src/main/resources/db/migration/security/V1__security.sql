-- Security state of the controller: service principals of the built-in OAuth2 issuer, role
-- assignments, agent enrollment tokens. Only hashes of secrets are stored (see Secrets.java).
-- Runs unchanged on PostgreSQL and on H2 in PostgreSQL mode.

CREATE TABLE service_principal (
    client_id    VARCHAR(36)              NOT NULL PRIMARY KEY,
    display_name VARCHAR(256)             NOT NULL,
    secret_hash  VARCHAR(128)             NOT NULL,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE role_assignment (
    id           VARCHAR(64)              NOT NULL PRIMARY KEY,
    principal_id VARCHAR(512)             NOT NULL,
    role_name    VARCHAR(32)              NOT NULL,
    scope        VARCHAR(400)             NOT NULL,
    -- lower-case scope: scopes match case-insensitively, so uniqueness does too
    scope_key    VARCHAR(400)             NOT NULL,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT role_assignment_once UNIQUE (principal_id, role_name, scope_key)
);

CREATE INDEX role_assignment_by_principal ON role_assignment (principal_id);

CREATE TABLE enrollment_token (
    id              VARCHAR(64)              NOT NULL PRIMARY KEY,
    secret_hash     VARCHAR(128)             NOT NULL,
    subscription_id VARCHAR(128),
    resource_group  VARCHAR(128),
    expires_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    max_uses        INTEGER                  NOT NULL,
    uses            INTEGER                  NOT NULL DEFAULT 0,
    revoked         BOOLEAN                  NOT NULL DEFAULT FALSE,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT enrollment_token_uses CHECK (uses >= 0 AND uses <= max_uses)
);
