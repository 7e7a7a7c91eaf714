-- 005_record_versions.sql - every earlier version of a record is kept (issue: hardening).
--
-- A record is replaced when its department sends new content for the same business key,
-- when an operator transfers it to another department, and (later) when an objection
-- corrects it.  Whoever does it, the content it had until then is copied here first, by
-- a trigger, so that no writer can forget to: the store's bulk paths (SQLite's per-row
-- upsert, PostgreSQL's merge) and any future UPDATE all keep the old version the same
-- way.  valid_from .. replaced_at is the time the version was the record's content.
--
-- Keyed like records by subject_code, the distribution column: a subject's versions live
-- on the shard of its records.

CREATE TABLE record_versions (
    id             INTEGER PRIMARY KEY,
    record_id      INTEGER NOT NULL,
    subject_code   TEXT NOT NULL,
    category       TEXT NOT NULL,
    business_key   TEXT NOT NULL,
    batch_id       INTEGER NOT NULL,
    dept_code      TEXT NOT NULL,
    data           TEXT NOT NULL,
    content_hash   TEXT NOT NULL,
    decision_date  TEXT NOT NULL DEFAULT '',
    publicity_end  TEXT NOT NULL DEFAULT '',
    flags          INTEGER NOT NULL DEFAULT 0,
    valid_from     TEXT NOT NULL,
    replaced_at    TEXT NOT NULL
);
CREATE INDEX record_versions_record ON record_versions(subject_code, record_id, id);

-- Every update makes a version, without a WHEN: the writers only update a record that
-- changes (SQLite's upsert skips identical content; PostgreSQL's merge rewrites a key
-- whose rows changed it, even when its last row restores the stored content, and that
-- rewrite must leave the same history as SQLite's two updates).
CREATE TRIGGER records_keep_version AFTER UPDATE ON records
BEGIN
    INSERT INTO record_versions(record_id, subject_code, category, business_key, batch_id,
        dept_code, data, content_hash, decision_date, publicity_end, flags, valid_from,
        replaced_at)
    VALUES (old.id, old.subject_code, old.category, old.business_key, old.batch_id,
        old.dept_code, old.data, old.content_hash, old.decision_date, old.publicity_end,
        old.flags, old.updated_at, new.updated_at);
END;
