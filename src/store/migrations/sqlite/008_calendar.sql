-- 008_calendar.sql - the holiday calendar (core/workday.h, data/calendar/README.md): one
-- row per special day of each year the platform knows, `holiday` (a statutory day off)
-- or `workday` (a weekend day worked, 调休上班).  A year is known when it has rows;
-- `xinyong calendar import` replaces a year's rows whole, in one transaction.  Every
-- working-day deadline is counted from this table (service/calendar.c).
CREATE TABLE calendar_days (
    day         TEXT PRIMARY KEY,   -- YYYY-MM-DD
    kind        TEXT NOT NULL CHECK (kind IN ('holiday', 'workday')),
    updated_at  TEXT NOT NULL
);
