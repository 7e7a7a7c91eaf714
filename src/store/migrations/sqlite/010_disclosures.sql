-- 010_disclosures.sql - the latest 双公示 (licences and penalties by decision date,
-- newest first) for the public portal's list and its monthly totals
-- (service/disclosures.c).  Without it each page would sort a category's every record.
-- It costs every ingested row one more index entry: docs/scaling.md weighs that.
CREATE INDEX records_category_decided ON records(category, decision_date DESC, id DESC);
