-- The fast money path (money_begin → money_state) takes its market's row FOR KEY SHARE instead
-- of FOR UPDATE, so that the deposits, withdrawals and repayments of one market no longer run
-- one at a time from money_begin to their COMMIT (a round trip to the API and back in between):
-- at 8 clients deposits were no faster than at 1.
--
-- Why the results stay the same: a fast movement reads from the market only what changes under
-- a FOR UPDATE lock (its day, indexes and rates: the day's close, AccrualService and
-- MarketsRepository.lock, liquidations and settings all lock the row FOR UPDATE first), and
-- FOR KEY SHARE conflicts with FOR UPDATE, so none of that changes while a movement is in
-- flight, and those writers wait for every movement in flight to commit (their reads of the
-- totals are then complete). What a movement writes to the market is added, not computed
-- from what it read: market_move_totals adds to the sums (UPDATE … SET x = x + delta, a
-- NO KEY UPDATE lock, which KEY SHARE holders do not block), so concurrent movements serialize
-- only on that update, at the end of their last message, until their COMMIT in the same
-- message. Lock order (key, account, market, position), then the writes in one order in
-- every movement: the market's sums (market_move_totals: the market row, then its lane), then
-- the ledger accounts (ledger_post). money_withdraw posted first and moved the sums after: with
-- movements of one market now concurrent, a withdrawal holding the market's cash account and
-- waiting for the market row, beside a deposit holding the row and waiting for the cash
-- account, would deadlock; it is redefined below with the sums first, as money_deposit and
-- money_repay do. What it writes is the same (an overdraft still refuses the whole movement).

-- As 20261202100100_platform_rules_money_functions, but for the market's lock.
CREATE OR REPLACE FUNCTION "money_state"(p_account UUID, p_asset TEXT, p_cash_code TEXT, p_realtime BOOLEAN)
RETURNS JSONB LANGUAGE plpgsql AS $$
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
    -- KEY SHARE, not UPDATE: the fast movements of one market no longer wait for each other
    -- here (see above); whatever changes what they read takes FOR UPDATE and waits for them.
    PERFORM 1 FROM "markets" WHERE asset = p_asset FOR KEY SHARE;
    SELECT lending_period_days, top_up_resets_maturity, whole_position_withdrawals INTO v_settings FROM "settings" WHERE id = 1;
    RETURN jsonb_build_object(
        'outcome', 'ready',
        'tier', v_tier,
        'now', to_char(v_now AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'market', (SELECT to_jsonb(m) FROM (
            SELECT asset, decimals, base_rate::text, optimal_utilization::text, slope1::text, slope2::text,
              reserve_factor::text, max_ltv::text, margin_call_ltv::text, liquidation_ltv::text, to_char(index_day, 'YYYY-MM-DD') AS index_day,
              day_utilization::text, supply_apr::text, borrow_apr::text, supply_principal::text, borrow_principal::text,
              (SELECT jsonb_object_agg(l.tier, jsonb_build_object('supply_index', l.supply_index::text, 'borrow_index', l.borrow_index::text,
                        'total_supply_scaled', l.total_supply_scaled::text, 'total_borrow_scaled', l.total_borrow_scaled::text,
                        'supply_scaled_ms', l.supply_scaled_ms::text, 'borrow_scaled_ms', l.borrow_scaled_ms::text))
               FROM "market_lanes" l WHERE l.asset = markets.asset) AS lanes
            FROM "markets" WHERE asset = p_asset) m),
        'lending_period_days', v_settings.lending_period_days,
        'top_up_resets_maturity', v_settings.top_up_resets_maturity,
        'whole_position_withdrawals', v_settings.whole_position_withdrawals,
        'position', (SELECT to_jsonb(p) FROM (
            SELECT id, scaled::text AS scaled, principal::text AS principal,
                   to_char(matures_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS matures_at
            FROM "positions" WHERE account_id = p_account AND asset = p_asset FOR UPDATE) p),
        'cash', (SELECT balance::text FROM "ledger_accounts" WHERE code = p_cash_code AND asset = p_asset),
        'has_loans', EXISTS (SELECT 1 FROM "loans" WHERE account_id = p_account AND scaled_debt > 0)
    );
END;
$$;

-- As 20261202100100_platform_rules_money_functions, the market's sums moved before the posting.
CREATE OR REPLACE FUNCTION "money_withdraw"(
    p_account UUID, p_position UUID, p_asset TEXT, p_tier TEXT, p_now TIMESTAMPTZ, p_ms_into_day BIGINT,
    p_scaled NUMERIC, p_principal NUMERIC,
    p_description TEXT, p_metadata JSONB, p_codes TEXT[], p_assets TEXT[], p_kinds TEXT[], p_owners UUID[],
    p_sides normal_side[], p_no_overdraft BOOLEAN[], p_amounts NUMERIC[],
    p_key_id BIGINT, p_status_code INT, p_response TEXT
) RETURNS JSONB LANGUAGE plpgsql AS $$
DECLARE
    v_row RECORD;
BEGIN
    UPDATE "positions" SET scaled = scaled - p_scaled, principal = principal - p_principal, updated_at = p_now
    WHERE id = p_position RETURNING scaled, principal INTO v_row;
    INSERT INTO "position_changes" (position_id, at, kind, scaled_after, tier) VALUES (p_position, p_now, 'withdrawal', v_row.scaled, p_tier);
    PERFORM "market_move_totals"(p_asset, p_tier, p_ms_into_day, -p_scaled, -p_principal, 0, 0);
    PERFORM "ledger_post"('withdrawal', p_description, p_account, p_now, p_metadata,
                          p_codes, p_assets, p_kinds, p_owners, p_sides, p_no_overdraft, p_amounts);
    IF p_key_id IS NOT NULL THEN
        PERFORM "idempotency_store"(p_key_id, p_status_code, p_response);
    END IF;
    RETURN jsonb_build_object('scaled', v_row.scaled::text, 'principal', v_row.principal::text);
END;
$$;
