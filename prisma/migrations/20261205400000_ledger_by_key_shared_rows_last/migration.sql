-- Two changes to the money movements' SQL (money_deposit, money_withdraw, money_repay and the
-- posting they share), each measured with `npm run bench -- throughput` (BENCH_PG_STATEMENTS,
-- BENCH_AUTO_EXPLAIN, BENCH_PERF). What is written stays the same, value for value.
--
-- 1. A posting finds each entry's ledger account by its key, through the unique index, instead
-- of joining the posting's arrays to ledger_accounts.
--
-- Why (measured: auto_explain with log_nested_statements, perf on the backends, bench
-- throughput at 8 clients): inside plpgsql the four statements that joined unnest(p_codes,
-- p_assets) to ledger_accounts ran on cached generic plans, where an unnest of a parameter is
-- estimated at 10 rows; against a table of a few hundred or thousand accounts the planner then
-- prefers a hash join over a sequential scan of every ledger account, four times per posting
-- (the new-account check, the entries, the lock and the balance update). The scans, the hash
-- tables and their memory were the largest part of a deposit's CPU in Postgres, and they grow
-- with the number of accounts. Here every lookup is by key, one row each:
--  * the accounts are looked up once (a LATERAL subquery with LIMIT 1, which the planner keeps
--    as a parameterised index scan of ledger_accounts_code_asset_key: (code, asset) is unique,
--    so LIMIT 1 changes nothing but the plan); only when one is missing is the same INSERT as
--    before run, and the lookup repeated;
--  * the entries are written from the ids found, without a join;
--  * each account touched is locked and moved in one statement by its primary key, in the
--    same order as before (the customers' accounts, then the platform's, each in id order), so
--    lock order, and so deadlock freedom, is unchanged. An account whose entries sum to zero is
--    locked (FOR NO KEY UPDATE, as before) and not updated, as before. The CHECK
--    ledger_accounts_no_overdraft still refuses an overdraft, failing the whole movement.
-- What is written is the same: the same accounts created in the same order, the same
-- transaction and entries in entry order, the same balances.
--
-- 2. The rows every movement of a market writes (the market's sums, its lane's sums, the market's
-- cash account in the ledger) are written last in money_deposit, money_withdraw and money_repay,
-- right before the COMMIT that ends the same message, instead of first.
--
-- Why: those rows are shared by every deposit, withdrawal and repayment of the market, and the
-- row lock an UPDATE takes is held until COMMIT; so the movements of one market run one at a
-- time from their first write of a shared row to their COMMIT (pg_stat_statements, track =
-- all, at 8 clients: the UPDATE of "markets" waited 8 ms per deposit). Everything that only
-- the movement's own rows see (its position or loan and their change, the ledger transaction
-- and its entries, the stored response) now runs before that, concurrently with the others.
--
-- What stays the same:
--  * the values written (every write adds, or sets from the movement's own locked rows);
--  * the order in which the shared rows are locked, in every movement: the market row, its
--    lane, then the ledger accounts (the customers', then the platform's, each in id order), so
--    no movement deadlocks another; the rows written before them are the movement's own (its
--    account is locked FOR UPDATE in money_state, so its position, loan and ledger accounts are
--    written by one movement at a time) or new (transaction, entries, changes);
--  * the checks: the entries still balance per asset (the statement-level trigger as they are
--    inserted), an overdraft is still refused by CHECK ledger_accounts_no_overdraft, which now
--    fires in the last statement instead of the middle one: either way the whole movement is
--    rolled back.
--
-- The posting is split in two for this: ledger_record (accounts created when new, the
-- transaction, its entries) and ledger_move (the cached balances locked and moved), written as
-- in 1.; ledger_post is the two in a row.

