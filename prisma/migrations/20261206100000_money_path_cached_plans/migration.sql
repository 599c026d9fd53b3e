-- No statement of a money movement planned again on every call (measured with `npm run bench --
-- throughput`, BENCH_PG_STATEMENTS: pg_stat_statements with track = all and track_planning,
-- which counts the plans of the statements inside plpgsql too). What is written stays the same,
-- value for value, row for row, in the same order; the locks are taken in the same order.
--
-- 1. ledger_record looks each entry's account up by its key in a statement of its own, one
-- entry at a time, instead of one statement over unnest(p_codes, p_assets) LEFT JOIN LATERAL.
--
-- Why: plpgsql's cached plan for that statement was a custom plan on every call (about 1.5
-- plans per deposit, the largest planning cost of a deposit): its generic plan counts 10
-- elements for an unnest of a parameter, ten index scans, where the custom plan sees the two
-- elements of a deposit's posting, so the plan cache judged the custom plan cheaper every time.
-- A lookup of one key by the unique index (code, asset) has the same plan generic or custom, so
-- after its first calls it runs on the generic one. Same rows found (the key is unique), same
-- arrays built (in entry order; NULL for an account that does not exist yet), same INSERT of
-- the missing accounts, in the same order, when one is missing.
--
-- 2. money_begin and money_begin_loan check the caller's API key themselves (api_key_live), from
-- arguments, instead of the application wrapping their call in
-- "SELECT CASE WHEN EXISTS (SELECT 1 FROM api_keys …) THEN money_begin(…) END".
--
-- Why: that top-level statement is simple-protocol text with literals (common/sql/sql-call.ts
-- says why), planned on every call; with the EXISTS subquery in it, its planning cost about
-- three times that of a plain function call. Inside the function the check is planned once per
-- connection. The same check (the key's id, its user, its hash, not revoked), made first, before
-- anything is read or claimed; a key that fails it answers NULL, as the CASE did, and the
-- application answers 401. An admin caller (no API key: p_api_key NULL) is not checked, as before.

-- The caller's API key is still the one the guard saw (common/auth/api-key-cache.ts), and not revoked.
CREATE FUNCTION "api_key_live"(p_api_key UUID, p_user UUID, p_key_hash TEXT)
RETURNS BOOLEAN LANGUAGE sql STABLE AS $$
    SELECT EXISTS (SELECT 1 FROM "api_keys" WHERE id = p_api_key AND user_id = p_user AND key_hash = p_key_hash AND revoked_at IS NULL);
$$;

-- As 20261205400000_ledger_by_key_shared_rows_last, the accounts looked up one key at a time (see 1.).
CREATE OR REPLACE FUNCTION "ledger_record"(
    p_type TEXT, p_description TEXT, p_account_id UUID, p_at TIMESTAMPTZ, p_metadata JSONB,
    p_codes TEXT[], p_assets TEXT[], p_kinds TEXT[], p_owners UUID[], p_sides normal_side[],
    p_no_overdraft BOOLEAN[], p_amounts NUMERIC[],
    OUT transaction_id BIGINT, OUT ledger_account_ids BIGINT[], OUT platform BOOLEAN[]
) LANGUAGE plpgsql AS $$
DECLARE
    v_id BIGINT;
    v_platform BOOLEAN;
BEGIN
    IF cardinality(p_codes) < 2 THEN
        RAISE EXCEPTION 'a posting needs at least two entries' USING ERRCODE = 'check_violation';
    END IF;
    -- Each entry's account by its key; when one is missing, the accounts are created and looked
    -- up again: twice at most, as after the INSERT every one of them exists (ON CONFLICT DO
    -- NOTHING waits for a concurrent creator of the same account to commit).
    LOOP
        ledger_account_ids := '{}';
        platform := '{}';
        FOR i IN 1 .. cardinality(p_codes) LOOP
            -- No row: both NULL (plpgsql's SELECT INTO), so the entry's account is missing.
            SELECT l.id, l.account_id IS NULL INTO v_id, v_platform
            FROM "ledger_accounts" l WHERE l.code = p_codes[i] AND l.asset = p_assets[i];
            ledger_account_ids := ledger_account_ids || v_id;
            platform := platform || v_platform;
        END LOOP;
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

-- As 20261201120100_money_movement_functions, the caller's API key checked first (see 2.): NULL
-- when it is no longer live. The old signature is dropped: one function, not two twins.
DROP FUNCTION "money_begin"(TEXT, TEXT, TEXT, TIMESTAMPTZ, UUID, UUID, TEXT, TEXT, BOOLEAN);
CREATE FUNCTION "money_begin"(
    p_scope TEXT, p_key TEXT, p_request_hash TEXT, p_key_at TIMESTAMPTZ,
    p_account UUID, p_user UUID, p_api_key UUID, p_key_hash TEXT, p_asset TEXT, p_cash_code TEXT, p_realtime BOOLEAN
) RETURNS JSONB LANGUAGE plpgsql AS $$
DECLARE
    v_owner UUID;
    v_kyc TEXT;
    v_claim JSONB;
BEGIN
    IF p_api_key IS NOT NULL AND NOT "api_key_live"(p_api_key, p_user, p_key_hash) THEN
        RETURN NULL;
    END IF;
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

-- As 20261201120100_money_movement_functions, the caller's API key checked first (see 2.).
DROP FUNCTION "money_begin_loan"(TEXT, TEXT, TEXT, TIMESTAMPTZ, UUID, UUID, TEXT, BOOLEAN);
CREATE FUNCTION "money_begin_loan"(
    p_scope TEXT, p_key TEXT, p_request_hash TEXT, p_key_at TIMESTAMPTZ,
    p_loan UUID, p_user UUID, p_api_key UUID, p_key_hash TEXT, p_cash_code TEXT, p_realtime BOOLEAN
) RETURNS JSONB LANGUAGE plpgsql AS $$
DECLARE
    v_account UUID;
    v_asset TEXT;
    v_owner UUID;
    v_claim JSONB;
BEGIN
    IF p_api_key IS NOT NULL AND NOT "api_key_live"(p_api_key, p_user, p_key_hash) THEN
        RETURN NULL;
    END IF;
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
