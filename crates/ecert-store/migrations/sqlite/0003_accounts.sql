-- Holder accounts, their browser sessions, and real-name authentication across devices.
-- Secrets are never stored as such: passwords as Argon2id hashes, session ids, challenge
-- codes and phone codes as SHA-256 digests.
CREATE TABLE accounts (
    account_id    TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    name          TEXT NOT NULL,
    id_type       TEXT NOT NULL,
    id_number     TEXT NOT NULL,
    phone         TEXT,
    created_at    BIGINT NOT NULL
);
CREATE INDEX accounts_by_identity ON accounts (id_type, id_number);

-- Failed logins per subject ('account:<username>' or 'client:<address>'), counted whether
-- or not the account exists, so a lock tells nothing about which usernames are taken.
CREATE TABLE login_throttle (
    subject      TEXT PRIMARY KEY,
    failures     BIGINT NOT NULL,
    locks        BIGINT NOT NULL,
    locked_until BIGINT
);

CREATE TABLE sessions (
    session_hash     TEXT PRIMARY KEY,
    account_id       TEXT REFERENCES accounts (account_id),
    csrf_token       TEXT NOT NULL,
    client_address   TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    last_seen_at     BIGINT NOT NULL,
    -- Real-name authentication passed in this session.
    authenticated_at BIGINT
);
CREATE INDEX sessions_by_account ON sessions (account_id);

CREATE TABLE phone_codes (
    account_id TEXT PRIMARY KEY REFERENCES accounts (account_id),
    phone      TEXT NOT NULL,
    code_hash  TEXT NOT NULL,
    sent_at    BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    attempts   BIGINT NOT NULL
);

-- Public halves of the app's device keys (P-256, made non-extractable in the browser).
CREATE TABLE device_keys (
    device_id  TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (account_id),
    public_key TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE challenges (
    code_hash        TEXT PRIMARY KEY,
    session_hash     TEXT NOT NULL,
    account_id       TEXT NOT NULL REFERENCES accounts (account_id),
    action           TEXT NOT NULL,
    client_address   TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    expires_at       BIGINT NOT NULL,
    face_checked_at  BIGINT,
    approved_at      BIGINT,
    device_id        TEXT,
    used_at          BIGINT
);
CREATE INDEX challenges_by_session ON challenges (session_hash);

-- Certificates bound by number ([绑定证照]) when the account's identity does not list them.
CREATE TABLE bindings (
    account_id          TEXT NOT NULL REFERENCES accounts (account_id),
    registration_number TEXT NOT NULL,
    bound_at            BIGINT NOT NULL,
    PRIMARY KEY (account_id, registration_number)
);
