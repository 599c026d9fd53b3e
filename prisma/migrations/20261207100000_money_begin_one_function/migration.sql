-- money_begin and money_begin_loan as one plpgsql function each, with no function of their own
-- called on the way (api_key_live, money_claim, money_state, market_lock_shared and
-- market_lock_key were four to five nested plpgsql/SQL function layers per movement: each call
-- a function entry, its datums copied, an SPI connection, and for the SQL ones an executor of
-- their own). Five statements instead of about ten: (1) the key check and the account read,
-- (2) the claim, (3) the account FOR UPDATE, (4) the clock read and the market's advisory lock,
-- (5) the market, lanes, settings, position FOR UPDATE, cash and has_loans read. (Work in
-- progress: measurements in the next commit.)

CREATE OR REPLACE FUNCTION "money_begin"(
    p_scope TEXT, p_key TEXT, p_request_hash TEXT, p_key_at TIMESTAMPTZ,
    p_account UUID, p_user UUID, p_api_key UUID, p_key_hash TEXT, p_asset TEXT, p_cash_code TEXT, p_realtime BOOLEAN
) RETURNS JSON LANGUAGE plpgsql AS $$
DECLARE
    v_live BOOLEAN;
    v_owner UUID;
    v_kyc TEXT;
    v_key_id BIGINT;
    v_tier TEXT;
    v_now TIMESTAMPTZ;
    v_locked TEXT;
    v_answer JSON;
