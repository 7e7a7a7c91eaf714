-- 008_disclosures.sql - the latest 双公示 by decision date, newest first (see
-- sqlite/010_disclosures.sql).  On Citus the index is per shard; the portal's page reads
-- the newest rows of each shard and merges them, a bounded fan-out.
CREATE INDEX records_category_decided ON records(category, decision_date DESC, id DESC);
