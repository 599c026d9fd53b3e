-- money_begin reads a withdrawal's cover (the market's cash, whether the account owes anything)
-- only when asked: its caller passes p_cash_code for a withdrawal and NULL for a deposit, which
-- uses neither. The two reads were subqueries of the statement every movement runs, and
-- Postgres starts every subquery's plan (its index scan) whether or not its value is used.
--
-- Why: measured with valgrind's cachegrind on a single-user backend replaying deposits captured
-- from the API over a copy of a seeded 256-account world (money_begin + money_deposit + COMMIT;
-- the difference of a 250- and a 750-deposit run, repeatable to 0.1 %): the two reads cost 72 k
-- of a deposit's 2,447 k instructions. A withdrawal reads the same rows in a statement of its
-- own, after the account's and the market's locks as before, now before its position's row lock
-- rather than in the same statement (one statement start more than before, about 15 k).
--
-- The signature is unchanged and enable_seqscan = off is restated (20261208100000); a caller that
-- passes p_cash_code gets what it got before.

-- As 20261209110000_money_begin_reads_its_lane, the cover read on request.
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
    v_cash TEXT;
    v_has_loans BOOLEAN;
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
    -- 5. A withdrawal's cover (p_cash_code given), in a statement after the market's lock: the
    -- market's cash and whether the account owes anything. A deposit reads neither (NULL).
    IF p_cash_code IS NOT NULL THEN
        SELECT (SELECT balance::text FROM "ledger_accounts" WHERE code = p_cash_code AND asset = p_asset),
               EXISTS (SELECT 1 FROM "loans" WHERE account_id = p_account AND scaled_debt > 0)
        INTO v_cash, v_has_loans;
    END IF;
    -- 6. In a statement that starts once the market's lock is ours (so it sees what its last
    -- exclusive holder committed): the account's lane of the market on the market's index day
    -- (its index day, the market's rates, the lane's indexes at 00:00, as text: see
    -- movement-statements.ts's laneOfBegun), the settings, the position locked (as text, see
    -- positionOfBegun).
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
        'cash', v_cash,
        'has_loans', v_has_loans,
        'loan', NULL)
    INTO v_answer
    FROM (SELECT) AS one LEFT JOIN "settings" s ON s.id = 1;
    RETURN v_answer;
END;
$$;
