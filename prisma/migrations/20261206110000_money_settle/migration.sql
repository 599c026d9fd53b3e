-- The end every money movement shares, written once: money_settle records the posting, stores
-- the response, then writes the market's shared rows (market_move_totals: the market row, then
-- its lane) and last the ledger accounts' balances (ledger_move: the customers', then the
-- platform's, each in id order). money_deposit, money_withdraw and money_repay each wrote these
-- four steps themselves, in this order (20261205400000_ledger_by_key_shared_rows_last says why
-- the shared rows come last, and why that order of locks keeps movements from deadlocking);
-- now they write their own rows (position or loan, and its change) and call money_settle, so
-- the lock order is stated in one place.
--
-- The response is stored by the UPDATE itself, not through idempotency_store (a function
-- layer per movement: pg_stat_statements counted about 40 µs per deposit for the call around
-- its one UPDATE). idempotency_store stays for the application's own use (a domain error
-- stored with nothing else written).
--
-- What is written is the same, value for value and in the same order, under the same locks.

CREATE FUNCTION "money_settle"(
    p_type TEXT, p_account UUID, p_asset TEXT, p_tier TEXT, p_now TIMESTAMPTZ, p_ms_into_day BIGINT,
    p_supply_scaled NUMERIC, p_supply_principal NUMERIC, p_borrow_scaled NUMERIC, p_borrow_principal NUMERIC,
    p_description TEXT, p_metadata JSONB, p_codes TEXT[], p_assets TEXT[], p_kinds TEXT[], p_owners UUID[],
    p_sides normal_side[], p_no_overdraft BOOLEAN[], p_amounts NUMERIC[],
    p_key_id BIGINT, p_status_code INT, p_response TEXT
) RETURNS VOID LANGUAGE plpgsql AS $$
DECLARE
    v_posting RECORD;
BEGIN
    -- The movement's own rows first: its transaction and entries, its stored response.
    SELECT * INTO v_posting FROM "ledger_record"(p_type, p_description, p_account, p_now, p_metadata,
                          p_codes, p_assets, p_kinds, p_owners, p_sides, p_no_overdraft, p_amounts);
    IF p_key_id IS NOT NULL THEN
        UPDATE "idempotency_keys" SET status_code = p_status_code, response = p_response WHERE id = p_key_id;
    END IF;
    -- The market's shared rows, last, right before the COMMIT of the same message.
    PERFORM "market_move_totals"(p_asset, p_tier, p_ms_into_day, p_supply_scaled, p_supply_principal, p_borrow_scaled, p_borrow_principal);
    PERFORM "ledger_move"(v_posting.ledger_account_ids, v_posting.platform, p_amounts);
END;
$$;

-- As 20261205400000_ledger_by_key_shared_rows_last, the end through money_settle.
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
    PERFORM "money_settle"('deposit', p_account, p_asset, p_tier, p_now, p_ms_into_day, p_scaled, p_amount, 0, 0,
                           p_description, p_metadata, p_codes, p_assets, p_kinds, p_owners, p_sides, p_no_overdraft, p_amounts,
                           p_key_id, p_status_code, p_response);
    RETURN v_row;
END;
$$;

-- As 20261205400000_ledger_by_key_shared_rows_last, the end through money_settle.
CREATE OR REPLACE FUNCTION "money_withdraw"(
    p_account UUID, p_position UUID, p_asset TEXT, p_tier TEXT, p_now TIMESTAMPTZ, p_ms_into_day BIGINT,
    p_scaled NUMERIC, p_principal NUMERIC,
    p_description TEXT, p_metadata JSONB, p_codes TEXT[], p_assets TEXT[], p_kinds TEXT[], p_owners UUID[],
    p_sides normal_side[], p_no_overdraft BOOLEAN[], p_amounts NUMERIC[],
    p_key_id BIGINT, p_status_code INT, p_response TEXT
) RETURNS JSONB LANGUAGE plpgsql AS $$
DECLARE
    v_row RECORD;
BEGIN
    UPDATE "positions" SET scaled = scaled - p_scaled, principal = principal - p_principal, updated_at = p_now
    WHERE id = p_position RETURNING scaled, principal INTO v_row;
    INSERT INTO "position_changes" (position_id, at, kind, scaled_after, tier) VALUES (p_position, p_now, 'withdrawal', v_row.scaled, p_tier);
    PERFORM "money_settle"('withdrawal', p_account, p_asset, p_tier, p_now, p_ms_into_day, -p_scaled, -p_principal, 0, 0,
                           p_description, p_metadata, p_codes, p_assets, p_kinds, p_owners, p_sides, p_no_overdraft, p_amounts,
                           p_key_id, p_status_code, p_response);
    RETURN jsonb_build_object('scaled', v_row.scaled::text, 'principal', v_row.principal::text);
END;
$$;

-- As 20261205400000_ledger_by_key_shared_rows_last, the end through money_settle.
CREATE OR REPLACE FUNCTION "money_repay"(
    p_account UUID, p_loan UUID, p_asset TEXT, p_tier TEXT, p_now TIMESTAMPTZ, p_ms_into_day BIGINT,
    p_scaled_after NUMERIC, p_principal_after NUMERIC, p_scaled_paid NUMERIC, p_principal_paid NUMERIC,
    p_description TEXT, p_metadata JSONB, p_codes TEXT[], p_assets TEXT[], p_kinds TEXT[], p_owners UUID[],
    p_sides normal_side[], p_no_overdraft BOOLEAN[], p_amounts NUMERIC[],
    p_key_id BIGINT, p_status_code INT, p_response TEXT
) RETURNS VOID LANGUAGE plpgsql AS $$
BEGIN
    UPDATE "loans" SET scaled_debt = p_scaled_after, principal = p_principal_after, updated_at = p_now WHERE id = p_loan;
    INSERT INTO "loan_changes" (loan_id, at, kind, scaled_after, tier) VALUES (p_loan, p_now, 'repayment', p_scaled_after, p_tier);
    PERFORM "money_settle"('repayment', p_account, p_asset, p_tier, p_now, p_ms_into_day, 0, 0, -p_scaled_paid, -p_principal_paid,
                           p_description, p_metadata, p_codes, p_assets, p_kinds, p_owners, p_sides, p_no_overdraft, p_amounts,
                           p_key_id, p_status_code, p_response);
END;
$$;
