-- 011_depts.sql - the department directory (部门目录; core/dept.h, service/depts.h): one
-- row per department the platform can name, keyed by its unified social credit code.
-- Records, tokens and users carry a department's code whether or not it is listed here;
-- the directory only gives the code a name (and a sector, 行业领域, from which publicity
-- periods may be chosen).  Written by `xinyong dept add|import` and `demo`, read whole by
-- each view that names departments (a few hundred rows).
CREATE TABLE depts (
    code         TEXT PRIMARY KEY,   -- normalized USCC
    name         TEXT NOT NULL,
    short_name   TEXT NOT NULL DEFAULT '',
    region_code  TEXT NOT NULL DEFAULT '',  -- six-digit division, '' when not given
    parent_code  TEXT NOT NULL DEFAULT '',  -- the parent department's code, '' when none
    contact      TEXT NOT NULL DEFAULT '',
    sector       TEXT NOT NULL DEFAULT '',  -- 行业领域: 食品, 药品, 安全生产 ...
    updated_at   TEXT NOT NULL
);
