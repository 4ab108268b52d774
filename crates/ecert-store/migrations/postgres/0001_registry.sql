-- The registry: what the registration authority sends, and what ecert derives from it.
-- Days are ISO text (YYYY-MM-DD): they sort and compare the same on SQLite and PostgreSQL.
-- Moments are milliseconds since the Unix epoch, UTC, for the same reason.

CREATE TABLE registrations (
    registration_number  TEXT PRIMARY KEY,
    name                 TEXT NOT NULL,
    gender               TEXT NOT NULL,
    birth_date           TEXT NOT NULL,
    id_type              TEXT NOT NULL,
    id_number            TEXT NOT NULL,
    employer_name        TEXT NOT NULL,
    employer_credit_code TEXT NOT NULL,
    seal_number          TEXT NOT NULL,
    valid_from           TEXT NOT NULL,
    valid_until          TEXT NOT NULL,
    issued_on            TEXT NOT NULL,
    -- Status code, with the description for 99 ("99:...").
    status               TEXT NOT NULL,
    -- The day the current status began; NULL while it is the initial one.
    status_since         TEXT,
    -- When the record was reported (上报) to the ministry; NULL until then. A change from
    -- the authority clears it: the ministry must receive the new facts before endorsement.
    reported_at          BIGINT,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL
);

-- Holders find their certificates by their verified identity.
CREATE INDEX registrations_by_identity ON registrations (id_type, id_number);

-- Append-only history of each registration.
CREATE TABLE registration_events (
    id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    registration_number TEXT NOT NULL REFERENCES registrations (registration_number),
    kind                TEXT NOT NULL,
    -- The event as JSON (the changed fields, the new last valid day, ...).
    detail              TEXT NOT NULL,
    occurred_at         BIGINT NOT NULL
);

CREATE INDEX registration_events_by_registration
    ON registration_events (registration_number, id);

-- Every version of every certificate; a version is never changed, only superseded.
CREATE TABLE certificate_versions (
    registration_number TEXT NOT NULL REFERENCES registrations (registration_number),
    version             INTEGER NOT NULL CHECK (version BETWEEN 1 AND 999),
    licence_id          TEXT NOT NULL UNIQUE,
    -- The printed fields as JSON, exactly as rendered.
    fields              TEXT NOT NULL,
    created_at          BIGINT NOT NULL,
    superseded_by       INTEGER,
    superseded_at       BIGINT,
    PRIMARY KEY (registration_number, version)
);

-- Photo and signature image, re-encoded by ecert; never the bytes as uploaded.
CREATE TABLE materials (
    registration_number TEXT NOT NULL REFERENCES registrations (registration_number),
    kind                TEXT NOT NULL CHECK (kind IN ('photo', 'signature')),
    media_type          TEXT NOT NULL,
    width               INTEGER NOT NULL,
    height              INTEGER NOT NULL,
    content             BYTEA NOT NULL,
    sha256              TEXT NOT NULL,
    updated_at          BIGINT NOT NULL,
    PRIMARY KEY (registration_number, kind)
);