BEGIN
    -- 1. The caller's API key (still the one the guard saw, not revoked; an admin caller, no key,
    -- is not checked), the account and its owner's KYC status: read, nothing locked.
    SELECT p_api_key IS NULL OR EXISTS (SELECT 1 FROM "api_keys" WHERE id = p_api_key AND user_id = p_user AND key_hash = p_key_hash AND revoked_at IS NULL),
           a.user_id, u.kyc_status::text
    INTO v_live, v_owner, v_kyc
    FROM (SELECT) AS one LEFT JOIN ("accounts" a JOIN "users" u ON u.id = a.user_id) ON a.id = p_account;
    IF NOT v_live THEN
        RETURN NULL;
    END IF;
    IF v_owner IS NULL OR (p_user IS NOT NULL AND v_owner <> p_user) THEN
        RETURN json_build_object('outcome', 'not_found');
    END IF;
    -- 2. The Idempotency-Key claimed, first of all locks (a concurrent repeat waits here on the
    -- unique index until the first commits, then finds its response to replay).
    IF p_key IS NOT NULL THEN
        INSERT INTO "idempotency_keys" (scope, key, request_hash, created_at) VALUES (p_scope, p_key, p_request_hash, p_key_at)
        ON CONFLICT (scope, key) DO NOTHING RETURNING id INTO v_key_id;
        IF v_key_id IS NULL THEN
            SELECT json_build_object('outcome', 'replay', 'request_hash', k.request_hash, 'status_code', k.status_code, 'response', k.response)
            INTO v_answer
            FROM (SELECT) AS one LEFT JOIN "idempotency_keys" k ON k.scope = p_scope AND k.key = p_key;
            RETURN v_answer;
        END IF;
    END IF;
    -- 3. The account locked, its tier read.
    SELECT tier INTO v_tier FROM "accounts" WHERE id = p_account FOR UPDATE;
    -- 4. The clock read (simulated time, or the machine's when p_realtime), then the market's
    -- advisory lock taken shared (market_lock_shared's, its key market_lock_key's), in this order
    -- (a target list is evaluated left to right).
    SELECT CASE WHEN p_realtime THEN date_trunc('milliseconds', clock_timestamp()) ELSE (SELECT c.now FROM "clock_state" c WHERE c.id = 1) END,
           pg_advisory_xact_lock_shared(hashtextextended('market ' || p_asset, 0))::text
    INTO v_now, v_locked;
    -- 5. In a statement that starts once the market's lock is ours: the market and its lanes,
    -- the settings, the position locked, the market's cash, whether the account owes anything.
    SELECT json_build_object(
        'outcome', 'ready',
        'key_id', v_key_id,
        'kyc', v_kyc,
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
        'lending_period_days', s.lending_period_days,
        'top_up_resets_maturity', s.top_up_resets_maturity,
        'whole_position_withdrawals', s.whole_position_withdrawals,
        'position', (SELECT to_json(p) FROM (
            SELECT id, scaled::text AS scaled, principal::text AS principal,
                   to_char(matures_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS matures_at
            FROM "positions" WHERE account_id = p_account AND asset = p_asset FOR UPDATE) p),
        'cash', (SELECT balance::text FROM "ledger_accounts" WHERE code = p_cash_code AND asset = p_asset),
        'has_loans', EXISTS (SELECT 1 FROM "loans" WHERE account_id = p_account AND scaled_debt > 0),
        'loan', NULL)
    INTO v_answer
    FROM (SELECT) AS one LEFT JOIN "settings" s ON s.id = 1;
    RETURN v_answer;
END;
$$;

CREATE OR REPLACE FUNCTION "money_begin_loan"(
    p_scope TEXT, p_key TEXT, p_request_hash TEXT, p_key_at TIMESTAMPTZ,
    p_loan UUID, p_user UUID, p_api_key UUID, p_key_hash TEXT, p_cash_code TEXT, p_realtime BOOLEAN
) RETURNS JSON LANGUAGE plpgsql AS $$
DECLARE
    v_live BOOLEAN;
    v_account UUID;
    v_asset TEXT;
    v_owner UUID;
    v_key_id BIGINT;
    v_tier TEXT;
    v_now TIMESTAMPTZ;
    v_locked TEXT;
    v_answer JSON;
BEGIN
    SELECT p_api_key IS NULL OR EXISTS (SELECT 1 FROM "api_keys" WHERE id = p_api_key AND user_id = p_user AND key_hash = p_key_hash AND revoked_at IS NULL),
           l.account_id, l.asset, a.user_id
    INTO v_live, v_account, v_asset, v_owner
    FROM (SELECT) AS one LEFT JOIN ("loans" l JOIN "accounts" a ON a.id = l.account_id) ON l.id = p_loan;
    IF NOT v_live THEN
        RETURN NULL;
    END IF;
    IF v_owner IS NULL OR (p_user IS NOT NULL AND v_owner <> p_user) THEN
        RETURN json_build_object('outcome', 'not_found');
    END IF;
    IF p_key IS NOT NULL THEN
        INSERT INTO "idempotency_keys" (scope, key, request_hash, created_at) VALUES (p_scope, p_key, p_request_hash, p_key_at)
        ON CONFLICT (scope, key) DO NOTHING RETURNING id INTO v_key_id;
        IF v_key_id IS NULL THEN
            SELECT json_build_object('outcome', 'replay', 'request_hash', k.request_hash, 'status_code', k.status_code, 'response', k.response, 'asset', v_asset)
            INTO v_answer
            FROM (SELECT) AS one LEFT JOIN "idempotency_keys" k ON k.scope = p_scope AND k.key = p_key;
            RETURN v_answer;
        END IF;
    END IF;
    SELECT tier INTO v_tier FROM "accounts" WHERE id = v_account FOR UPDATE;
    SELECT CASE WHEN p_realtime THEN date_trunc('milliseconds', clock_timestamp()) ELSE (SELECT c.now FROM "clock_state" c WHERE c.id = 1) END,
           pg_advisory_xact_lock_shared(hashtextextended('market ' || v_asset, 0))::text
    INTO v_now, v_locked;
    SELECT json_build_object(
        'outcome', 'ready',
        'key_id', v_key_id,
        'kyc', NULL,
        'asset', v_asset,
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
            FROM "markets" WHERE asset = v_asset) m),
        'lending_period_days', s.lending_period_days,
        'top_up_resets_maturity', s.top_up_resets_maturity,
        'whole_position_withdrawals', s.whole_position_withdrawals,
        'position', (SELECT to_json(p) FROM (
            SELECT id, scaled::text AS scaled, principal::text AS principal,
                   to_char(matures_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS matures_at
            FROM "positions" WHERE account_id = v_account AND asset = v_asset FOR UPDATE) p),
        'cash', (SELECT balance::text FROM "ledger_accounts" WHERE code = p_cash_code AND asset = v_asset),
        'has_loans', EXISTS (SELECT 1 FROM "loans" WHERE account_id = v_account AND scaled_debt > 0),
        'loan', (SELECT to_json(r) FROM (
            SELECT id, account_id, asset, scaled_debt::text AS scaled_debt, principal::text AS principal
            FROM "loans" WHERE id = p_loan FOR UPDATE) r))
    INTO v_answer
    FROM (SELECT) AS one LEFT JOIN "settings" s ON s.id = 1;
    RETURN v_answer;
END;
$$;
