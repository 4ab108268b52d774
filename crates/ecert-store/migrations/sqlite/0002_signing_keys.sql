-- Signing keys. The private key inside `record` is encrypted with the key-encryption key,
-- which lives in the configuration or environment and never in this database.
CREATE TABLE signing_keys (
    key_id     TEXT PRIMARY KEY,
    algorithm  TEXT NOT NULL,
    -- The key record as JSON: encrypted private key, certificate, validity, retirement.
    record     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    -- Set once; a retired key still verifies what it signed before this moment.
    retired_at BIGINT
);
