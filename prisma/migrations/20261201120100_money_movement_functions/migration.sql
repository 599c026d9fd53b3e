-- Deposits, withdrawals and repayments in two round trips (src/deposits/deposit-statements.ts
-- and src/loans/repayment-statements.ts call these through the pg driver): money_begin claims the idempotency key, takes the locks and reads
-- what the movement needs; the application computes with decimal.js exactly as the slower
-- path does; money_deposit / money_withdraw write everything in one call. Each replaces about
-- twenty statements through Prisma's per-statement interpreter.
--
-- The invariants, as everywhere else:
--  * locks in one order: idempotency key, account, market, position row, then ledger accounts
--    (the customer's, then the platform's, each in id order), so no movement deadlocks another;
--  * a posting balances per asset (the statement-level trigger on ledger_entries checks it
--    as the entries' one INSERT ends) and moves the cached balances in the same transaction;
--  * a no-overdraft account refuses the wrong side (CHECK ledger_accounts_no_overdraft);
--  * nothing in the ledger is updated or deleted (the foundation's triggers).

-- One balanced posting, written as LedgerService.postMany writes one: accounts created when new,
-- the transaction, its entries in one statement, then the balances moved under locks taken in
-- id order, the customers' accounts before the platform's.
CREATE FUNCTION "ledger_post"(
    p_type TEXT, p_description TEXT, p_account_id UUID, p_at TIMESTAMPTZ, p_metadata JSONB,
    p_codes TEXT[], p_assets TEXT[], p_kinds TEXT[], p_owners UUID[], p_sides normal_side[],
    p_no_overdraft BOOLEAN[], p_amounts NUMERIC[]
) RETURNS BIGINT LANGUAGE plpgsql AS $$
DECLARE
    v_transaction BIGINT;
BEGIN
    IF cardinality(p_codes) < 2 THEN
        RAISE EXCEPTION 'a posting needs at least two entries' USING ERRCODE = 'check_violation';
    END IF;
    -- New accounts in the order the entries name them (as LedgerService creates them).
    INSERT INTO "ledger_accounts" (code, asset, kind, account_id, normal_side, no_overdraft, created_at)
    SELECT w.code, w.asset, w.kind, w.owner, w.side, w.no_overdraft, p_at
    FROM (
        SELECT DISTINCT ON (u.code, u.asset) u.*
        FROM unnest(p_codes, p_assets, p_kinds, p_owners, p_sides, p_no_overdraft) WITH ORDINALITY
             AS u(code, asset, kind, owner, side, no_overdraft, n)
        ORDER BY u.code, u.asset, u.n
    ) w
    WHERE NOT EXISTS (SELECT 1 FROM "ledger_accounts" la WHERE la.code = w.code AND la.asset = w.asset)
    ORDER BY w.n
    ON CONFLICT (code, asset) DO NOTHING;

    INSERT INTO "ledger_transactions" (type, description, account_id, at, metadata)
    VALUES (p_type, p_description, p_account_id, p_at, p_metadata)
    RETURNING id INTO v_transaction;
    INSERT INTO "ledger_entries" (transaction_id, ledger_account_id, asset, amount)
    SELECT v_transaction, la.id, w.asset, w.amount
    FROM unnest(p_codes, p_assets, p_amounts) WITH ORDINALITY AS w(code, asset, amount, n)
    JOIN "ledger_accounts" la ON la.code = w.code AND la.asset = w.asset
    ORDER BY w.n;

    PERFORM "ledger_move_balances"(p_codes, p_assets, p_amounts, TRUE);
    PERFORM "ledger_move_balances"(p_codes, p_assets, p_amounts, FALSE);
    RETURN v_transaction;
END;
$$;

-- The cached balances of the customers' (or the platform's) accounts a posting touches, locked
-- in id order first (NO KEY UPDATE: it does not wait on the key-share locks the entries' foreign
-- keys hold), then moved; the CHECK refuses an overdraft.
CREATE FUNCTION "ledger_move_balances"(p_codes TEXT[], p_assets TEXT[], p_amounts NUMERIC[], p_customers BOOLEAN)
RETURNS VOID LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM "ledger_accounts" la
    JOIN (SELECT DISTINCT code, asset FROM unnest(p_codes, p_assets) AS w(code, asset)) w ON la.code = w.code AND la.asset = w.asset
    WHERE (la.account_id IS NOT NULL) = p_customers
    ORDER BY la.id
    FOR NO KEY UPDATE OF la;
    UPDATE "ledger_accounts" la SET balance = la.balance + d.delta
    FROM (SELECT code, asset, sum(amount) AS delta FROM unnest(p_codes, p_assets, p_amounts) AS w(code, asset, amount) GROUP BY code, asset) d
    WHERE la.code = d.code AND la.asset = d.asset AND (la.account_id IS NOT NULL) = p_customers AND d.delta <> 0;
END;
$$;

-- A movement's change to its market's sums (MarketsRepository.addToTotals for one move): the
-- principal sums, and the lane's scaled sums with their weight by the time of day.
CREATE FUNCTION "market_move_totals"(
    p_asset TEXT, p_tier TEXT, p_ms_into_day BIGINT,
    p_supply_scaled NUMERIC, p_supply_principal NUMERIC, p_borrow_scaled NUMERIC, p_borrow_principal NUMERIC
) RETURNS VOID LANGUAGE plpgsql AS $$
BEGIN
    IF p_supply_principal <> 0 OR p_borrow_principal <> 0 THEN
        UPDATE "markets" SET supply_principal = supply_principal + p_supply_principal, borrow_principal = borrow_principal + p_borrow_principal
        WHERE asset = p_asset;
    END IF;
    IF p_supply_scaled <> 0 OR p_borrow_scaled <> 0 THEN
        UPDATE "market_lanes" SET total_supply_scaled = total_supply_scaled + p_supply_scaled,
            total_borrow_scaled = total_borrow_scaled + p_borrow_scaled,
            supply_scaled_ms = supply_scaled_ms + p_supply_scaled * p_ms_into_day,
            borrow_scaled_ms = borrow_scaled_ms + p_borrow_scaled * p_ms_into_day
        WHERE asset = p_asset AND tier = p_tier;
    END IF;
END;
$$;

-- The Idempotency-Key claimed, first of all (a concurrent repeat waits here on the unique index
-- until the first commits, then finds its response): '{"key_id": n}' (null without a key), or
-- the stored response to replay.
CREATE FUNCTION "money_claim"(p_scope TEXT, p_key TEXT, p_request_hash TEXT, p_key_at TIMESTAMPTZ)
RETURNS JSONB LANGUAGE plpgsql AS $$
DECLARE
    v_key_id BIGINT;
    v_stored RECORD;
BEGIN
    IF p_key IS NULL THEN
        RETURN jsonb_build_object('key_id', NULL);
    END IF;
    INSERT INTO "idempotency_keys" (scope, key, request_hash, created_at) VALUES (p_scope, p_key, p_request_hash, p_key_at)
    ON CONFLICT (scope, key) DO NOTHING RETURNING id INTO v_key_id;
    IF v_key_id IS NOT NULL THEN
        RETURN jsonb_build_object('key_id', v_key_id);
    END IF;
    SELECT request_hash, status_code, response INTO v_stored FROM "idempotency_keys" WHERE scope = p_scope AND key = p_key;
    RETURN jsonb_build_object('outcome', 'replay', 'request_hash', v_stored.request_hash,
                              'status_code', v_stored.status_code, 'response', v_stored.response);
END;
$$;

-- After the claim: the account's lock and tier, the clock read after it (simulated time, or the
-- machine's when p_realtime), the market locked and then read (a read that starts once the lock
-- is ours sees every lane as its last holder left it; the columns are MarketsRepository's
-- COLUMNS), the settings, the position row locked, the market's cash and whether the account
-- owes anything.
CREATE FUNCTION "money_state"(p_account UUID, p_asset TEXT, p_cash_code TEXT, p_realtime BOOLEAN)
RETURNS JSONB LANGUAGE plpgsql AS $$
DECLARE
    v_tier TEXT;
    v_now TIMESTAMPTZ;
