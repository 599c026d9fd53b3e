-- A market's principal totals (supply_principal, borrow_principal: what suppliers put in and
-- borrowers took out, net, over every open position and loan) move from the market's row into
-- its lanes, one share per loyalty tier, beside the lane's scaled totals. A movement already
-- rewrites its lane's row; it no longer rewrites the market's row as well. The market's totals
-- are the sums of its lanes' shares, added up where a market is read (marketFromRow, from the
-- lanes MarketsRepository and money_begin_loan already read).
--
-- A lane's share is the principal of the positions and loans of the accounts in its tier, as
-- its scaled totals are their scaled amounts: every movement moves it in the lane of the
-- account's tier, and a tier change (loyalty) moves each position's and loan's principal from
-- its old lane to its new one, with its scaled amount. So a share never falls below zero, and
-- keeps the amount_not_negative domain the market's totals had.
--
-- Why: every movement rewrote two hot rows of its market, the market's and its lane's, each
-- with a chain of dead versions for every reader to walk (20261211110000 prunes them sooner).
-- Measured with valgrind's cachegrind on a single-user backend replaying 2,000 deposits captured
-- from the API over a copy of a seeded 256-account world (money_begin + money_deposit + COMMIT;
-- the difference of a 250- and a 750-deposit run, repeatable to 0.1 %): 2,286.8 k instructions
-- per deposit before, 2,217.8 k after (-3.0 %). Withdrawals and repayments save the same row.
--
-- The shares are filled from the holdings, per tier; what the holdings do not explain (nothing,
-- when the totals were kept in step) goes to the base lane, so each market's totals are exactly
-- what they were. A market whose total is smaller than its holdings' principal refuses the
-- migration, naming it: its base share would hold less than its holdings, and the last of them
-- to leave the lane (a withdrawal, a repayment, a tier change) would be refused.
--
-- markets keeps the default fillfactor again (20261211110000 set 20): its row is no longer
-- rewritten by every movement, only by a day's close and a parameter change.
--
-- The functions that wrote the market's totals are restated with the lane's UPDATE doing it
-- (same signatures, same locks in the same order, enable_seqscan = off restated as in
-- 20261208100000); money_begin_loan answers each lane with its principal shares, instead of the
-- market with its totals.

ALTER TABLE "market_lanes"
    ADD COLUMN "supply_principal" "amount_not_negative" NOT NULL DEFAULT 0,
    ADD COLUMN "borrow_principal" "amount_not_negative" NOT NULL DEFAULT 0;

UPDATE "market_lanes" l SET
    supply_principal = coalesce((SELECT sum(p.principal) FROM "positions" p JOIN "accounts" a ON a.id = p.account_id
                                 WHERE p.asset = l.asset AND a.tier = l.tier), 0),
    borrow_principal = coalesce((SELECT sum(o.principal) FROM "loans" o JOIN "accounts" a ON a.id = o.account_id
                                 WHERE o.asset = l.asset AND a.tier = l.tier), 0);

DO $$
DECLARE
    v_short RECORD;
BEGIN
    SELECT m.asset, m.supply_principal, m.borrow_principal, s.supply, s.borrow INTO v_short
    FROM "markets" m
    JOIN (SELECT asset, sum(supply_principal) AS supply, sum(borrow_principal) AS borrow FROM "market_lanes" GROUP BY asset) s ON s.asset = m.asset
    WHERE m.supply_principal < s.supply OR m.borrow_principal < s.borrow
    ORDER BY m.asset LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'market %: its principal totals (supplied %, borrowed %) are smaller than its holdings'' (supplied %, borrowed %); correct them, or start the sandbox again with --reset',
            v_short.asset, v_short.supply_principal, v_short.borrow_principal, v_short.supply, v_short.borrow
            USING ERRCODE = 'check_violation';
    END IF;
END;
$$;

UPDATE "market_lanes" l SET
    supply_principal = l.supply_principal + m.supply_principal - s.supply,
    borrow_principal = l.borrow_principal + m.borrow_principal - s.borrow
FROM "markets" m,
     (SELECT asset, sum(supply_principal) AS supply, sum(borrow_principal) AS borrow FROM "market_lanes" GROUP BY asset) s
WHERE l.tier = 'base' AND m.asset = l.asset AND s.asset = l.asset;

ALTER TABLE "markets" DROP COLUMN "supply_principal", DROP COLUMN "borrow_principal";
ALTER TABLE "markets" RESET (fillfactor);

