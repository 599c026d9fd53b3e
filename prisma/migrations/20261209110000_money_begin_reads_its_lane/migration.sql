-- money_begin reads, of the market, what a deposit or a withdrawal uses: the account's lane on
-- the market's index day (that day, the market's supply and borrow rates, the lane's supply and
-- borrow indexes at 00:00), as one array of text, instead of the whole market (every rate-model
-- and risk parameter, the day's utilisation, the principal totals, and all four lanes with their
-- scaled totals), as JSON. The movement prices its own lane at the instant from these
-- (markets/market-state.ts laneOfDayAt, the same arithmetic as liveAt's lanes); nothing else
-- of the market entered a deposit or a withdrawal. money_begin_loan still reads the whole market
-- (a repayment answers the loan at the market's rates, which take every lane).
--
-- Why: building the market's JSON was the dearest part of a deposit's reads. Measured as
-- 20261209100000 measures (cachegrind, 200 deposits over a copy of a seeded 303-account world,
-- money_begin + money_deposit + COMMIT): 2,938,590 instructions per deposit reading the whole
-- market, 2,668,931 reading the lane (-9.2 %); 2,528,147 reading no market at all, so reading
-- the two rows (the market's and the lane's, both rewritten by every movement) is most of what
-- is left. to_json of the market row categorised and converted each of its sixteen columns, and
-- the four lanes' twenty-eight numerics went through an array of arrays into JSON.
--
-- The position comes back the same way, as an array of text (id, scaled, principal, matures
-- at) instead of an object: to_json of a row looks each column's type up on every call
-- (2,549,863 -> 2,519,444 instructions per deposit, with 20261209120000). money_begin_loan's
-- position is read the same way (one reader in the application: positionOfBegun); the rest of
-- money_begin_loan is as it was.
--
-- The same statement, after the same locks, reads the same rows: what it returns is a subset of
-- what it returned. The signatures are unchanged; enable_seqscan = off is restated
-- (20261208100000; test/integration/money-plans.test.ts checks it).

-- As 20261207100000_money_begin_one_function, reading the lane.
CREATE OR REPLACE FUNCTION "money_begin"(
    p_scope TEXT, p_key TEXT, p_request_hash TEXT, p_key_at TIMESTAMPTZ,
    p_account UUID, p_user UUID, p_api_key UUID, p_key_hash TEXT, p_asset TEXT, p_cash_code TEXT, p_realtime BOOLEAN
) RETURNS JSON LANGUAGE plpgsql SET enable_seqscan = off AS $$
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
    -- 1. The caller's API key (still the one the guard saw, and not revoked; an admin caller, no
    -- key, is not checked) and the account with its owner's KYC status: read, nothing locked.
    -- One row whether or not the account exists, so a dead key is NULL (401) either way.
    SELECT p_api_key IS NULL OR EXISTS (SELECT 1 FROM "api_keys" k WHERE k.id = p_api_key AND k.user_id = p_user AND k.key_hash = p_key_hash AND k.revoked_at IS NULL),
           a.user_id, u.kyc_status::text
    INTO v_live, v_owner, v_kyc
    FROM (SELECT) AS one LEFT JOIN ("accounts" a JOIN "users" u ON u.id = a.user_id) ON a.id = p_account;
    IF NOT v_live THEN
        RETURN NULL;
    END IF;
    IF v_owner IS NULL OR (p_user IS NOT NULL AND v_owner <> p_user) THEN
        RETURN json_build_object('outcome', 'not_found');
    END IF;
    -- 2. The Idempotency-Key claimed, before any lock (a concurrent repeat waits here on the
    -- unique index until the first commits, then finds its response): replayed when stored.
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
    SELECT a.tier INTO v_tier FROM "accounts" a WHERE a.id = p_account FOR UPDATE;
    -- 4. In a statement after the account's lock: the clock read (simulated time, or the
    -- machine's when p_realtime), then the market's advisory lock taken shared, with
    -- market_lock_key's key (market_lock_shared's call, written out): a target list is evaluated
    -- left to right, so the clock is read before the lock is waited for, as it was.
    SELECT CASE WHEN p_realtime THEN date_trunc('milliseconds', clock_timestamp()) ELSE (SELECT c.now FROM "clock_state" c WHERE c.id = 1) END,
           pg_advisory_xact_lock_shared(hashtextextended('market ' || p_asset, 0))::text
    INTO v_now, v_locked;
    -- 5. In a statement that starts once the market's lock is ours (so it sees what its last
    -- exclusive holder committed): the account's lane of the market on the market's index day
    -- (its index day, the market's rates, the lane's indexes at 00:00, as text: see
    -- movement-statements.ts's laneOfBegun), the settings, the position locked (as text, see
    -- positionOfBegun), the market's cash, whether the account owes anything.
    SELECT json_build_object(
        'outcome', 'ready',
        'key_id', v_key_id,
        'kyc', v_kyc,
        'asset', p_asset,
        'tier', v_tier,
        'now', to_char(v_now AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'lane', (SELECT ARRAY[to_char(m.index_day, 'YYYY-MM-DD'), m.supply_apr::text, m.borrow_apr::text, l.supply_index::text, l.borrow_index::text]
                 FROM "markets" m JOIN "market_lanes" l ON l.asset = m.asset AND l.tier = v_tier WHERE m.asset = p_asset),
        'lending_period_days', s.lending_period_days,
        'top_up_resets_maturity', s.top_up_resets_maturity,
        'whole_position_withdrawals', s.whole_position_withdrawals,
        'position', (SELECT ARRAY[id::text, scaled::text, principal::text, to_char(matures_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')]
            FROM "positions" WHERE account_id = p_account AND asset = p_asset FOR UPDATE),
        'cash', (SELECT balance::text FROM "ledger_accounts" WHERE code = p_cash_code AND asset = p_asset),
        'has_loans', EXISTS (SELECT 1 FROM "loans" WHERE account_id = p_account AND scaled_debt > 0),
        'loan', NULL)
    INTO v_answer
    FROM (SELECT) AS one LEFT JOIN "settings" s ON s.id = 1;
    RETURN v_answer;
END;
$$;

-- As 20261207100000_money_begin_one_function, the position read as money_begin reads it.
CREATE OR REPLACE FUNCTION "money_begin_loan"(
    p_scope TEXT, p_key TEXT, p_request_hash TEXT, p_key_at TIMESTAMPTZ,
    p_loan UUID, p_user UUID, p_api_key UUID, p_key_hash TEXT, p_cash_code TEXT, p_realtime BOOLEAN
) RETURNS JSON LANGUAGE plpgsql SET enable_seqscan = off AS $$
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
    -- 1. The key checked; the loan, its account and the account's owner read.
    SELECT p_api_key IS NULL OR EXISTS (SELECT 1 FROM "api_keys" k WHERE k.id = p_api_key AND k.user_id = p_user AND k.key_hash = p_key_hash AND k.revoked_at IS NULL),
           l.account_id, l.asset, a.user_id
    INTO v_live, v_account, v_asset, v_owner
    FROM (SELECT) AS one LEFT JOIN ("loans" l JOIN "accounts" a ON a.id = l.account_id) ON l.id = p_loan;
    IF NOT v_live THEN
        RETURN NULL;
    END IF;
    IF v_owner IS NULL OR (p_user IS NOT NULL AND v_owner <> p_user) THEN
        RETURN json_build_object('outcome', 'not_found');
    END IF;
    -- 2. The claim; a replay names the loan's asset (the caller validates it first).
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
    -- 3. The account locked.
    SELECT a.tier INTO v_tier FROM "accounts" a WHERE a.id = v_account FOR UPDATE;
    -- 4. The clock, then the market's lock shared.
    SELECT CASE WHEN p_realtime THEN date_trunc('milliseconds', clock_timestamp()) ELSE (SELECT c.now FROM "clock_state" c WHERE c.id = 1) END,
           pg_advisory_xact_lock_shared(hashtextextended('market ' || v_asset, 0))::text
    INTO v_now, v_locked;
    -- 5. As money_begin's, with the loan locked last: 'loan' is json_build_object's last
    -- argument, and its arguments are evaluated in order (the position's lock before it).
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
              ARRAY(SELECT ARRAY[l.tier, l.supply_index::text, l.borrow_index::text, l.total_supply_scaled::text, l.total_borrow_scaled::text,
                                 l.supply_scaled_ms::text, l.borrow_scaled_ms::text]
                    FROM "market_lanes" l WHERE l.asset = markets.asset) AS lanes
            FROM "markets" WHERE asset = v_asset) m),
        'lending_period_days', s.lending_period_days,
        'top_up_resets_maturity', s.top_up_resets_maturity,
        'whole_position_withdrawals', s.whole_position_withdrawals,
        'position', (SELECT ARRAY[id::text, scaled::text, principal::text, to_char(matures_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')]
            FROM "positions" WHERE account_id = v_account AND asset = v_asset FOR UPDATE),
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
