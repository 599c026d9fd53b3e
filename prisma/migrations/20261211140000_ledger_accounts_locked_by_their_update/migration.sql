-- money_deposit, money_withdraw and money_repay move the posting's ledger balances in one
-- statement, the UPDATE, which locks each row as it reaches it, instead of a statement that
-- locked them all (FOR NO KEY UPDATE, ordered) followed by the UPDATE, when every entry names
-- an account of its own: every posting of the money path (deposit: market cash, the position;
-- withdrawal: the position, interest payable, market cash, rounding; repayment: its own). A
-- posting that names an account twice is moved as before, by the two statements.
--
-- Why: measured with valgrind's cachegrind as 20261211130000 measures (a single-user backend
-- replaying 2,000 deposits captured from the API over a copy of a seeded 256-account world;
-- the difference of a 250- and a 750-deposit run, repeatable to 0.1 %): 2,217.8 k instructions
-- per deposit before, 2,162.4 k after (-2.5 %). The lock statement was a plan of its own (an
-- index scan, a sort, LockRows) over the rows the UPDATE then found again. Telling whether an
-- account repeats used to be free (the lock statement's row count); it is now a loop over the
-- posting's ids, about 8 k of the saving.
--
-- Lock order, and so freedom from deadlocks, is kept:
--   - the platform's accounts (market cash, interest payable, rounding, …) are locked in id
--     order, as before: the UPDATE reaches them through the primary key's index, whose scan
--     returns the ids of `= ANY` in ascending order; enable_bitmapscan = off on the functions
--     keeps that plan (a bitmap heap scan, which the planner chose here for an empty ledger,
--     would visit them in the order of their pages);
--   - a customer's accounts (position, debt) were locked first and are now locked in id order
--     among the platform's. No other transaction can hold one of them while waiting for a
--     platform account: every writer of a customer's ledger accounts (these functions,
--     DepositsService, LoansService, the liquidation batches) holds that customer's account
--     row (FOR UPDATE) from before its first ledger lock to its COMMIT, so two movements of one
--     customer never overlap, and movements of two customers share only platform rows.
--
-- The same rows are written with the same values. The signatures are unchanged and
-- enable_seqscan = off is restated (20261208100000).