-- As 20261209120000_ledger_balances_by_entry, the principal moved in the lane.
CREATE OR REPLACE FUNCTION "money_deposit"(
    p_account UUID, p_asset TEXT, p_tier TEXT, p_now TIMESTAMPTZ, p_ms_into_day BIGINT,
    p_scaled NUMERIC, p_amount NUMERIC, p_matures_at TIMESTAMPTZ,
    p_description TEXT, p_metadata JSONB, p_codes TEXT[], p_assets TEXT[], p_kinds TEXT[], p_owners UUID[],
    p_sides normal_side[], p_no_overdraft BOOLEAN[], p_amounts NUMERIC[],
    p_key_id BIGINT, p_status_code INT, p_response TEXT,
    p_expect_scaled NUMERIC, p_expect_principal NUMERIC
) RETURNS VOID LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE
    v_scaled NUMERIC;
    v_principal NUMERIC;
    v_ids BIGINT[];
    v_id BIGINT;
    v_transaction BIGINT;
    v_locked BIGINT;
BEGIN
    WITH p AS (
        UPDATE "positions" SET
            scaled = scaled + p_scaled,
            principal = principal + p_amount,
            matures_at = p_matures_at,
            opened_at = CASE WHEN scaled = 0 THEN p_now ELSE opened_at END,
            updated_at = p_now
        WHERE account_id = p_account AND asset = p_asset
        RETURNING id, scaled, principal
    ), c AS (
        INSERT INTO "position_changes" (position_id, at, kind, scaled_after, tier)
        SELECT p.id, p_now, 'deposit', p.scaled, p_tier FROM p
    )
    SELECT p.scaled, p.principal INTO v_scaled, v_principal FROM p;
    IF NOT FOUND THEN
        -- No position yet: as 20261206120000_money_checks_inside.
        WITH p AS (
            INSERT INTO "positions" (id, account_id, asset, scaled, principal, matures_at, opened_at, updated_at)
            VALUES (gen_random_uuid(), p_account, p_asset, p_scaled, p_amount, p_matures_at, p_now, p_now)
            ON CONFLICT (account_id, asset) DO UPDATE SET
                scaled = positions.scaled + EXCLUDED.scaled,
                principal = positions.principal + EXCLUDED.principal,
                matures_at = EXCLUDED.matures_at,
                opened_at = CASE WHEN positions.scaled = 0 THEN EXCLUDED.opened_at ELSE positions.opened_at END,
                updated_at = EXCLUDED.updated_at
            RETURNING id, scaled, principal
        ), c AS (
            INSERT INTO "position_changes" (position_id, at, kind, scaled_after, tier)
            SELECT p.id, p_now, 'deposit', p.scaled, p_tier FROM p
        )
        SELECT p.scaled, p.principal INTO v_scaled, v_principal FROM p;
    END IF;
    IF (v_scaled, v_principal) IS DISTINCT FROM (p_expect_scaled, p_expect_principal) THEN
        RAISE EXCEPTION 'the deposit wrote scaled = %, principal = %; computed %, %', v_scaled, v_principal, p_expect_scaled, p_expect_principal
            USING ERRCODE = 'check_violation';
    END IF;
    -- The posting (ledger_record's): each entry's account by its key (20261206100000 says why
    -- one key per statement), the missing ones created, the transaction, its entries.
    IF cardinality(p_codes) < 2 THEN
        RAISE EXCEPTION 'a posting needs at least two entries' USING ERRCODE = 'check_violation';
    END IF;
    LOOP
        v_ids := '{}';
        FOR i IN 1 .. cardinality(p_codes) LOOP
            SELECT l.id INTO v_id
            FROM "ledger_accounts" l WHERE l.code = p_codes[i] AND l.asset = p_assets[i];
            v_ids := v_ids || v_id;
        END LOOP;
        EXIT WHEN array_position(v_ids, NULL) IS NULL;
        PERFORM "ledger_open_accounts"(p_codes, p_assets, p_kinds, p_owners, p_sides, p_no_overdraft, p_now);
    END LOOP;
    INSERT INTO "ledger_transactions" (type, description, account_id, at, metadata)
    VALUES ('deposit', p_description, p_account, p_now, p_metadata)
    RETURNING id INTO v_transaction;
    INSERT INTO "ledger_entries" (transaction_id, ledger_account_id, asset, amount)
    SELECT v_transaction, w.id, w.asset, w.amount
    FROM unnest(v_ids, p_assets, p_amounts) WITH ORDINALITY AS w(id, asset, amount, n)
    ORDER BY w.n;
    -- The stored response (money_settle's).
    IF p_key_id IS NOT NULL THEN
        UPDATE "idempotency_keys" SET status_code = p_status_code, response = p_response WHERE id = p_key_id;
    END IF;
    -- The market's shared rows, last, right before the COMMIT of the same message: the lane
    -- of the account's tier (its scaled and principal sums), then the ledger accounts.
    IF p_scaled <> 0 OR p_amount <> 0 THEN
        UPDATE "market_lanes" SET total_supply_scaled = total_supply_scaled + p_scaled,
            supply_scaled_ms = supply_scaled_ms + p_scaled * p_ms_into_day,
            supply_principal = supply_principal + p_amount
        WHERE asset = p_asset AND tier = p_tier;
    END IF;
    -- The ledger accounts' balances (ledger_move's): every account of the posting locked in one
    -- statement, the customers' then the platform's, each in id order (the sort runs below the
    -- row locks), then moved. The ids are read through (SELECT …) so that a custom plan sees no
    -- fewer of them than the generic one (20261207200000). When every entry has an account of
    -- its own (as many rows locked as entries: every posting the money path makes), each
    -- account moves by its entry, never 0 (ledger_amount); otherwise by the sum of its entries,
    -- and an account whose entries sum to zero is locked and not moved, as before. (v_ids and
    -- p_amounts are indexed alike from 1: v_ids is built by appending, p_amounts is the
    -- caller's array literal.)
    PERFORM a.id FROM "ledger_accounts" a WHERE a.id = ANY ((SELECT v_ids)::BIGINT[]) ORDER BY a.account_id IS NULL, a.id FOR NO KEY UPDATE;
    GET DIAGNOSTICS v_locked = ROW_COUNT;
    IF v_locked = cardinality(v_ids) THEN
        UPDATE "ledger_accounts" a SET balance = a.balance + p_amounts[array_position(v_ids, a.id)]
        WHERE a.id = ANY ((SELECT v_ids)::BIGINT[]);
    ELSE
        UPDATE "ledger_accounts" a SET balance = a.balance + (SELECT sum(w.amount) FROM unnest(v_ids, p_amounts) AS w(id, amount) WHERE w.id = a.id)
        WHERE a.id = ANY ((SELECT v_ids)::BIGINT[])
          AND (SELECT sum(w.amount) FROM unnest(v_ids, p_amounts) AS w(id, amount) WHERE w.id = a.id) <> 0;
    END IF;
END;
$$;

-- As 20261209120000_ledger_balances_by_entry, the principal moved in the lane.
CREATE OR REPLACE FUNCTION "money_withdraw"(
    p_account UUID, p_position UUID, p_asset TEXT, p_tier TEXT, p_now TIMESTAMPTZ, p_ms_into_day BIGINT,
    p_scaled NUMERIC, p_principal NUMERIC,
    p_description TEXT, p_metadata JSONB, p_codes TEXT[], p_assets TEXT[], p_kinds TEXT[], p_owners UUID[],
    p_sides normal_side[], p_no_overdraft BOOLEAN[], p_amounts NUMERIC[],
    p_key_id BIGINT, p_status_code INT, p_response TEXT,
    p_expect_scaled NUMERIC, p_expect_principal NUMERIC
) RETURNS VOID LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE
    v_scaled NUMERIC;
    v_principal NUMERIC;
    v_ids BIGINT[];
    v_id BIGINT;
    v_transaction BIGINT;
    v_locked BIGINT;
BEGIN
    UPDATE "positions" SET scaled = scaled - p_scaled, principal = principal - p_principal, updated_at = p_now
    WHERE id = p_position RETURNING scaled, principal INTO v_scaled, v_principal;
    IF (v_scaled, v_principal) IS DISTINCT FROM (p_expect_scaled, p_expect_principal) THEN
        RAISE EXCEPTION 'the withdrawal wrote scaled = %, principal = %; computed %, %', v_scaled, v_principal, p_expect_scaled, p_expect_principal
            USING ERRCODE = 'check_violation';
    END IF;
    INSERT INTO "position_changes" (position_id, at, kind, scaled_after, tier) VALUES (p_position, p_now, 'withdrawal', v_scaled, p_tier);
    -- The posting (ledger_record's): each entry's account by its key (20261206100000 says why
    -- one key per statement), the missing ones created, the transaction, its entries.
    IF cardinality(p_codes) < 2 THEN
        RAISE EXCEPTION 'a posting needs at least two entries' USING ERRCODE = 'check_violation';
    END IF;
    LOOP
        v_ids := '{}';
        FOR i IN 1 .. cardinality(p_codes) LOOP
            SELECT l.id INTO v_id
            FROM "ledger_accounts" l WHERE l.code = p_codes[i] AND l.asset = p_assets[i];
            v_ids := v_ids || v_id;
        END LOOP;
        EXIT WHEN array_position(v_ids, NULL) IS NULL;
        PERFORM "ledger_open_accounts"(p_codes, p_assets, p_kinds, p_owners, p_sides, p_no_overdraft, p_now);
    END LOOP;
    INSERT INTO "ledger_transactions" (type, description, account_id, at, metadata)
    VALUES ('withdrawal', p_description, p_account, p_now, p_metadata)
    RETURNING id INTO v_transaction;
    INSERT INTO "ledger_entries" (transaction_id, ledger_account_id, asset, amount)
    SELECT v_transaction, w.id, w.asset, w.amount
    FROM unnest(v_ids, p_assets, p_amounts) WITH ORDINALITY AS w(id, asset, amount, n)
    ORDER BY w.n;
    -- The stored response (money_settle's).
    IF p_key_id IS NOT NULL THEN
        UPDATE "idempotency_keys" SET status_code = p_status_code, response = p_response WHERE id = p_key_id;
    END IF;
    -- The market's shared rows, last (as in money_deposit).
    IF p_scaled <> 0 OR p_principal <> 0 THEN
        UPDATE "market_lanes" SET total_supply_scaled = total_supply_scaled - p_scaled,
            supply_scaled_ms = supply_scaled_ms - p_scaled * p_ms_into_day,
            supply_principal = supply_principal - p_principal
        WHERE asset = p_asset AND tier = p_tier;
    END IF;
    -- The ledger accounts' balances (ledger_move's): every account of the posting locked in one
    -- statement, the customers' then the platform's, each in id order (the sort runs below the
    -- row locks), then moved. The ids are read through (SELECT …) so that a custom plan sees no
    -- fewer of them than the generic one (20261207200000). When every entry has an account of
    -- its own (as many rows locked as entries: every posting the money path makes), each
    -- account moves by its entry, never 0 (ledger_amount); otherwise by the sum of its entries,
    -- and an account whose entries sum to zero is locked and not moved, as before. (v_ids and
    -- p_amounts are indexed alike from 1: v_ids is built by appending, p_amounts is the
    -- caller's array literal.)
    PERFORM a.id FROM "ledger_accounts" a WHERE a.id = ANY ((SELECT v_ids)::BIGINT[]) ORDER BY a.account_id IS NULL, a.id FOR NO KEY UPDATE;
    GET DIAGNOSTICS v_locked = ROW_COUNT;
    IF v_locked = cardinality(v_ids) THEN
        UPDATE "ledger_accounts" a SET balance = a.balance + p_amounts[array_position(v_ids, a.id)]
        WHERE a.id = ANY ((SELECT v_ids)::BIGINT[]);
    ELSE
        UPDATE "ledger_accounts" a SET balance = a.balance + (SELECT sum(w.amount) FROM unnest(v_ids, p_amounts) AS w(id, amount) WHERE w.id = a.id)
        WHERE a.id = ANY ((SELECT v_ids)::BIGINT[])
          AND (SELECT sum(w.amount) FROM unnest(v_ids, p_amounts) AS w(id, amount) WHERE w.id = a.id) <> 0;
    END IF;
END;
$$;

-- As 20261209120000_ledger_balances_by_entry, the principal moved in the lane.
CREATE OR REPLACE FUNCTION "money_repay"(
    p_account UUID, p_loan UUID, p_asset TEXT, p_tier TEXT, p_now TIMESTAMPTZ, p_ms_into_day BIGINT,
    p_scaled_after NUMERIC, p_principal_after NUMERIC, p_scaled_paid NUMERIC, p_principal_paid NUMERIC,
    p_description TEXT, p_metadata JSONB, p_codes TEXT[], p_assets TEXT[], p_kinds TEXT[], p_owners UUID[],
    p_sides normal_side[], p_no_overdraft BOOLEAN[], p_amounts NUMERIC[],
    p_key_id BIGINT, p_status_code INT, p_response TEXT
) RETURNS VOID LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE
    v_ids BIGINT[];
    v_id BIGINT;
    v_transaction BIGINT;
    v_locked BIGINT;
BEGIN
    UPDATE "loans" SET scaled_debt = p_scaled_after, principal = p_principal_after, updated_at = p_now WHERE id = p_loan;
    INSERT INTO "loan_changes" (loan_id, at, kind, scaled_after, tier) VALUES (p_loan, p_now, 'repayment', p_scaled_after, p_tier);
    -- The posting (ledger_record's): each entry's account by its key (20261206100000 says why
    -- one key per statement), the missing ones created, the transaction, its entries.
    IF cardinality(p_codes) < 2 THEN
        RAISE EXCEPTION 'a posting needs at least two entries' USING ERRCODE = 'check_violation';
    END IF;
    LOOP
        v_ids := '{}';
        FOR i IN 1 .. cardinality(p_codes) LOOP
            SELECT l.id INTO v_id
            FROM "ledger_accounts" l WHERE l.code = p_codes[i] AND l.asset = p_assets[i];
            v_ids := v_ids || v_id;
        END LOOP;
        EXIT WHEN array_position(v_ids, NULL) IS NULL;
        PERFORM "ledger_open_accounts"(p_codes, p_assets, p_kinds, p_owners, p_sides, p_no_overdraft, p_now);
    END LOOP;
    INSERT INTO "ledger_transactions" (type, description, account_id, at, metadata)
    VALUES ('repayment', p_description, p_account, p_now, p_metadata)
    RETURNING id INTO v_transaction;
    INSERT INTO "ledger_entries" (transaction_id, ledger_account_id, asset, amount)
    SELECT v_transaction, w.id, w.asset, w.amount
    FROM unnest(v_ids, p_assets, p_amounts) WITH ORDINALITY AS w(id, asset, amount, n)
    ORDER BY w.n;
    -- The stored response (money_settle's).
    IF p_key_id IS NOT NULL THEN
        UPDATE "idempotency_keys" SET status_code = p_status_code, response = p_response WHERE id = p_key_id;
    END IF;
    -- The market's shared rows, last (as in money_deposit).
    IF p_scaled_paid <> 0 OR p_principal_paid <> 0 THEN
        UPDATE "market_lanes" SET total_borrow_scaled = total_borrow_scaled - p_scaled_paid,
            borrow_scaled_ms = borrow_scaled_ms - p_scaled_paid * p_ms_into_day,
            borrow_principal = borrow_principal - p_principal_paid
        WHERE asset = p_asset AND tier = p_tier;
    END IF;
    -- The ledger accounts' balances (ledger_move's): every account of the posting locked in one
    -- statement, the customers' then the platform's, each in id order (the sort runs below the
    -- row locks), then moved. The ids are read through (SELECT …) so that a custom plan sees no
    -- fewer of them than the generic one (20261207200000). When every entry has an account of
    -- its own (as many rows locked as entries: every posting the money path makes), each
    -- account moves by its entry, never 0 (ledger_amount); otherwise by the sum of its entries,
    -- and an account whose entries sum to zero is locked and not moved, as before. (v_ids and
    -- p_amounts are indexed alike from 1: v_ids is built by appending, p_amounts is the
    -- caller's array literal.)
    PERFORM a.id FROM "ledger_accounts" a WHERE a.id = ANY ((SELECT v_ids)::BIGINT[]) ORDER BY a.account_id IS NULL, a.id FOR NO KEY UPDATE;
    GET DIAGNOSTICS v_locked = ROW_COUNT;
    IF v_locked = cardinality(v_ids) THEN
        UPDATE "ledger_accounts" a SET balance = a.balance + p_amounts[array_position(v_ids, a.id)]
        WHERE a.id = ANY ((SELECT v_ids)::BIGINT[]);
    ELSE
        UPDATE "ledger_accounts" a SET balance = a.balance + (SELECT sum(w.amount) FROM unnest(v_ids, p_amounts) AS w(id, amount) WHERE w.id = a.id)
        WHERE a.id = ANY ((SELECT v_ids)::BIGINT[])
          AND (SELECT sum(w.amount) FROM unnest(v_ids, p_amounts) AS w(id, amount) WHERE w.id = a.id) <> 0;
    END IF;
END;
$$;

-- As 20261209110000_money_begin_reads_its_lane, each lane with its principal shares.
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
              day_utilization::text, supply_apr::text, borrow_apr::text,
              ARRAY(SELECT ARRAY[l.tier, l.supply_index::text, l.borrow_index::text, l.total_supply_scaled::text, l.total_borrow_scaled::text,
                                 l.supply_scaled_ms::text, l.borrow_scaled_ms::text, l.supply_principal::text, l.borrow_principal::text]
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
