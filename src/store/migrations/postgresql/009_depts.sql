-- 009_depts.sql - the department directory; the same table as
-- migrations/sqlite/011_depts.sql, which says what it holds.  A small reference table
-- (docs/scaling.md): read whole by each view that names departments, written by an
-- operator.
CREATE TABLE depts (
    code         text COLLATE "C" PRIMARY KEY,
    name         text COLLATE "C" NOT NULL,
    short_name   text COLLATE "C" NOT NULL DEFAULT '',
    region_code  text COLLATE "C" NOT NULL DEFAULT '',
    parent_code  text COLLATE "C" NOT NULL DEFAULT '',
    contact      text COLLATE "C" NOT NULL DEFAULT '',
    sector       text COLLATE "C" NOT NULL DEFAULT '',
    updated_at   text NOT NULL
);
