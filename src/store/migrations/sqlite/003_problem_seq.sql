-- 003_problem_seq.sql - batch problems get an explicit insertion number.
--
-- Problems were listed in rowid order, which only SQLite has.  An explicit seq column
-- names the same order on every backend (PostgreSQL numbers it with an identity), and
-- `xinyong migrate` copies it, so a problem list reads the same after a move.

CREATE TABLE batch_problems_seq (
    seq         INTEGER PRIMARY KEY,
    batch_id    INTEGER NOT NULL REFERENCES batches(id),
    row         INTEGER NOT NULL,
    field       TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL,
    message     TEXT NOT NULL,
    warning     INTEGER NOT NULL DEFAULT 0
);
INSERT INTO batch_problems_seq(seq, batch_id, row, field, reason, message, warning)
    SELECT rowid, batch_id, row, field, reason, message, warning FROM batch_problems;
DROP TABLE batch_problems;
ALTER TABLE batch_problems_seq RENAME TO batch_problems;
-- The index ends with seq implicitly (an INTEGER PRIMARY KEY is the rowid), so listing
-- a batch's problems by (row, seq) needs no sort.
CREATE INDEX batch_problems_batch ON batch_problems(batch_id, row);
