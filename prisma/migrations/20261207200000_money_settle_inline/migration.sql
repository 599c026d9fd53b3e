-- money_deposit, money_withdraw and money_repay write their whole end themselves, in one
-- plpgsql function each: what money_settle did by calling ledger_record, market_move_totals
-- and ledger_move (four function layers and the four SELECTs that called them) is written
-- inline, statement for statement; and the ledger accounts' balances are moved by one lock
-- statement and one UPDATE instead of a grouping query and an UPDATE (or a lock) per account.
--
-- Why (measured: instructions per movement, valgrind's cachegrind on a single-user backend
-- running 200 movements in a procedure, each its own transaction, on a fixed copy of the same
-- database for every variant; a figure that the other helpers' load on the machine does not
-- move, to within 1 %, where CPU time moved by 20 % run to run):
--  * deposit (2 entries), the whole transaction (key, position lock, money_deposit, COMMIT):
--    2.33 M instructions before, 2.15 M with the layers inline, 2.12 M with the balances
--    moved as below (-9 %); withdrawal (4 entries): 2.97 M, 2.77 M, 2.50 M (-16 %).
--  * Statements per deposit (pg_stat_statements, track = all, the second round trip with its
--    triggers' and foreign keys' statements and the COMMIT): 24 before, 19 now; plpgsql layers
--    5 before (money_deposit, money_settle, ledger_record, market_move_totals, ledger_move),
--    1 now, besides the two triggers' functions.
--  * The layers: each was a PERFORM (an SPI statement with its own executor start) and a
--    plpgsql call (copy_plpgsql_datums, SPI_connect); about 180 k instructions per movement.
--  * The balances: every UPDATE of ledger_accounts prepares the table's CHECK constraints
--    again (ExecConstraints parses ledger_accounts_no_overdraft from its stored text and
--    plans it, once per statement: in a run of deposits 15 % of all instructions went to
--    ExecConstraints, stringToNode alone 10 %); one UPDATE prepares it once, however many
--    accounts the posting moves.
--  * npm run bench -- throughput (CPU per deposit, API + Postgres) moved by more between two
--    runs of the same code than this change moves it, the machine being shared; its figures
--    are in the commit and the report, beside these.
--  * What did not help, measured the same way and left out: the whole end as one statement of
--    data-modifying CTEs (2.38 M for a deposit, and 2.51 M with the position in it too: each
--    CTE's tuplestore, sorts, aggregates and initplans cost more than the statements they
--    replaced); the transaction and its entries in one CTE statement, or the market and its
--    lane in one (+5 k to +30 k each); the accounts looked up in one statement over unnest (+10 k).
--
-- What is written is the same, value for value, row for row, in the same order (checked: the
-- same sequence of deposits, withdrawals, repayments, a refused overdraft, a refused
-- expectation and an unbalanced posting against the functions before and after leave every
-- ledger, position, loan, market, lane and key row identical, ids included):
--  * the position or loan and its change, the check of the row as written (refused before the
--    posting, as before);
--  * the accounts: looked up one key at a time as ledger_record did (its generic plans); when
--    one is missing, ledger_open_accounts creates the missing ones, in entry order, with the
--    INSERT ledger_post used (20261201120100), and they are looked up again;
--  * the transaction, then its entries in entry order, in the same two statements; the balance
--    check (the statement-level trigger) fires as the entries' INSERT ends, as before;
--  * the response, then the market row and its lane with the same additions: x + (-y) is
--    written x - y (exact in numeric, the same scale), and the columns the movement adds 0 to
--    are no longer written (x + 0 is x, with x's scale), under the same conditions
--    (IF principal <> 0, IF scaled <> 0);
--  * the balances: each account moves by the sum of its entries, and an account whose entries
--    sum to zero is locked and not updated, as ledger_move did.
--
-- The locks are taken in the same order: the movement's own rows, the market row, its lane,
-- then the ledger accounts, the customers' then the platform's, each in id order. The lock
-- statement is SELECT … ORDER BY (account_id IS NULL), id FOR NO KEY UPDATE: the sort runs
-- below the row locks, so the rows are locked as they are sorted (ledger_move's order: its
-- platform flag was account_id IS NULL, read from the same rows). FOR NO KEY UPDATE is the
-- lock an UPDATE of the balance takes, and ledger_move's own lock for an account it did not
-- move. The UPDATE that follows, in the same transaction, only finds rows this transaction
-- already holds, so it waits for no one whatever order it visits them in; as a statement of
-- its own it reads the rows as the lock statement left them (READ COMMITTED: a new snapshot per
-- statement), so a balance moved by a movement the lock waited for is added to, not replaced.
-- The CHECK ledger_accounts_no_overdraft still refuses an overdraft in that UPDATE (the
-- application maps the constraint's name, as before), failing the whole movement.
--
-- Both statements read the ids through (SELECT v_ids)::BIGINT[]. With the array as a plain
-- variable, plpgsql's custom plan saw it as a constant of two elements (two index probes)
-- where the generic plan counts ten, so once ledger_accounts had grown (bench throughput at 8
-- clients) the plan cache judged the custom plan cheaper and planned both statements again on
-- every call (pg_stat_statements: 1.01 plans per call, about 195 µs of planning each). Read
-- through an initplan the array's length is unknown to both plans, they cost the same, and the
-- generic plan is kept (6 plans in 1,200 calls on 3,000 ledger accounts; 0.02 per call at 8
-- clients in the bench). The sums' subplans cost the same in either plan (about 2 of the
-- planner's units against the 10 it charges a custom plan for planning), so they read the
-- arrays directly (30 k instructions less per deposit than through initplans).
--
-- ledger_record, ledger_move, market_move_totals and ledger_post stay as they were: the money
-- path no longer calls them (ledger_post, which calls ledger_record and ledger_move, is used by
-- test/integration/ledger.test.ts; market_move_totals has no caller left). money_settle, which
-- only these three called, is dropped.

-- The accounts a posting names that do not exist yet, created in the order the entries name
-- them (as LedgerService creates them, and as ledger_record did): called only when a movement's
-- lookup found one missing (an account's first movement in an asset), never on the common path.
-- ON CONFLICT DO NOTHING waits for a concurrent creator of the same account to commit; the
-- movement then looks its accounts up again and finds every one.
CREATE FUNCTION "ledger_open_accounts"(
    p_codes TEXT[], p_assets TEXT[], p_kinds TEXT[], p_owners UUID[], p_sides normal_side[],
    p_no_overdraft BOOLEAN[], p_at TIMESTAMPTZ
) RETURNS VOID LANGUAGE sql AS $$
    INSERT INTO "ledger_accounts" (code, asset, kind, account_id, normal_side, no_overdraft, created_at)
    SELECT w.code, w.asset, w.kind, w.owner, w.side, w.no_overdraft, p_at
    FROM (
        SELECT DISTINCT ON (u.code, u.asset) u.*
        FROM unnest(p_codes, p_assets, p_kinds, p_owners, p_sides, p_no_overdraft) WITH ORDINALITY
             AS u(code, asset, kind, owner, side, no_overdraft, n)
        ORDER BY u.code, u.asset, u.n
    ) w
    WHERE NOT EXISTS (SELECT 1 FROM "ledger_accounts" l WHERE l.code = w.code AND l.asset = w.asset)
    ORDER BY w.n
    ON CONFLICT (code, asset) DO NOTHING;
$$;

-- As 20261206170000_deposit_updates_existing_position, with money_settle, ledger_record,
-- market_move_totals and ledger_move written inline (see the header).
CREATE OR REPLACE FUNCTION "money_deposit"(
    p_account UUID, p_asset TEXT, p_tier TEXT, p_now TIMESTAMPTZ, p_ms_into_day BIGINT,
    p_scaled NUMERIC, p_amount NUMERIC, p_matures_at TIMESTAMPTZ,
    p_description TEXT, p_metadata JSONB, p_codes TEXT[], p_assets TEXT[], p_kinds TEXT[], p_owners UUID[],
    p_sides normal_side[], p_no_overdraft BOOLEAN[], p_amounts NUMERIC[],
    p_key_id BIGINT, p_status_code INT, p_response TEXT,
    p_expect_scaled NUMERIC, p_expect_principal NUMERIC
) RETURNS VOID LANGUAGE plpgsql AS $$
DECLARE
    v_scaled NUMERIC;
    v_principal NUMERIC;
    v_ids BIGINT[];
    v_id BIGINT;
    v_transaction BIGINT;
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
    -- The market's shared rows, last, right before the COMMIT of the same message: the market
    -- row, its lane (market_move_totals's), then the ledger accounts.
    IF p_amount <> 0 THEN
        UPDATE "markets" SET supply_principal = supply_principal + p_amount WHERE asset = p_asset;
    END IF;
    IF p_scaled <> 0 THEN
        UPDATE "market_lanes" SET total_supply_scaled = total_supply_scaled + p_scaled,
            supply_scaled_ms = supply_scaled_ms + p_scaled * p_ms_into_day
        WHERE asset = p_asset AND tier = p_tier;
    END IF;
    -- The ledger accounts' balances (ledger_move's): every account of the posting locked in one
    -- statement, the customers' then the platform's, each in id order (the sort runs below the
    -- row locks), then the ones whose entries do not sum to zero moved in one UPDATE. The ids
    -- are read through (SELECT …) so that a custom plan sees no fewer of them than the generic
    -- one (see the header).
    PERFORM a.id FROM "ledger_accounts" a WHERE a.id = ANY ((SELECT v_ids)::BIGINT[]) ORDER BY a.account_id IS NULL, a.id FOR NO KEY UPDATE;
    UPDATE "ledger_accounts" a SET balance = a.balance + (SELECT sum(w.amount) FROM unnest(v_ids, p_amounts) AS w(id, amount) WHERE w.id = a.id)
    WHERE a.id = ANY ((SELECT v_ids)::BIGINT[])
      AND (SELECT sum(w.amount) FROM unnest(v_ids, p_amounts) AS w(id, amount) WHERE w.id = a.id) <> 0;
END;
$$;

-- As 20261206120000_money_checks_inside, with money_settle, ledger_record, market_move_totals
-- and ledger_move written inline (see the header).
CREATE OR REPLACE FUNCTION "money_withdraw"(
    p_account UUID, p_position UUID, p_asset TEXT, p_tier TEXT, p_now TIMESTAMPTZ, p_ms_into_day BIGINT,
    p_scaled NUMERIC, p_principal NUMERIC,
    p_description TEXT, p_metadata JSONB, p_codes TEXT[], p_assets TEXT[], p_kinds TEXT[], p_owners UUID[],
    p_sides normal_side[], p_no_overdraft BOOLEAN[], p_amounts NUMERIC[],
    p_key_id BIGINT, p_status_code INT, p_response TEXT,
    p_expect_scaled NUMERIC, p_expect_principal NUMERIC
) RETURNS VOID LANGUAGE plpgsql AS $$
DECLARE
    v_scaled NUMERIC;
    v_principal NUMERIC;
    v_ids BIGINT[];
    v_id BIGINT;
    v_transaction BIGINT;
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
    IF p_principal <> 0 THEN
        UPDATE "markets" SET supply_principal = supply_principal - p_principal WHERE asset = p_asset;
    END IF;
    IF p_scaled <> 0 THEN
        UPDATE "market_lanes" SET total_supply_scaled = total_supply_scaled - p_scaled,
            supply_scaled_ms = supply_scaled_ms - p_scaled * p_ms_into_day
        WHERE asset = p_asset AND tier = p_tier;
    END IF;
    -- The ledger accounts' balances (ledger_move's): every account of the posting locked in one
    -- statement, the customers' then the platform's, each in id order (the sort runs below the
    -- row locks), then the ones whose entries do not sum to zero moved in one UPDATE. The ids
    -- are read through (SELECT …) so that a custom plan sees no fewer of them than the generic
    -- one (see the header).
    PERFORM a.id FROM "ledger_accounts" a WHERE a.id = ANY ((SELECT v_ids)::BIGINT[]) ORDER BY a.account_id IS NULL, a.id FOR NO KEY UPDATE;
    UPDATE "ledger_accounts" a SET balance = a.balance + (SELECT sum(w.amount) FROM unnest(v_ids, p_amounts) AS w(id, amount) WHERE w.id = a.id)
    WHERE a.id = ANY ((SELECT v_ids)::BIGINT[])
      AND (SELECT sum(w.amount) FROM unnest(v_ids, p_amounts) AS w(id, amount) WHERE w.id = a.id) <> 0;
END;
$$;

-- As 20261206110000_money_settle, with money_settle, ledger_record, market_move_totals and
-- ledger_move written inline (see the header).
CREATE OR REPLACE FUNCTION "money_repay"(
    p_account UUID, p_loan UUID, p_asset TEXT, p_tier TEXT, p_now TIMESTAMPTZ, p_ms_into_day BIGINT,
    p_scaled_after NUMERIC, p_principal_after NUMERIC, p_scaled_paid NUMERIC, p_principal_paid NUMERIC,
    p_description TEXT, p_metadata JSONB, p_codes TEXT[], p_assets TEXT[], p_kinds TEXT[], p_owners UUID[],
    p_sides normal_side[], p_no_overdraft BOOLEAN[], p_amounts NUMERIC[],
    p_key_id BIGINT, p_status_code INT, p_response TEXT
) RETURNS VOID LANGUAGE plpgsql AS $$
DECLARE
    v_ids BIGINT[];
    v_id BIGINT;
    v_transaction BIGINT;
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
    IF p_principal_paid <> 0 THEN
        UPDATE "markets" SET borrow_principal = borrow_principal - p_principal_paid WHERE asset = p_asset;
    END IF;
    IF p_scaled_paid <> 0 THEN
        UPDATE "market_lanes" SET total_borrow_scaled = total_borrow_scaled - p_scaled_paid,
            borrow_scaled_ms = borrow_scaled_ms - p_scaled_paid * p_ms_into_day
        WHERE asset = p_asset AND tier = p_tier;
    END IF;
    -- The ledger accounts' balances (ledger_move's): every account of the posting locked in one
    -- statement, the customers' then the platform's, each in id order (the sort runs below the
    -- row locks), then the ones whose entries do not sum to zero moved in one UPDATE. The ids
    -- are read through (SELECT …) so that a custom plan sees no fewer of them than the generic
    -- one (see the header).
    PERFORM a.id FROM "ledger_accounts" a WHERE a.id = ANY ((SELECT v_ids)::BIGINT[]) ORDER BY a.account_id IS NULL, a.id FOR NO KEY UPDATE;
    UPDATE "ledger_accounts" a SET balance = a.balance + (SELECT sum(w.amount) FROM unnest(v_ids, p_amounts) AS w(id, amount) WHERE w.id = a.id)
    WHERE a.id = ANY ((SELECT v_ids)::BIGINT[])
      AND (SELECT sum(w.amount) FROM unnest(v_ids, p_amounts) AS w(id, amount) WHERE w.id = a.id) <> 0;
END;
$$;

-- Nothing calls it now.
DROP FUNCTION "money_settle"(TEXT, UUID, TEXT, TEXT, TIMESTAMPTZ, BIGINT, NUMERIC, NUMERIC, NUMERIC, NUMERIC, TEXT, JSONB,
    TEXT[], TEXT[], TEXT[], UUID[], normal_side[], BOOLEAN[], NUMERIC[], BIGINT, INT, TEXT);