CREATE FUNCTION "ledger_record"(
    p_type TEXT, p_description TEXT, p_account_id UUID, p_at TIMESTAMPTZ, p_metadata JSONB,
    p_codes TEXT[], p_assets TEXT[], p_kinds TEXT[], p_owners UUID[], p_sides normal_side[],
    p_no_overdraft BOOLEAN[], p_amounts NUMERIC[],
    OUT transaction_id BIGINT, OUT ledger_account_ids BIGINT[], OUT platform BOOLEAN[]
) LANGUAGE plpgsql AS $$
BEGIN
    IF cardinality(p_codes) < 2 THEN
        RAISE EXCEPTION 'a posting needs at least two entries' USING ERRCODE = 'check_violation';
    END IF;
    -- Each entry's account by its key (see 1.); when one is missing, the accounts are created
    -- and looked up again: twice at most, as after the INSERT every one of them exists (ON
    -- CONFLICT DO NOTHING waits for a concurrent creator of the same account to commit).
    LOOP
        SELECT array_agg(la.id ORDER BY w.n), array_agg(la.account_id IS NULL ORDER BY w.n) INTO ledger_account_ids, platform
        FROM unnest(p_codes, p_assets) WITH ORDINALITY AS w(code, asset, n)
        LEFT JOIN LATERAL (SELECT l.id, l.account_id FROM "ledger_accounts" l WHERE l.code = w.code AND l.asset = w.asset LIMIT 1) la ON TRUE;
        EXIT WHEN array_position(ledger_account_ids, NULL) IS NULL;
        -- New accounts in the order the entries name them (as LedgerService creates them).
        INSERT INTO "ledger_accounts" (code, asset, kind, account_id, normal_side, no_overdraft, created_at)
        SELECT w.code, w.asset, w.kind, w.owner, w.side, w.no_overdraft, p_at
        FROM (
            SELECT DISTINCT ON (u.code, u.asset) u.*
            FROM unnest(p_codes, p_assets, p_kinds, p_owners, p_sides, p_no_overdraft, ledger_account_ids) WITH ORDINALITY
                 AS u(code, asset, kind, owner, side, no_overdraft, id, n)
            WHERE u.id IS NULL
            ORDER BY u.code, u.asset, u.n
        ) w
        ORDER BY w.n
        ON CONFLICT (code, asset) DO NOTHING;
    END LOOP;

    INSERT INTO "ledger_transactions" (type, description, account_id, at, metadata)
    VALUES (p_type, p_description, p_account_id, p_at, p_metadata)
    RETURNING id INTO transaction_id;
    INSERT INTO "ledger_entries" (transaction_id, ledger_account_id, asset, amount)
    SELECT ledger_record.transaction_id, w.id, w.asset, w.amount
    FROM unnest(ledger_account_ids, p_assets, p_amounts) WITH ORDINALITY AS w(id, asset, amount, n)
    ORDER BY w.n;
END;
$$;

