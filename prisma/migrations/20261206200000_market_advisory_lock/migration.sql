-- The movements' shared lock on their market is a transaction-level advisory lock, taken
-- shared, instead of the markets row FOR KEY SHARE (20261203300200_market_key_share); whatever
-- took the row FOR UPDATE to exclude them (the day's close and AccrualService through
-- MarketsRepository.lock, liquidations, market parameters, settings' level check) now takes the
-- same advisory lock exclusive first, then the row FOR UPDATE as before: market_lock below.
--
-- Why (measured with `npm run bench -- throughput`, BENCH_PERF on the backends, deposits at 8
-- clients, see the commit): with several movements of one market in flight, each FOR KEY SHARE
-- of the markets row is a tuple lock written into the row (its xmax, a WAL record, a dirtied
-- page) and, as soon as a second movement holds it too, a new MultiXact holding every live
-- locker (GetMultiXactIdMembers reads the old one, MultiXactIdCreate writes the new, and every
-- reader of the row's xmax resolves it again); the UPDATE of the same row in market_move_totals
-- then makes another MultiXact (the lockers plus the updater). An advisory lock lives in the
-- lock manager's shared memory only: no tuple, no page, no WAL, no MultiXact.
--
-- Why the results stay the same: the advisory lock has the conflicts the row locks had.
-- Shared holders do not wait for each other (as FOR KEY SHARE holders did not); exclusive
-- conflicts with shared (as FOR UPDATE with FOR KEY SHARE), so a writer that changes what a
-- movement reads from its market (day, indexes, rates, parameters) waits for every movement in
-- flight to commit, and a movement arriving meanwhile waits for the writer to commit; it reads
-- the market in a statement after the lock is its own, so it sees the writer's commit. Every
-- path that took the markets row FOR UPDATE now goes through market_lock, which takes the
-- advisory locks first, in asset order, then the rows in the same order, so the lock order is
-- the one it was (the advisory lock stands where the row lock stood; the row lock follows at
-- once): key, account, market, position, then the market's sums and the ledger accounts. No
-- path takes the row FOR UPDATE without the advisory lock before it (a writer holding the row
-- but not the advisory lock could otherwise meet a movement at market_move_totals's UPDATE).
--
-- The key: 64 bits of hashtextextended over the asset's code in a namespace of its own
-- ('market ' || asset), the single-bigint form of the advisory lock. Two markets (or a market
-- and the clock's or the migrator's key) sharing a key would only make them wait for each
-- other, at a chance of about 2^-64 per pair.

CREATE FUNCTION "market_lock_key"(p_asset TEXT) RETURNS BIGINT LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT hashtextextended('market ' || p_asset, 0);
$$;

-- A movement's lock on its market (money_state): shared with every other movement, exclusive
-- of market_lock's holders.
CREATE FUNCTION "market_lock_shared"(p_asset TEXT) RETURNS VOID LANGUAGE sql AS $$
    SELECT pg_advisory_xact_lock_shared("market_lock_key"(p_asset));
$$;

-- A writer's lock on markets (MarketsRepository.lock and lockAll, liquidations, settings):
-- each market's advisory lock exclusive, in asset order, then their rows FOR UPDATE in the same
-- order (ORDER BY runs below the row locks, so rows are locked as sorted). Returns the markets
-- that exist, in order, with their day as it is once the locks are ours (read in a statement
-- that starts after the advisory locks, and FOR UPDATE returns the row's last version): the
-- caller's own statement began before the locks, so what it joins to markets may be older. A
-- read after it (another statement) sees every movement's sums.
CREATE FUNCTION "market_lock"(p_assets TEXT[]) RETURNS TABLE (asset TEXT, index_day TEXT) LANGUAGE plpgsql AS $$
DECLARE
    v_asset TEXT;
BEGIN
    FOR v_asset IN SELECT DISTINCT w.a FROM unnest(p_assets) AS w(a) ORDER BY w.a LOOP
        PERFORM pg_advisory_xact_lock("market_lock_key"(v_asset));
    END LOOP;
    RETURN QUERY SELECT m.asset::text, to_char(m.index_day, 'YYYY-MM-DD') FROM "markets" m
        WHERE m.asset = ANY(p_assets) ORDER BY m.asset FOR UPDATE;
END;
$$;

-- As 20261206160000_money_state_json, the market's lock shared and advisory (see above).
CREATE OR REPLACE FUNCTION "money_state"(p_account UUID, p_asset TEXT, p_cash_code TEXT, p_realtime BOOLEAN,
                              p_key_id BIGINT, p_kyc TEXT, p_loan UUID)
RETURNS JSON LANGUAGE plpgsql AS $$
DECLARE
    v_tier TEXT;
    v_now TIMESTAMPTZ;
    v_settings RECORD;
BEGIN
    SELECT tier INTO v_tier FROM "accounts" WHERE id = p_account FOR UPDATE;
    IF p_realtime THEN
        v_now := date_trunc('milliseconds', clock_timestamp());
    ELSE
        SELECT now INTO v_now FROM "clock_state" WHERE id = 1;
    END IF;
    -- Shared: the movements of one market do not wait for each other here; whatever changes
    -- what they read takes it exclusive (market_lock) and waits for them.
    PERFORM "market_lock_shared"(p_asset);
    SELECT lending_period_days, top_up_resets_maturity, whole_position_withdrawals INTO v_settings FROM "settings" WHERE id = 1;
    RETURN json_build_object(
        'outcome', 'ready',
        'key_id', p_key_id,
        'kyc', p_kyc,
        'asset', p_asset,
        'tier', v_tier,
        'now', to_char(v_now AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'market', (SELECT to_json(m) FROM (
            SELECT asset, decimals, base_rate::text, optimal_utilization::text, slope1::text, slope2::text,
              reserve_factor::text, max_ltv::text, margin_call_ltv::text, liquidation_ltv::text, to_char(index_day, 'YYYY-MM-DD') AS index_day,
              day_utilization::text, supply_apr::text, borrow_apr::text, supply_principal::text, borrow_principal::text,
              (SELECT json_object_agg(l.tier, json_build_object('supply_index', l.supply_index::text, 'borrow_index', l.borrow_index::text,
                        'total_supply_scaled', l.total_supply_scaled::text, 'total_borrow_scaled', l.total_borrow_scaled::text,
                        'supply_scaled_ms', l.supply_scaled_ms::text, 'borrow_scaled_ms', l.borrow_scaled_ms::text))
               FROM "market_lanes" l WHERE l.asset = markets.asset) AS lanes
            FROM "markets" WHERE asset = p_asset) m),
        'lending_period_days', v_settings.lending_period_days,
        'top_up_resets_maturity', v_settings.top_up_resets_maturity,
        'whole_position_withdrawals', v_settings.whole_position_withdrawals,
        'position', (SELECT to_json(p) FROM (
            SELECT id, scaled::text AS scaled, principal::text AS principal,
                   to_char(matures_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS matures_at
            FROM "positions" WHERE account_id = p_account AND asset = p_asset FOR UPDATE) p),
        'cash', (SELECT balance::text FROM "ledger_accounts" WHERE code = p_cash_code AND asset = p_asset),
        'has_loans', EXISTS (SELECT 1 FROM "loans" WHERE account_id = p_account AND scaled_debt > 0),
        -- A repayment's loan, locked last (no row when p_loan is NULL).
        'loan', (SELECT to_json(r) FROM (
            SELECT id, account_id, asset, scaled_debt::text AS scaled_debt, principal::text AS principal
            FROM "loans" WHERE id = p_loan FOR UPDATE) r)
    );
END;
$$;
