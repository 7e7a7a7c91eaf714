-- 001_init.sql - the platform core: catalog, subjects, records, batches.
-- Tables that grow with the data carry subject_code, the distribution key.

CREATE TABLE catalog_categories (
    id          TEXT PRIMARY KEY,
    definition  TEXT NOT NULL,          -- JSON, as in data/catalog/
    updated_at  TEXT NOT NULL
);

CREATE TABLE code_exceptions (
    code        TEXT PRIMARY KEY,
    note        TEXT NOT NULL DEFAULT '',
    added_at    TEXT NOT NULL
);

-- code is the subject key everywhere.  id exists only to give the row a stable integer
-- rowid: the name search index (002_search.sql) refers to rows by rowid, and VACUUM may
-- renumber the implicit rowids of a table that has no INTEGER PRIMARY KEY.
CREATE TABLE subjects (
    id            INTEGER PRIMARY KEY,
    code          TEXT NOT NULL UNIQUE, -- normalized USCC, 18-digit ID number, or other
    kind          TEXT NOT NULL,        -- uscc | resident_id | other
    subject_type  TEXT NOT NULL DEFAULT '',
    name          TEXT NOT NULL,
    name_key      TEXT NOT NULL,        -- text_search_key(name)
    region_code   TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

CREATE TABLE batches (
    id          INTEGER PRIMARY KEY,
    category    TEXT NOT NULL,
    dept_code   TEXT NOT NULL,
    source      TEXT NOT NULL DEFAULT '',
    format      TEXT NOT NULL DEFAULT '',
    encoding    TEXT NOT NULL DEFAULT '',
    rows        INTEGER NOT NULL DEFAULT 0,
    accepted    INTEGER NOT NULL DEFAULT 0,
    duplicates  INTEGER NOT NULL DEFAULT 0,
    rejected    INTEGER NOT NULL DEFAULT 0,
    warnings    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL
);

CREATE TABLE batch_problems (
    batch_id    INTEGER NOT NULL REFERENCES batches(id),
    row         INTEGER NOT NULL,
    field       TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL,
    message     TEXT NOT NULL,
    warning     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX batch_problems_batch ON batch_problems(batch_id, row);

CREATE TABLE records (
    id             INTEGER PRIMARY KEY,
    subject_code   TEXT NOT NULL,
    category       TEXT NOT NULL,
    business_key   TEXT NOT NULL,
    batch_id       INTEGER NOT NULL,
    dept_code      TEXT NOT NULL,
    data           TEXT NOT NULL,       -- JSON object: field id -> cleaned value
    content_hash   TEXT NOT NULL,
    decision_date  TEXT NOT NULL DEFAULT '',
    publicity_end  TEXT NOT NULL DEFAULT '',
    flags          INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    UNIQUE (subject_code, category, business_key)
);
