-- 004_accounts.sql - accounts, sessions, API tokens, authorizations and the audit trail
-- (docs/security.md).
--
-- Times are text in one form, "YYYY-MM-DDTHH:MM:SS+08:00", so that comparing them as
-- text compares instants.  Secrets are never stored: passwords as Argon2id strings,
-- session tokens, API tokens and activation codes as BLAKE2b-256 hex.

CREATE TABLE users (
    id                  INTEGER PRIMARY KEY,
    name                TEXT NOT NULL UNIQUE,
    roles               TEXT NOT NULL,          -- "submitter,handler"
    dept_code           TEXT NOT NULL DEFAULT '',
    subject_code        TEXT NOT NULL DEFAULT '',
    display_name        TEXT NOT NULL DEFAULT '',
    password_hash       TEXT NOT NULL DEFAULT '',
    activation_hash     TEXT NOT NULL DEFAULT '',
    activation_expires  TEXT NOT NULL DEFAULT '',
    failed_logins       INTEGER NOT NULL DEFAULT 0,
    locked_until        TEXT NOT NULL DEFAULT '',
    disabled            INTEGER NOT NULL DEFAULT 0,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX users_dept ON users(dept_code, name);

CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id),
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    client      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id            INTEGER PRIMARY KEY,
    token_hash    TEXT NOT NULL UNIQUE,
    hint          TEXT NOT NULL,     -- the first characters, to tell tokens apart
    owner_kind    TEXT NOT NULL,     -- dept | agency
    owner_code    TEXT NOT NULL,
    scopes        TEXT NOT NULL,     -- "batches:write,subjects:read"
    note          TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    revoked_at    TEXT NOT NULL DEFAULT ''
);

CREATE TABLE authorizations (
    id            INTEGER PRIMARY KEY,
    subject_code  TEXT NOT NULL,
    grantee_code  TEXT NOT NULL,     -- the department or agency authorized
    purpose       TEXT NOT NULL,
    granted_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    revoked_at    TEXT NOT NULL DEFAULT '',
    recorded_by   TEXT NOT NULL
);
CREATE INDEX authorizations_subject ON authorizations(subject_code, grantee_code);

-- The audit trail: a hash chain (core/audit.h).  seq is assigned by the writer holding
-- the write lock, never by a sequence, so that a gap always means a removed entry.
CREATE TABLE audit_log (
    seq           INTEGER PRIMARY KEY,
    at            TEXT NOT NULL,
    actor         TEXT NOT NULL,
    role          TEXT NOT NULL DEFAULT '',
    dept_code     TEXT NOT NULL DEFAULT '',
    action        TEXT NOT NULL,
    subject_code  TEXT NOT NULL DEFAULT '',
    purpose       TEXT NOT NULL DEFAULT '',
    client        TEXT NOT NULL DEFAULT '',
    detail        TEXT NOT NULL DEFAULT '',
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL
);
CREATE INDEX audit_log_subject ON audit_log(subject_code, seq);

CREATE TABLE audit_checkpoints (
    seq         INTEGER PRIMARY KEY,
    head_hash   TEXT NOT NULL,
    at          TEXT NOT NULL,
    public_key  TEXT NOT NULL,
    signature   TEXT NOT NULL
);

-- After pruning: the last removed entry, from which verification starts.
CREATE TABLE audit_anchor (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    seq         INTEGER NOT NULL,
    hash        TEXT NOT NULL,
    pruned_at   TEXT NOT NULL
);
