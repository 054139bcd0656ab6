-- Online rotation of the admin token (POST /admin/v1/adminToken/rotate, nw admin admin-token rotate): the previous
-- token's hash may keep verifying for a grace period, and hashes of replaced tokens are remembered so that a
-- controller whose admin.token still holds one starts (knowing the hash only) instead of refusing. Expand only:
-- a controller of the version before ignores both.

-- The token before the last rotation; it verifies until previous_until (both null: no grace running).
ALTER TABLE admin_token ADD COLUMN previous_hash VARCHAR(128);
ALTER TABLE admin_token ADD COLUMN previous_until TIMESTAMP WITH TIME ZONE;

-- Every token a rotation replaced (its hash only), so that an old admin.token is recognised as rotated away.
CREATE TABLE admin_token_retired (
    token_hash  VARCHAR(128)             NOT NULL PRIMARY KEY,
    retired_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