-- A recorded posting's cached balances, each account locked and moved by its primary key: the
-- customers' first, then the platform's, each in id order (NO KEY UPDATE, an UPDATE's own lock:
-- it does not wait on the key-share locks the entries' foreign keys hold). An account whose
-- entries sum to zero is locked, not updated.
CREATE FUNCTION "ledger_move"(p_ids BIGINT[], p_platform BOOLEAN[], p_amounts NUMERIC[])
RETURNS VOID LANGUAGE plpgsql AS $$
DECLARE
    v_move RECORD;
BEGIN
    FOR v_move IN
        SELECT w.id, sum(w.amount) AS delta
        FROM unnest(p_ids, p_platform, p_amounts) AS w(id, platform, amount)
        GROUP BY w.id, w.platform
        ORDER BY w.platform, w.id
    LOOP
        IF v_move.delta <> 0 THEN
            UPDATE "ledger_accounts" SET balance = balance + v_move.delta WHERE id = v_move.id;
        ELSE
            PERFORM 1 FROM "ledger_accounts" WHERE id = v_move.id FOR NO KEY UPDATE;
        END IF;
    END LOOP;
END;
$$;

-- One posting whole, as before: recorded, then its balances moved (what the movements do with
-- their shared rows in between).
CREATE OR REPLACE FUNCTION "ledger_post"(
    p_type TEXT, p_description TEXT, p_account_id UUID, p_at TIMESTAMPTZ, p_metadata JSONB,
    p_codes TEXT[], p_assets TEXT[], p_kinds TEXT[], p_owners UUID[], p_sides normal_side[],
    p_no_overdraft BOOLEAN[], p_amounts NUMERIC[]
) RETURNS BIGINT LANGUAGE plpgsql AS $$
DECLARE
    v_posting RECORD;
BEGIN
    SELECT * INTO v_posting FROM "ledger_record"(p_type, p_description, p_account_id, p_at, p_metadata,
                          p_codes, p_assets, p_kinds, p_owners, p_sides, p_no_overdraft, p_amounts);
    PERFORM "ledger_move"(v_posting.ledger_account_ids, v_posting.platform, p_amounts);
    RETURN v_posting.transaction_id;
END;
$$;

-- As 20261203300100_fewer_money_statements, the shared rows last.
CREATE OR REPLACE FUNCTION "money_deposit"(
    p_account UUID, p_asset TEXT, p_tier TEXT, p_now TIMESTAMPTZ, p_ms_into_day BIGINT,
    p_scaled NUMERIC, p_amount NUMERIC, p_matures_at TIMESTAMPTZ,
    p_description TEXT, p_metadata JSONB, p_codes TEXT[], p_assets TEXT[], p_kinds TEXT[], p_owners UUID[],
    p_sides normal_side[], p_no_overdraft BOOLEAN[], p_amounts NUMERIC[],
    p_key_id BIGINT, p_status_code INT, p_response TEXT
) RETURNS JSONB LANGUAGE plpgsql AS $$
DECLARE
    v_row JSONB;
    v_posting RECORD;
BEGIN
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
    SELECT jsonb_build_object('id', p.id, 'scaled', p.scaled::text, 'principal', p.principal::text) INTO v_row FROM p;
    SELECT * INTO v_posting FROM "ledger_record"('deposit', p_description, p_account, p_now, p_metadata,
                          p_codes, p_assets, p_kinds, p_owners, p_sides, p_no_overdraft, p_amounts);
    IF p_key_id IS NOT NULL THEN
        PERFORM "idempotency_store"(p_key_id, p_status_code, p_response);
    END IF;
    -- The market's shared rows, last (see above).
    PERFORM "market_move_totals"(p_asset, p_tier, p_ms_into_day, p_scaled, p_amount, 0, 0);
    PERFORM "ledger_move"(v_posting.ledger_account_ids, v_posting.platform, p_amounts);
    RETURN v_row;
END;
$$;

-- As 20261203300200_market_key_share, the shared rows last.
CREATE OR REPLACE FUNCTION "money_withdraw"(
    p_account UUID, p_position UUID, p_asset TEXT, p_tier TEXT, p_now TIMESTAMPTZ, p_ms_into_day BIGINT,
    p_scaled NUMERIC, p_principal NUMERIC,
    p_description TEXT, p_metadata JSONB, p_codes TEXT[], p_assets TEXT[], p_kinds TEXT[], p_owners UUID[],
    p_sides normal_side[], p_no_overdraft BOOLEAN[], p_amounts NUMERIC[],
    p_key_id BIGINT, p_status_code INT, p_response TEXT
) RETURNS JSONB LANGUAGE plpgsql AS $$
DECLARE
    v_row RECORD;
    v_posting RECORD;
BEGIN
    UPDATE "positions" SET scaled = scaled - p_scaled, principal = principal - p_principal, updated_at = p_now
    WHERE id = p_position RETURNING scaled, principal INTO v_row;
    INSERT INTO "position_changes" (position_id, at, kind, scaled_after, tier) VALUES (p_position, p_now, 'withdrawal', v_row.scaled, p_tier);
    SELECT * INTO v_posting FROM "ledger_record"('withdrawal', p_description, p_account, p_now, p_metadata,
                          p_codes, p_assets, p_kinds, p_owners, p_sides, p_no_overdraft, p_amounts);
    IF p_key_id IS NOT NULL THEN
        PERFORM "idempotency_store"(p_key_id, p_status_code, p_response);
    END IF;
    -- The market's shared rows, last (see above).
    PERFORM "market_move_totals"(p_asset, p_tier, p_ms_into_day, -p_scaled, -p_principal, 0, 0);
    PERFORM "ledger_move"(v_posting.ledger_account_ids, v_posting.platform, p_amounts);
    RETURN jsonb_build_object('scaled', v_row.scaled::text, 'principal', v_row.principal::text);
END;
$$;

-- As 20261201120100_money_movement_functions, the shared rows last.
CREATE OR REPLACE FUNCTION "money_repay"(
    p_account UUID, p_loan UUID, p_asset TEXT, p_tier TEXT, p_now TIMESTAMPTZ, p_ms_into_day BIGINT,
    p_scaled_after NUMERIC, p_principal_after NUMERIC, p_scaled_paid NUMERIC, p_principal_paid NUMERIC,
    p_description TEXT, p_metadata JSONB, p_codes TEXT[], p_assets TEXT[], p_kinds TEXT[], p_owners UUID[],
    p_sides normal_side[], p_no_overdraft BOOLEAN[], p_amounts NUMERIC[],
    p_key_id BIGINT, p_status_code INT, p_response TEXT
) RETURNS VOID LANGUAGE plpgsql AS $$
DECLARE
    v_posting RECORD;
BEGIN
    UPDATE "loans" SET scaled_debt = p_scaled_after, principal = p_principal_after, updated_at = p_now WHERE id = p_loan;
    INSERT INTO "loan_changes" (loan_id, at, kind, scaled_after, tier) VALUES (p_loan, p_now, 'repayment', p_scaled_after, p_tier);
    SELECT * INTO v_posting FROM "ledger_record"('repayment', p_description, p_account, p_now, p_metadata,
                          p_codes, p_assets, p_kinds, p_owners, p_sides, p_no_overdraft, p_amounts);
    IF p_key_id IS NOT NULL THEN
        PERFORM "idempotency_store"(p_key_id, p_status_code, p_response);
    END IF;
    -- The market's shared rows, last (see above).
    PERFORM "market_move_totals"(p_asset, p_tier, p_ms_into_day, 0, 0, -p_scaled_paid, -p_principal_paid);
    PERFORM "ledger_move"(v_posting.ledger_account_ids, v_posting.platform, p_amounts);
END;
$$;