-- As 20261211130000_market_principal_in_lanes, the balances locked by their UPDATE.
CREATE OR REPLACE FUNCTION "money_deposit"(
    p_account UUID, p_asset TEXT, p_tier TEXT, p_now TIMESTAMPTZ, p_ms_into_day BIGINT,
    p_scaled NUMERIC, p_amount NUMERIC, p_matures_at TIMESTAMPTZ,
    p_description TEXT, p_metadata JSONB, p_codes TEXT[], p_assets TEXT[], p_kinds TEXT[], p_owners UUID[],
    p_sides normal_side[], p_no_overdraft BOOLEAN[], p_amounts NUMERIC[],
    p_key_id BIGINT, p_status_code INT, p_response TEXT,
    p_expect_scaled NUMERIC, p_expect_principal NUMERIC
) RETURNS VOID LANGUAGE plpgsql SET enable_seqscan = off SET enable_bitmapscan = off AS $$
DECLARE
    v_scaled NUMERIC;
    v_principal NUMERIC;
    v_ids BIGINT[];
    v_id BIGINT;
    v_transaction BIGINT;
    v_distinct BOOLEAN;
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
    -- The ledger accounts' balances. When every entry names an account of its own (every
    -- posting the money path makes), each account moves by its entry (never 0: ledger_amount)
    -- in one statement, the UPDATE, which locks each row as its scan reaches it: through the
    -- primary key's index, in id order (enable_bitmapscan = off keeps that plan). Otherwise as
    -- before: every account locked in one statement, the customers' then the platform's, each in
    -- id order, then moved by the sum of its entries, and an account whose entries sum to zero
    -- locked and not moved. The ids are read through (SELECT …) so that a custom plan sees no
    -- fewer of them than the generic one (20261207200000). (v_ids and p_amounts are indexed
    -- alike from 1: v_ids is built by appending, p_amounts is the caller's array literal.)
    v_distinct := true;
    FOR i IN 2 .. cardinality(v_ids) LOOP
        IF array_position(v_ids, v_ids[i]) < i THEN
            v_distinct := false;
            EXIT;
        END IF;
    END LOOP;
    IF v_distinct THEN
        UPDATE "ledger_accounts" a SET balance = a.balance + p_amounts[array_position(v_ids, a.id)]
        WHERE a.id = ANY ((SELECT v_ids)::BIGINT[]);
    ELSE
        PERFORM a.id FROM "ledger_accounts" a WHERE a.id = ANY ((SELECT v_ids)::BIGINT[]) ORDER BY a.account_id IS NULL, a.id FOR NO KEY UPDATE;
        UPDATE "ledger_accounts" a SET balance = a.balance + (SELECT sum(w.amount) FROM unnest(v_ids, p_amounts) AS w(id, amount) WHERE w.id = a.id)
        WHERE a.id = ANY ((SELECT v_ids)::BIGINT[])
          AND (SELECT sum(w.amount) FROM unnest(v_ids, p_amounts) AS w(id, amount) WHERE w.id = a.id) <> 0;
    END IF;
END;
$$;

-- As 20261211130000_market_principal_in_lanes, the balances locked by their UPDATE.
CREATE OR REPLACE FUNCTION "money_withdraw"(
    p_account UUID, p_position UUID, p_asset TEXT, p_tier TEXT, p_now TIMESTAMPTZ, p_ms_into_day BIGINT,
    p_scaled NUMERIC, p_principal NUMERIC,
    p_description TEXT, p_metadata JSONB, p_codes TEXT[], p_assets TEXT[], p_kinds TEXT[], p_owners UUID[],
    p_sides normal_side[], p_no_overdraft BOOLEAN[], p_amounts NUMERIC[],
    p_key_id BIGINT, p_status_code INT, p_response TEXT,
    p_expect_scaled NUMERIC, p_expect_principal NUMERIC
) RETURNS VOID LANGUAGE plpgsql SET enable_seqscan = off SET enable_bitmapscan = off AS $$
DECLARE
    v_scaled NUMERIC;
    v_principal NUMERIC;
    v_ids BIGINT[];
    v_id BIGINT;
    v_transaction BIGINT;
    v_distinct BOOLEAN;
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
    -- The ledger accounts' balances. When every entry names an account of its own (every
    -- posting the money path makes), each account moves by its entry (never 0: ledger_amount)
    -- in one statement, the UPDATE, which locks each row as its scan reaches it: through the
    -- primary key's index, in id order (enable_bitmapscan = off keeps that plan). Otherwise as
    -- before: every account locked in one statement, the customers' then the platform's, each in
    -- id order, then moved by the sum of its entries, and an account whose entries sum to zero
    -- locked and not moved. The ids are read through (SELECT …) so that a custom plan sees no
    -- fewer of them than the generic one (20261207200000). (v_ids and p_amounts are indexed
    -- alike from 1: v_ids is built by appending, p_amounts is the caller's array literal.)
    v_distinct := true;
    FOR i IN 2 .. cardinality(v_ids) LOOP
        IF array_position(v_ids, v_ids[i]) < i THEN
            v_distinct := false;
            EXIT;
        END IF;
    END LOOP;
    IF v_distinct THEN
        UPDATE "ledger_accounts" a SET balance = a.balance + p_amounts[array_position(v_ids, a.id)]
        WHERE a.id = ANY ((SELECT v_ids)::BIGINT[]);
    ELSE
        PERFORM a.id FROM "ledger_accounts" a WHERE a.id = ANY ((SELECT v_ids)::BIGINT[]) ORDER BY a.account_id IS NULL, a.id FOR NO KEY UPDATE;
        UPDATE "ledger_accounts" a SET balance = a.balance + (SELECT sum(w.amount) FROM unnest(v_ids, p_amounts) AS w(id, amount) WHERE w.id = a.id)
        WHERE a.id = ANY ((SELECT v_ids)::BIGINT[])
          AND (SELECT sum(w.amount) FROM unnest(v_ids, p_amounts) AS w(id, amount) WHERE w.id = a.id) <> 0;
    END IF;
END;
$$;

-- As 20261211130000_market_principal_in_lanes, the balances locked by their UPDATE.
CREATE OR REPLACE FUNCTION "money_repay"(
    p_account UUID, p_loan UUID, p_asset TEXT, p_tier TEXT, p_now TIMESTAMPTZ, p_ms_into_day BIGINT,
    p_scaled_after NUMERIC, p_principal_after NUMERIC, p_scaled_paid NUMERIC, p_principal_paid NUMERIC,
    p_description TEXT, p_metadata JSONB, p_codes TEXT[], p_assets TEXT[], p_kinds TEXT[], p_owners UUID[],
    p_sides normal_side[], p_no_overdraft BOOLEAN[], p_amounts NUMERIC[],
    p_key_id BIGINT, p_status_code INT, p_response TEXT
) RETURNS VOID LANGUAGE plpgsql SET enable_seqscan = off SET enable_bitmapscan = off AS $$
DECLARE
    v_ids BIGINT[];
    v_id BIGINT;
    v_transaction BIGINT;
    v_distinct BOOLEAN;
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
    -- The ledger accounts' balances. When every entry names an account of its own (every
    -- posting the money path makes), each account moves by its entry (never 0: ledger_amount)
    -- in one statement, the UPDATE, which locks each row as its scan reaches it: through the
    -- primary key's index, in id order (enable_bitmapscan = off keeps that plan). Otherwise as
    -- before: every account locked in one statement, the customers' then the platform's, each in
    -- id order, then moved by the sum of its entries, and an account whose entries sum to zero
    -- locked and not moved. The ids are read through (SELECT …) so that a custom plan sees no
    -- fewer of them than the generic one (20261207200000). (v_ids and p_amounts are indexed
    -- alike from 1: v_ids is built by appending, p_amounts is the caller's array literal.)
    v_distinct := true;
    FOR i IN 2 .. cardinality(v_ids) LOOP
        IF array_position(v_ids, v_ids[i]) < i THEN
            v_distinct := false;
            EXIT;
        END IF;
    END LOOP;
    IF v_distinct THEN
        UPDATE "ledger_accounts" a SET balance = a.balance + p_amounts[array_position(v_ids, a.id)]
        WHERE a.id = ANY ((SELECT v_ids)::BIGINT[]);
    ELSE
        PERFORM a.id FROM "ledger_accounts" a WHERE a.id = ANY ((SELECT v_ids)::BIGINT[]) ORDER BY a.account_id IS NULL, a.id FOR NO KEY UPDATE;
        UPDATE "ledger_accounts" a SET balance = a.balance + (SELECT sum(w.amount) FROM unnest(v_ids, p_amounts) AS w(id, amount) WHERE w.id = a.id)
        WHERE a.id = ANY ((SELECT v_ids)::BIGINT[])
          AND (SELECT sum(w.amount) FROM unnest(v_ids, p_amounts) AS w(id, amount) WHERE w.id = a.id) <> 0;
    END IF;
END;
$$;
