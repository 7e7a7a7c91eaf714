-- 010_reports.sql - report signing keys and issued reports; the same tables as
-- migrations/sqlite/012_reports.sql, which says what they hold.  Both are small and read
-- by key: kept on the coordinator like the audit chain (docs/scaling.md).
CREATE TABLE signing_keys (
    id           text COLLATE "C" PRIMARY KEY,
    issuer       text COLLATE "C" NOT NULL,
    url          text COLLATE "C" NOT NULL DEFAULT '',
    public_key   text COLLATE "C" NOT NULL,
    secret_key   text COLLATE "C" NOT NULL DEFAULT '',
    own          integer NOT NULL,
    valid_from   text COLLATE "C" NOT NULL,
    valid_until  text COLLATE "C" NOT NULL DEFAULT '',
    added_at     text COLLATE "C" NOT NULL
);

CREATE TABLE reports (
    number             text COLLATE "C" PRIMARY KEY,
    subject_code       text COLLATE "C" NOT NULL,
    subject_name       text COLLATE "C" NOT NULL,
    view               text COLLATE "C" NOT NULL,
    format             text COLLATE "C" NOT NULL,
    digest             text COLLATE "C" NOT NULL,
    verification_code  text COLLATE "C" NOT NULL,
    key_id             text COLLATE "C" NOT NULL,
    generated_at       text COLLATE "C" NOT NULL,
    actor              text COLLATE "C" NOT NULL
);
CREATE INDEX reports_subject ON reports(subject_code, generated_at);
