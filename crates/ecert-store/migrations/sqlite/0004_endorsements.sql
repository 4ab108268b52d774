-- Endorsements (加注), the file jobs they start, and the audit log.

-- One row per usage period granted: the key makes a double submission one endorsement.
CREATE TABLE endorsements (
    registration_number TEXT NOT NULL REFERENCES registrations (registration_number),
    first_day           TEXT NOT NULL,
    last_day            TEXT NOT NULL,
    account_id          TEXT NOT NULL REFERENCES accounts (account_id),
    endorsed_at         BIGINT NOT NULL,
    PRIMARY KEY (registration_number, first_day)
);

-- The durable queue of certificate files. The unique key is the file: exactly one per
-- version, format and usage period, however often it is asked for or redone.
-- A worker leases a job (lease_token, lease_until); a job whose lease ran out while
-- 'running' is taken again, so a worker killed mid-job delays its file, never loses it.
-- priority 0: a holder waits on the download page; 1: made ahead at endorsement.
CREATE TABLE file_jobs (
    job_id              TEXT PRIMARY KEY,
    registration_number TEXT NOT NULL REFERENCES registrations (registration_number),
    version             BIGINT NOT NULL,
    format              TEXT NOT NULL CHECK (format IN ('pdf', 'ofd')),
    first_day           TEXT NOT NULL,
    last_day            TEXT NOT NULL,
    state               TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    priority            BIGINT NOT NULL,
    attempts            BIGINT NOT NULL,
    lease_token         TEXT,
    lease_until         BIGINT,
    file_name           TEXT,
    error               TEXT,
    created_at          BIGINT NOT NULL,
    finished_at         BIGINT,
    UNIQUE (registration_number, version, format, first_day)
);
CREATE INDEX file_jobs_waiting ON file_jobs (state, priority, created_at);

-- Who did what, when, with what result. Each record's hash covers the previous one's, so
-- an edited or deleted record breaks the chain. audit_head serialises writers: every
-- audit write starts by updating its single row, which locks it on PostgreSQL and takes
-- the write lock at once on SQLite.
CREATE TABLE audit_log (
    seq           BIGINT PRIMARY KEY,
    at            BIGINT NOT NULL,
    actor         TEXT NOT NULL,
    action        TEXT NOT NULL,
    subject       TEXT NOT NULL,
    outcome       TEXT NOT NULL,
    previous_hash TEXT NOT NULL,
    hash          TEXT NOT NULL
);
CREATE TABLE audit_head (
    id        BIGINT PRIMARY KEY CHECK (id = 1),
    seq       BIGINT NOT NULL,
    last_hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