BEGIN
    SELECT tier INTO v_tier FROM "accounts" WHERE id = p_account FOR UPDATE;
    IF p_realtime THEN
        v_now := date_trunc('milliseconds', clock_timestamp());
    ELSE
        SELECT now INTO v_now FROM "clock_state" WHERE id = 1;
    END IF;
    PERFORM 1 FROM "markets" WHERE asset = p_asset FOR UPDATE;
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
        'lending_period_days', (SELECT lending_period_days FROM "settings" WHERE id = 1),
        'position', (SELECT to_jsonb(p) FROM (
            SELECT id, scaled::text AS scaled, principal::text AS principal,
                   to_char(matures_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS matures_at
            FROM "positions" WHERE account_id = p_account AND asset = p_asset FOR UPDATE) p),
        'cash', (SELECT balance::text FROM "ledger_accounts" WHERE code = p_cash_code AND asset = p_asset),
        'has_loans', EXISTS (SELECT 1 FROM "loans" WHERE account_id = p_account AND scaled_debt > 0)
    );
END;
$$;

-- Round trip 1 of a movement of an account's position: the account as the caller may see it
-- (another user's answers 'not_found', as one that does not exist, and claims nothing), then
-- money_claim, then money_state.
CREATE FUNCTION "money_begin"(
    p_scope TEXT, p_key TEXT, p_request_hash TEXT, p_key_at TIMESTAMPTZ,
    p_account UUID, p_user UUID, p_asset TEXT, p_cash_code TEXT, p_realtime BOOLEAN
) RETURNS JSONB LANGUAGE plpgsql AS $$
DECLARE
    v_owner UUID;
    v_kyc TEXT;
    v_claim JSONB;
BEGIN
    SELECT a.user_id, u.kyc_status::text INTO v_owner, v_kyc FROM "accounts" a JOIN "users" u ON u.id = a.user_id WHERE a.id = p_account;
    IF NOT FOUND OR (p_user IS NOT NULL AND v_owner <> p_user) THEN
        RETURN jsonb_build_object('outcome', 'not_found');
    END IF;
    v_claim := "money_claim"(p_scope, p_key, p_request_hash, p_key_at);
    IF v_claim ? 'outcome' THEN
        RETURN v_claim;
    END IF;
    RETURN "money_state"(p_account, p_asset, p_cash_code, p_realtime) || v_claim || jsonb_build_object('kyc', v_kyc);
END;
$$;

-- Round trip 1 of a repayment: the loan as the caller may see it (another user's answers
-- 'not_found'), then money_claim, then money_state of its account and asset, and the loan row
-- locked. The loan's asset comes back in every outcome: it decides how the amount is parsed.
CREATE FUNCTION "money_begin_loan"(
    p_scope TEXT, p_key TEXT, p_request_hash TEXT, p_key_at TIMESTAMPTZ,
    p_loan UUID, p_user UUID, p_cash_code TEXT, p_realtime BOOLEAN
) RETURNS JSONB LANGUAGE plpgsql AS $$
DECLARE
    v_account UUID;
    v_asset TEXT;
    v_owner UUID;
    v_claim JSONB;
BEGIN
    SELECT l.account_id, l.asset, a.user_id INTO v_account, v_asset, v_owner
    FROM "loans" l JOIN "accounts" a ON a.id = l.account_id WHERE l.id = p_loan;
    IF NOT FOUND OR (p_user IS NOT NULL AND v_owner <> p_user) THEN
        RETURN jsonb_build_object('outcome', 'not_found');
    END IF;
    v_claim := "money_claim"(p_scope, p_key, p_request_hash, p_key_at);
    IF v_claim ? 'outcome' THEN
        RETURN v_claim || jsonb_build_object('asset', v_asset);
    END IF;
    RETURN "money_state"(v_account, v_asset, p_cash_code, p_realtime) || v_claim || jsonb_build_object(
        'asset', v_asset,
        'loan', (SELECT to_jsonb(r) FROM (
            SELECT id, account_id, asset, scaled_debt::text AS scaled_debt, principal::text AS principal
            FROM "loans" WHERE id = p_loan FOR UPDATE) r));
END;
$$;

-- The response stored with the effect, in the same transaction (IdempotencyService's rules).
CREATE FUNCTION "idempotency_store"(p_key_id BIGINT, p_status_code INT, p_response TEXT)
RETURNS VOID LANGUAGE sql AS $$
    UPDATE "idempotency_keys" SET status_code = p_status_code, response = p_response WHERE id = p_key_id;
$$;

-- Round trip 2 of a deposit: the position upserted (a top-up moves the maturity of the whole
-- position), its change recorded, the market's sums moved, the posting, the stored response.
-- Returns the position as written, which the caller checks against what it computed.
CREATE FUNCTION "money_deposit"(
    p_account UUID, p_asset TEXT, p_tier TEXT, p_now TIMESTAMPTZ, p_ms_into_day BIGINT,
    p_scaled NUMERIC, p_amount NUMERIC, p_matures_at TIMESTAMPTZ,
    p_description TEXT, p_metadata JSONB, p_codes TEXT[], p_assets TEXT[], p_kinds TEXT[], p_owners UUID[],
    p_sides normal_side[], p_no_overdraft BOOLEAN[], p_amounts NUMERIC[],
    p_key_id BIGINT, p_status_code INT, p_response TEXT
) RETURNS JSONB LANGUAGE plpgsql AS $$
DECLARE
    v_row RECORD;
BEGIN
    INSERT INTO "positions" (id, account_id, asset, scaled, principal, matures_at, opened_at, updated_at)
    VALUES (gen_random_uuid(), p_account, p_asset, p_scaled, p_amount, p_matures_at, p_now, p_now)
    ON CONFLICT (account_id, asset) DO UPDATE SET
        scaled = positions.scaled + EXCLUDED.scaled,
        principal = positions.principal + EXCLUDED.principal,
        matures_at = EXCLUDED.matures_at,
        opened_at = CASE WHEN positions.scaled = 0 THEN EXCLUDED.opened_at ELSE positions.opened_at END,
        updated_at = EXCLUDED.updated_at
    RETURNING id, scaled, principal INTO v_row;
    INSERT INTO "position_changes" (position_id, at, kind, scaled_after, tier) VALUES (v_row.id, p_now, 'deposit', v_row.scaled, p_tier);
    PERFORM "market_move_totals"(p_asset, p_tier, p_ms_into_day, p_scaled, p_amount, 0, 0);
    PERFORM "ledger_post"('deposit', p_description, p_account, p_now, p_metadata,
                          p_codes, p_assets, p_kinds, p_owners, p_sides, p_no_overdraft, p_amounts);
    IF p_key_id IS NOT NULL THEN
        PERFORM "idempotency_store"(p_key_id, p_status_code, p_response);
    END IF;
    RETURN jsonb_build_object('id', v_row.id, 'scaled', v_row.scaled::text, 'principal', v_row.principal::text);
END;
$$;

-- Round trip 2 of a withdrawal of the whole position: the posting first (as the slower path
-- does), then the position closed, its change recorded, the market's sums moved back, the
-- stored response.
CREATE FUNCTION "money_withdraw"(
    p_account UUID, p_position UUID, p_asset TEXT, p_tier TEXT, p_now TIMESTAMPTZ, p_ms_into_day BIGINT,
    p_scaled NUMERIC, p_principal NUMERIC,
    p_description TEXT, p_metadata JSONB, p_codes TEXT[], p_assets TEXT[], p_kinds TEXT[], p_owners UUID[],
    p_sides normal_side[], p_no_overdraft BOOLEAN[], p_amounts NUMERIC[],
    p_key_id BIGINT, p_status_code INT, p_response TEXT
) RETURNS VOID LANGUAGE plpgsql AS $$
BEGIN
    PERFORM "ledger_post"('withdrawal', p_description, p_account, p_now, p_metadata,
                          p_codes, p_assets, p_kinds, p_owners, p_sides, p_no_overdraft, p_amounts);
    UPDATE "positions" SET scaled = 0, principal = 0, updated_at = p_now WHERE id = p_position;
    INSERT INTO "position_changes" (position_id, at, kind, scaled_after, tier) VALUES (p_position, p_now, 'withdrawal', 0, p_tier);
    PERFORM "market_move_totals"(p_asset, p_tier, p_ms_into_day, -p_scaled, -p_principal, 0, 0);
    IF p_key_id IS NOT NULL THEN
        PERFORM "idempotency_store"(p_key_id, p_status_code, p_response);
    END IF;
END;
$$;

-- Round trip 2 of a repayment: the loan row, its change, the market's sums, then the posting
-- (the slower path's order), and the stored response.
CREATE FUNCTION "money_repay"(
    p_account UUID, p_loan UUID, p_asset TEXT, p_tier TEXT, p_now TIMESTAMPTZ, p_ms_into_day BIGINT,
    p_scaled_after NUMERIC, p_principal_after NUMERIC, p_scaled_paid NUMERIC, p_principal_paid NUMERIC,
    p_description TEXT, p_metadata JSONB, p_codes TEXT[], p_assets TEXT[], p_kinds TEXT[], p_owners UUID[],
    p_sides normal_side[], p_no_overdraft BOOLEAN[], p_amounts NUMERIC[],
    p_key_id BIGINT, p_status_code INT, p_response TEXT
) RETURNS VOID LANGUAGE plpgsql AS $$
BEGIN
    UPDATE "loans" SET scaled_debt = p_scaled_after, principal = p_principal_after, updated_at = p_now WHERE id = p_loan;
    INSERT INTO "loan_changes" (loan_id, at, kind, scaled_after, tier) VALUES (p_loan, p_now, 'repayment', p_scaled_after, p_tier);
    PERFORM "market_move_totals"(p_asset, p_tier, p_ms_into_day, 0, 0, -p_scaled_paid, -p_principal_paid);
    PERFORM "ledger_post"('repayment', p_description, p_account, p_now, p_metadata,
                          p_codes, p_assets, p_kinds, p_owners, p_sides, p_no_overdraft, p_amounts);
    IF p_key_id IS NOT NULL THEN
        PERFORM "idempotency_store"(p_key_id, p_status_code, p_response);
    END IF;
END;
$$;
