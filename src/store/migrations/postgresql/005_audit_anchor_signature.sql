-- 005_audit_anchor_signature.sql - the prune anchor is signed with the audit key; the
-- same columns as migrations/sqlite/007_audit_anchor_signature.sql, which says why.
ALTER TABLE audit_anchor ADD COLUMN entry_at text NOT NULL DEFAULT '';
ALTER TABLE audit_anchor ADD COLUMN public_key text NOT NULL DEFAULT '';
ALTER TABLE audit_anchor ADD COLUMN signature text NOT NULL DEFAULT '';
