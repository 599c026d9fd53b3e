-- The market named by each row of the markets' day history (market_days, market_lane_days) is
-- checked once per statement instead of once per row: the two foreign keys to markets(asset)
-- are replaced by statement-level triggers over each statement's new rows, and markets are
-- never deleted, truncated or renamed (the other half of a foreign key: a row's market cannot
-- go away after the row was checked).
--
-- Why: a day's close writes a market_days row per market and a market_lane_days row per lane
-- (6 markets, 4 tiers: 30 rows a day), and a quiet stretch writes a year of them in one
-- statement (clock/quiet-stretch.ts; MarketsRepository.saveClosedDays): 10,950 rows, each
-- checked by its foreign key as it was inserted, one RI query each (SELECT 1 FROM markets …
-- FOR KEY SHARE through SPI). Measured on a seeded world, 8,760 market_lane_days rows in one
-- INSERT … SELECT FROM unnest: 92–110 ms with the foreign key, 33–45 ms without; the check
-- below costs one anti-join of the statement's rows against the six markets. That is most of
-- what Postgres spent in a 365-day advance of a small world beyond the inserts themselves.
--
-- What stays the same:
--   - a row naming no market is refused, with the same SQLSTATE (23503, foreign_key_violation),
--     and the whole statement with it;
--   - a market that has history cannot be deleted: no market can (markets are the platform's
--     fixed set of listed assets, created at the first start by MarketsService.onModuleInit and
--     never removed; positions, loans, lanes and ledger accounts name them too). Before, the
--     foreign keys refused the delete of a market with history; now a trigger refuses any
--     delete, and TRUNCATE.
-- What changes: renaming a market's code (UPDATE markets SET asset) is refused instead of
-- cascading into its history (ON UPDATE CASCADE). Nothing renames a market, and history is
-- not rewritten. Since a market is never removed or renamed, a row checked when written stays
-- valid: no lock on the market is needed (the foreign key took FOR KEY SHARE).

ALTER TABLE "market_days" DROP CONSTRAINT "market_days_asset_fkey";
ALTER TABLE "market_lane_days" DROP CONSTRAINT "market_lane_days_asset_fkey";

CREATE FUNCTION "market_history_markets_known"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_unknown TEXT;
BEGIN
    SELECT n.asset INTO v_unknown FROM new_rows n
    WHERE NOT EXISTS (SELECT 1 FROM markets m WHERE m.asset = n.asset)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'insert or update on table "%" names no market: %', TG_TABLE_NAME, coalesce(v_unknown, 'NULL')
            USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME, COLUMN = 'asset';
    END IF;
    RETURN NULL;
END;
$$;

-- A transition table goes with one event per trigger: one trigger for INSERT, one for UPDATE.
CREATE TRIGGER "market_days_market_known_on_insert" AFTER INSERT ON "market_days"
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "market_history_markets_known"();
CREATE TRIGGER "market_days_market_known_on_update" AFTER UPDATE ON "market_days"
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "market_history_markets_known"();
CREATE TRIGGER "market_lane_days_market_known_on_insert" AFTER INSERT ON "market_lane_days"
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "market_history_markets_known"();
CREATE TRIGGER "market_lane_days_market_known_on_update" AFTER UPDATE ON "market_lane_days"
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "market_history_markets_known"();

CREATE FUNCTION "markets_kept"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'markets are never removed or renamed: % on markets refused', TG_OP
        USING ERRCODE = 'foreign_key_violation', TABLE = 'markets';
END;
$$;

CREATE TRIGGER "markets_never_deleted" BEFORE DELETE ON "markets"
    FOR EACH STATEMENT EXECUTE FUNCTION "markets_kept"();
CREATE TRIGGER "markets_never_truncated" BEFORE TRUNCATE ON "markets"
    FOR EACH STATEMENT EXECUTE FUNCTION "markets_kept"();
-- Statement-level, like the two above: an UPDATE that names the asset column is refused
-- whatever it sets (every close and movement updates markets; none of them names the column,
-- so this trigger never fires for them, and a row-level trigger would be looked at on each).
CREATE TRIGGER "markets_never_renamed" BEFORE UPDATE OF "asset" ON "markets"
    FOR EACH STATEMENT EXECUTE FUNCTION "markets_kept"();
