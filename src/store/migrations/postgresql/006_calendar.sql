-- 006_calendar.sql - the holiday calendar; the same table as
-- migrations/sqlite/008_calendar.sql, which says what it holds.  A small reference table
-- (docs/scaling.md): read whole at start, written once a year.
CREATE TABLE calendar_days (
    day         text COLLATE "C" PRIMARY KEY,
    kind        text COLLATE "C" NOT NULL CHECK (kind IN ('holiday', 'workday')),
    updated_at  text NOT NULL
);
