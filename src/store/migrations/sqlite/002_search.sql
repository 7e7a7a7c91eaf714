-- 002_search.sql - the subject name search index.
--
-- subjects.name_key holds text_search_key(name): NFKC, case-folded, no whitespace, one
-- kind of bracket.  Search asks "which names contain this key?", a substring question
-- that a B-tree cannot answer.  The FTS5 trigram tokenizer indexes every run of three
-- characters, so a key of three or more characters is a phrase query over its trigrams
-- and touches only the names that contain it.  Keys of two characters have no trigram;
-- the store scans name_key with instr() for them (see sqlite_subjects.c).
--
-- External content: the index keeps no second copy of the names, it reads them from
-- subjects by id.  case_sensitive 1 because name_key is already case-folded, which
-- saves folding every trigram again.  columnsize=0 because nothing ranks by bm25.

CREATE VIRTUAL TABLE subjects_fts USING fts5(
    name_key,
    content = 'subjects',
    content_rowid = 'id',
    tokenize = 'trigram case_sensitive 1',
    columnsize = 0
);

-- New subjects are indexed by the store itself (store__index_subjects): a batch indexes
-- all its new subjects in one statement at commit, which is far cheaper than a trigger
-- firing once per subject in the middle of the batch's record inserts.  So subjects
-- must be inserted through the store.  Deletes and renames, rare and possibly done by
-- an operator's sqlite3 shell, keep the index in step through triggers.
CREATE TRIGGER subjects_fts_delete AFTER DELETE ON subjects BEGIN
    INSERT INTO subjects_fts(subjects_fts, rowid, name_key)
        VALUES ('delete', old.id, old.name_key);
END;

CREATE TRIGGER subjects_fts_update AFTER UPDATE OF name_key ON subjects BEGIN
    INSERT INTO subjects_fts(subjects_fts, rowid, name_key)
        VALUES ('delete', old.id, old.name_key);
    INSERT INTO subjects_fts(rowid, name_key) VALUES (new.id, new.name_key);
END;

-- Subjects written before this migration.
INSERT INTO subjects_fts(subjects_fts) VALUES ('rebuild');
