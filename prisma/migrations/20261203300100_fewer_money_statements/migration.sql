-- Fewer statements per money movement, each result as before (measured with pg_stat_statements,
-- track = all: the posting was most of a deposit's time in Postgres).
--
--  * The balance check reads only the statement's own entries (its transition table), not the
--    transactions' stored entries again. The same rule: entries are never updated or deleted
--    (the foundation's triggers), so a transaction balanced before a statement is balanced
--    after it exactly when that statement's entries for it sum to zero per asset; and the sum
--    it reports for an unbalanced one is the same (what was there before summed to zero).
--  * ledger_post moves the cached balances in two statements instead of four (two calls of
--    ledger_move_balances, each a lock and an update): one lock statement, in the same order
--    as before (the customers' accounts, then the platform's, each in id order: ORDER BY runs
--    below the row locks, so rows are locked as they are sorted), then one update.
--  * money_deposit writes the position and its change in one statement.

CREATE OR REPLACE FUNCTION "ledger_check_balanced"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    unbalanced TEXT;
BEGIN
    SELECT string_agg('ledger transaction ' || transaction_id || ' does not balance: ' || asset || ' ' || total::text, '; ' ORDER BY transaction_id, asset)
    INTO unbalanced
    FROM (
        SELECT e.transaction_id, e.asset, sum(e.amount) AS total
        FROM new_entries e
        GROUP BY e.transaction_id, e.asset
    ) t WHERE total <> 0;
    IF unbalanced IS NOT NULL THEN
        RAISE EXCEPTION '%', unbalanced USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$;

-- As 20261201120100_money_movement_functions, the balances moved in two statements.
CREATE OR REPLACE FUNCTION "ledger_post"(
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

    -- The cached balances the posting touches, locked first: the customers' accounts, then the
    -- platform's, each in id order (NO KEY UPDATE: it does not wait on the key-share locks the
    -- entries' foreign keys hold); then moved; the CHECK refuses an overdraft.
    PERFORM 1 FROM "ledger_accounts" la
    JOIN (SELECT DISTINCT code, asset FROM unnest(p_codes, p_assets) AS w(code, asset)) w ON la.code = w.code AND la.asset = w.asset
    ORDER BY la.account_id IS NULL, la.id
    FOR NO KEY UPDATE OF la;
    UPDATE "ledger_accounts" la SET balance = la.balance + d.delta
    FROM (SELECT code, asset, sum(amount) AS delta FROM unnest(p_codes, p_assets, p_amounts) AS w(code, asset, amount) GROUP BY code, asset) d
    WHERE la.code = d.code AND la.asset = d.asset AND d.delta <> 0;
    RETURN v_transaction;
END;
$$;

-- ledger_post no longer calls it, nor does anything else.
DROP FUNCTION "ledger_move_balances"(TEXT[], TEXT[], NUMERIC[], BOOLEAN);

-- As 20261201120100_money_movement_functions, the position and its change in one statement.
CREATE OR REPLACE FUNCTION "money_deposit"(
    p_account UUID, p_asset TEXT, p_tier TEXT, p_now TIMESTAMPTZ, p_ms_into_day BIGINT,
    p_scaled NUMERIC, p_amount NUMERIC, p_matures_at TIMESTAMPTZ,
    p_description TEXT, p_metadata JSONB, p_codes TEXT[], p_assets TEXT[], p_kinds TEXT[], p_owners UUID[],
    p_sides normal_side[], p_no_overdraft BOOLEAN[], p_amounts NUMERIC[],
    p_key_id BIGINT, p_status_code INT, p_response TEXT
) RETURNS JSONB LANGUAGE plpgsql AS $$
DECLARE
    v_row JSONB;
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
    PERFORM "market_move_totals"(p_asset, p_tier, p_ms_into_day, p_scaled, p_amount, 0, 0);
    PERFORM "ledger_post"('deposit', p_description, p_account, p_now, p_metadata,
                          p_codes, p_assets, p_kinds, p_owners, p_sides, p_no_overdraft, p_amounts);
    IF p_key_id IS NOT NULL THEN
        PERFORM "idempotency_store"(p_key_id, p_status_code, p_response);
    END IF;
    RETURN v_row;
END;
$$;
