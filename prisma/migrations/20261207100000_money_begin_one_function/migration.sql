-- The first round trip of a fast money movement (money_begin, money_begin_loan) in one plpgsql
-- function each, without a function of its own called on the way, in five statements.
--
-- What changed:
--  1. api_key_live, money_claim, money_state and market_lock_shared (with market_lock_key) are
--     written out in the two functions instead of called: before, a deposit's begin went through
--     four to five plpgsql/SQL function layers (each call a function entry with its datums
--     copied, an SPI connection, an executor for the SQL ones, and a SELECT of its own to call
--     money_state's market_lock_shared). The statements are now
--       (1) the key check and the account (a repayment: the loan and its account) read, one
--           statement (they were two);
--       (2) the claim (INSERT … ON CONFLICT DO NOTHING; the stored response read on a replay);
--       (3) the account FOR UPDATE;
--       (4) the clock read, then pg_advisory_xact_lock_shared(hashtextextended('market ' ||
--           asset, 0)), market_lock_key's key written out, in one statement (they were two);
--       (5) the market with its lanes, the settings (a statement of their own before), the
--           position FOR UPDATE, the market's cash, has_loans (and a repayment's loan FOR UPDATE).
--     money_state, money_claim and api_key_live are dropped (nothing else called them);
--     market_lock_key stays for market_lock; market_lock_shared stays (test/integration/market-lock.test.ts takes it).
--  2. The answer's market.lanes is an array of lanes, each an array: its tier, then its six
--     numerics as text (movement-statements.ts's LaneRow and LANE_COLUMNS), instead of
--     json_object_agg of json_build_object: an Agg node and an object per lane cost more than an
--     ARRAY subquery of arrays (the numerics are the same decimal strings, exact).
--
-- Why (measured; the machine was shared and loaded, so every figure is noisy):
--  * pg_stat_statements (track = all) during `BENCH_PG_STATEMENTS=1 BENCH_MOVEMENTS=deposit
--    npm run bench -- throughput`: a deposit's begin is 1 top-level + 5 nested statements
--    instead of 1 + 8 (key check, account read, claim, account lock, clock, market_lock_shared's
--    SELECT, settings, the state). Back to back (new, then old), money_begin's own time per
--    deposit (top level, nested included) was 346 µs against 440 at 1 client and 936 against
--    1,196 at 8, while money_deposit's was 639 against 722 and 1,814 against 1,790.
--  * Backend CPU (/proc/<pid>/stat) of `BEGIN; SELECT money_begin(…); ROLLBACK` sent 4,000-5,000
--    times on one connection to a seeded copy of the database: 290-330 µs before, 272-278 µs
--    with 1. alone; later, interleaved under heavier load, 415-683 µs before, 385-565 with 1.,
--    383-475 with 1. and 2.
--  * `npm run bench -- throughput`, deposits, A/B back to back (load average 4-10 from other
--    runs on the machine): Postgres CPU per deposit at 1 client 2.9 and 1.2 ms before, 1.2 and
--    1.0 ms after; at 8 clients 4.0 and 2.5 ms before, 1.9 and 1.7 ms after (pgbench's own CPU
--    per transaction moved about as much between runs: read them as "not worse").
--  * Statement (5) alone in a plpgsql loop: 70-75 µs with the lanes as json_object_agg, 60 µs
--    as arrays; flattening the market and position into json_build_object of joined columns
--    was slower (77+ µs), so they stay to_json of their subqueries; returning the state as
--    columns (OUT parameters) instead of json was slower too (40 columns described, converted
--    and sent each time).
--
-- Why the outcomes are the same: the same checks in the same order, answering as before: a key
-- that is not live is NULL (401), checked before anything is claimed (statement (1) reads the
-- account in the same statement, which locks and claims nothing, so a dead key is NULL whether
-- or not the account exists); then not_found for a missing account (loan) or another user's;
-- then the claim, whose conflict answers the stored response to replay (its request hash,
-- status and body; a repayment's with the loan's asset), as money_claim did; then 'ready' with
-- the same fields and values (market.lanes in its new form, read back by the application into
-- the same MarketState). The same rows are read; the account is also read (unlocked) when the
-- key turns out dead, where it was not before, which changes nothing.
--
-- Why the locks are the same, in the same order: the key's claim (statement 2), the account
-- FOR UPDATE (3), the market's advisory lock shared with market_lock_key's key (4; its
-- conflicts with market_lock's exclusive one are tested in test/integration/market-lock.test.ts),
-- then the position FOR UPDATE and last a repayment's loan FOR UPDATE (5: json_build_object's
-- arguments are evaluated in order, 'loan' last, as before). Statement (5), which reads the market
-- and its lanes, starts after the advisory lock is ours, so under READ COMMITTED it sees what the
-- lock's last exclusive holder committed. The clock is still read in a statement that starts
-- after the account's lock (so two movements of one account see the clock in their lock order)
-- and before the market's lock is waited for (a target list is evaluated left to right: the
-- clock first, in realtime mode clock_timestamp() too); the settings are still read after the
-- market's lock (a settings change that also checks the markets' levels holds market_lock).
-- That is why they are not read in the account's statement, which would have saved a statement:
-- a statement's snapshot is taken before it waits for the row lock, and the target list of a
-- SELECT … FOR UPDATE is evaluated before the row is locked.

-- Their parts live in the two functions now; nothing else calls them.
DROP FUNCTION "money_state"(UUID, TEXT, TEXT, BOOLEAN, BIGINT, TEXT, UUID);
DROP FUNCTION "money_claim"(TEXT, TEXT, TEXT, TIMESTAMPTZ);
DROP FUNCTION "api_key_live"(UUID, UUID, TEXT);

-- As 20261206160000_money_state_json (with 20261206200000's lock), in five statements of its own.
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
    -- exclusive holder committed): the market with its lanes (each lane an array: its tier, then
    -- its numerics as text, see movement-statements.ts's LaneRow), the settings, the position
    -- locked, the market's cash, whether the account owes anything.
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
              ARRAY(SELECT ARRAY[l.tier, l.supply_index::text, l.borrow_index::text, l.total_supply_scaled::text, l.total_borrow_scaled::text,
                                 l.supply_scaled_ms::text, l.borrow_scaled_ms::text]
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

-- As 20261206160000_money_state_json (with 20261206200000's lock), in five statements of its
-- own, as money_begin: the loan's account and asset found first, its row locked last.
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
