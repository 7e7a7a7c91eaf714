-- 007_audit_anchor_signature.sql - the prune anchor is signed with the audit key
-- (docs/security.md, "Retention"): without a signature, anyone who can write the database
-- could delete the oldest entries and insert a matching anchor, and the trail would still
-- verify.  The signature covers seq, hash, entry_at (the time of the last removed entry,
-- so that verify can tell an anchor newer than the retention period) and pruned_at.
-- An anchor written before this migration keeps empty columns and fails verification
-- until the trail is pruned again with the key.
ALTER TABLE audit_anchor ADD COLUMN entry_at TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_anchor ADD COLUMN public_key TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_anchor ADD COLUMN signature TEXT NOT NULL DEFAULT '';
