-- 012_reports.sql - what makes credit reports verifiable (core/report_seal.h,
-- service/report_keys.h, service/report.h).
--
-- signing_keys: the platform's own Ed25519 report keys (own = 1, with the secret seed)
-- and the published keys of other platforms it trusts for mutual recognition (own = 0,
-- no secret).  A key signs reports from valid_from; rotation sets its valid_until, after
-- which it signs nothing more, while reports it signed before keep verifying.  Written by
-- `xinyong keys`, `init` and `serve`; read whole (a handful of rows).
CREATE TABLE signing_keys (
    id           TEXT PRIMARY KEY,    -- first 16 hex digits of SHA-256 of the public key
    issuer       TEXT NOT NULL,       -- the platform that signs with it: 肇庆市公共信用信息共享平台
    url          TEXT NOT NULL DEFAULT '', -- that platform's public address, '' when unknown
    public_key   TEXT NOT NULL,       -- 64 hex digits
    secret_key   TEXT NOT NULL DEFAULT '', -- own keys: the 32-byte seed in hex; others ''
    own          INTEGER NOT NULL,
    valid_from   TEXT NOT NULL,       -- 'YYYY-MM-DDTHH:MM:SS+08:00' (clock_timestamp)
    valid_until  TEXT NOT NULL DEFAULT '', -- '' while in force
    added_at     TEXT NOT NULL
);

-- reports: one row per report issued.  The platform keeps each report's number and
-- digest, never the document: the online check (GET /api/v1/reports/{number}) compares a
-- presented verification code with the one kept here.
CREATE TABLE reports (
    number             TEXT PRIMARY KEY,  -- 22 characters (core/report_seal.h)
    subject_code       TEXT NOT NULL,
    subject_name       TEXT NOT NULL,     -- as the report showed it (masked for a person)
    view               TEXT NOT NULL,     -- public, shared or own
    format             TEXT NOT NULL,     -- json, html or pdf
    digest             TEXT NOT NULL,     -- SHA-256 of the canonical content, hex
    verification_code  TEXT NOT NULL,
    key_id             TEXT NOT NULL,
    generated_at       TEXT NOT NULL,
    actor              TEXT NOT NULL      -- who asked (principal_actor)
);
CREATE INDEX reports_subject ON reports(subject_code, generated_at);
