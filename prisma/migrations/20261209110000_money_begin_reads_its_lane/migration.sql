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
-- The same statement, after the same locks, reads the same rows: what it returns is a subset of
-- what it returned. The signature is unchanged; enable_seqscan = off is restated
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
    -- movement-statements.ts's laneOfBegun), the settings, the position locked, the market's
    -- cash, whether the account owes anything.
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
