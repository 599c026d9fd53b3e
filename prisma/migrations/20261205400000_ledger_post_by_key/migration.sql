-- ledger_post finds each entry's ledger account by its key, through the unique index, instead of
-- joining the posting's arrays to ledger_accounts.
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

CREATE OR REPLACE FUNCTION "ledger_post"(
    p_type TEXT, p_description TEXT, p_account_id UUID, p_at TIMESTAMPTZ, p_metadata JSONB,
    p_codes TEXT[], p_assets TEXT[], p_kinds TEXT[], p_owners UUID[], p_sides normal_side[],
    p_no_overdraft BOOLEAN[], p_amounts NUMERIC[]
) RETURNS BIGINT LANGUAGE plpgsql AS $$
DECLARE
    v_transaction BIGINT;
    v_ids BIGINT[];
    v_platform BOOLEAN[];
    v_move RECORD;
BEGIN
    IF cardinality(p_codes) < 2 THEN
        RAISE EXCEPTION 'a posting needs at least two entries' USING ERRCODE = 'check_violation';
    END IF;
    SELECT array_agg(la.id ORDER BY w.n), array_agg(la.account_id IS NULL ORDER BY w.n) INTO v_ids, v_platform
    FROM unnest(p_codes, p_assets) WITH ORDINALITY AS w(code, asset, n)
    LEFT JOIN LATERAL (SELECT l.id, l.account_id FROM "ledger_accounts" l WHERE l.code = w.code AND l.asset = w.asset LIMIT 1) la ON TRUE;

    IF array_position(v_ids, NULL) IS NOT NULL THEN
        -- New accounts in the order the entries name them (as LedgerService creates them).
        INSERT INTO "ledger_accounts" (code, asset, kind, account_id, normal_side, no_overdraft, created_at)
        SELECT w.code, w.asset, w.kind, w.owner, w.side, w.no_overdraft, p_at
        FROM (
            SELECT DISTINCT ON (u.code, u.asset) u.*
            FROM unnest(p_codes, p_assets, p_kinds, p_owners, p_sides, p_no_overdraft, v_ids) WITH ORDINALITY
                 AS u(code, asset, kind, owner, side, no_overdraft, id, n)
            WHERE u.id IS NULL
            ORDER BY u.code, u.asset, u.n
        ) w
        ORDER BY w.n
        ON CONFLICT (code, asset) DO NOTHING;
        SELECT array_agg(la.id ORDER BY w.n), array_agg(la.account_id IS NULL ORDER BY w.n) INTO v_ids, v_platform
        FROM unnest(p_codes, p_assets) WITH ORDINALITY AS w(code, asset, n)
        LEFT JOIN LATERAL (SELECT l.id, l.account_id FROM "ledger_accounts" l WHERE l.code = w.code AND l.asset = w.asset LIMIT 1) la ON TRUE;
    END IF;

    INSERT INTO "ledger_transactions" (type, description, account_id, at, metadata)
    VALUES (p_type, p_description, p_account_id, p_at, p_metadata)
    RETURNING id INTO v_transaction;
    INSERT INTO "ledger_entries" (transaction_id, ledger_account_id, asset, amount)
    SELECT v_transaction, w.id, w.asset, w.amount
    FROM unnest(v_ids, p_assets, p_amounts) WITH ORDINALITY AS w(id, asset, amount, n)
    ORDER BY w.n;

    -- Each account locked and moved by its primary key: the customers' first, then the
    -- platform's, each in id order (NO KEY UPDATE, an UPDATE's own lock: it does not wait on
    -- the key-share locks the entries' foreign keys hold).
    FOR v_move IN
        SELECT w.id, sum(w.amount) AS delta
        FROM unnest(v_ids, v_platform, p_amounts) AS w(id, platform, amount)
        GROUP BY w.id, w.platform
        ORDER BY w.platform, w.id
    LOOP
        IF v_move.delta <> 0 THEN
            UPDATE "ledger_accounts" SET balance = balance + v_move.delta WHERE id = v_move.id;
        ELSE
            PERFORM 1 FROM "ledger_accounts" WHERE id = v_move.id FOR NO KEY UPDATE;
        END IF;
    END LOOP;
    RETURN v_transaction;
END;
$$;
