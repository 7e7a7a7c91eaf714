-- 009_cases.sql - cases (issue: the case engine): objections now, credit repair, listings
-- and commitments later.  A case is one application about one subject, moved through
-- the states of its kind's rules (data/rules/, case_rules below) by the steps of the
-- parties; every step is a row of case_steps and an audit entry, written in the same
-- transaction (service/cases.c).
--
-- Keyed by subject_code, the distribution column, like records: a subject's cases,
-- their steps, attachments and the subject's statements live on the shard of its
-- records.  A case is also looked up by id alone (the API's /cases/{id}): rare next to
-- record reads, and indexed.

-- A kind's rules as imported, one row per effective date: the regime in force on the
-- day a case is filed governs it (cases.rules_from says which).
CREATE TABLE case_rules (
    kind            TEXT NOT NULL,
    effective_from  TEXT NOT NULL,   -- YYYY-MM-DD
    body            TEXT NOT NULL,   -- the rules file, JSON
    imported_at     TEXT NOT NULL,
    imported_by     TEXT NOT NULL,
    PRIMARY KEY (kind, effective_from)
);

CREATE TABLE cases (
    id             INTEGER PRIMARY KEY,
    subject_code   TEXT NOT NULL,
    kind           TEXT NOT NULL,
    record_id      INTEGER NOT NULL DEFAULT 0,   -- 0: about no single record
    status         TEXT NOT NULL,
    dept_code      TEXT NOT NULL DEFAULT '',     -- responsible now; '' the platform
    due_date       TEXT NOT NULL DEFAULT '',     -- the current step's; '' none
    rules_from     TEXT NOT NULL,
    applicant      TEXT NOT NULL,                -- the actor who filed: user:NAME, cli:NAME
    channel        TEXT NOT NULL,                -- online, window (an operator for a walk-in)
    data           TEXT NOT NULL,                -- JSON: what was applied for
    outcome        TEXT NOT NULL DEFAULT '',     -- JSON once decided
    reviews        INTEGER NOT NULL DEFAULT 0,
    entered_at     TEXT NOT NULL,                -- when the case entered its status
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX cases_subject ON cases(subject_code, kind, status);
CREATE INDEX cases_dept ON cases(dept_code, id);
CREATE INDEX cases_status ON cases(status, id);

CREATE TABLE case_steps (
    case_id        INTEGER NOT NULL,
    seq            INTEGER NOT NULL,
    subject_code   TEXT NOT NULL,
    at             TEXT NOT NULL,
    actor          TEXT NOT NULL,
    action         TEXT NOT NULL,
    from_status    TEXT NOT NULL DEFAULT '',
    to_status      TEXT NOT NULL,
    note           TEXT NOT NULL DEFAULT '',
    detail         TEXT NOT NULL DEFAULT '{}',   -- JSON: the step's own members
    PRIMARY KEY (subject_code, case_id, seq)
);

-- Stored in the database, base64, hung on the case's current step: each written with its
-- audit entry in one transaction, carried by backups and `xinyong migrate`
-- (docs/architecture.md).
CREATE TABLE case_attachments (
    id             INTEGER PRIMARY KEY,
    case_id        INTEGER NOT NULL,
    subject_code   TEXT NOT NULL,
    step_seq       INTEGER NOT NULL,
    digest         TEXT NOT NULL,     -- BLAKE2b-256, hex
    media_type     TEXT NOT NULL,
    size           INTEGER NOT NULL,
    name           TEXT NOT NULL DEFAULT '',
    content        TEXT NOT NULL,     -- base64
    added_by       TEXT NOT NULL,
    added_at       TEXT NOT NULL
);
CREATE INDEX case_attachments_case ON case_attachments(subject_code, case_id, step_seq);

-- A subject's own statement on one of its records, shown wherever the record is.
CREATE TABLE record_statements (
    subject_code   TEXT NOT NULL,
    record_id      INTEGER NOT NULL,
    text           TEXT NOT NULL,
    author         TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    PRIMARY KEY (subject_code, record_id)
);
