-- 002_search.sql - the subject name search index, with pg_trgm.
--
-- Search asks "which names contain this key?" (see migrations/sqlite/002_search.sql).
-- A GIN index of trigrams answers name_key LIKE '%key%' for keys with at least one
-- trigram.  pg_trgm counts only letters and digits of the database's LC_CTYPE as word
-- characters, so the database must have a UTF-8 locale (C.UTF-8 or zh_CN.UTF-8):
-- under LC_CTYPE=C it would see no trigram in a Chinese name and every search would
-- read the whole index.  pg_trgm is a trusted extension: the database owner may create
-- it without being a superuser.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX subjects_name_trgm ON subjects USING gin (name_key gin_trgm_ops);
