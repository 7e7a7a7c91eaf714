-- 006_audit_queue.sql - how far the audit queue has been moved into the chain.
--
-- On SQLite a batch holds the one write lock for its whole length, so the audit entry of
-- a read made meanwhile cannot be chained at once.  It is kept durably in a queue, a
-- database file of its own beside this one (<file>-audit-queue, sqlite_audit_queue.c),
-- before the data leaves, and moved into the chain by the next writer.  This table says,
-- per queue file (by the random id the file holds), the last queued entry already
-- chained: it is written in the same transaction as the chained entries, so an entry is
-- chained exactly once whatever crashes when.

CREATE TABLE audit_queue_marks (
    queue    TEXT PRIMARY KEY,
    last_id  INTEGER NOT NULL
);
