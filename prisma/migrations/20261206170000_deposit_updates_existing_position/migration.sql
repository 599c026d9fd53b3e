-- money_deposit updates the account's position when it has one (a plain UPDATE by its unique key
-- (account_id, asset)) and only inserts it, with the same upsert as before, when it has none.
--
-- Why: INSERT … ON CONFLICT DO UPDATE fires the table's statement-level triggers for INSERT
-- and for UPDATE both, so every deposit ran holdings_written twice (two plpgsql calls, two
-- nextval('holdings_writes')), besides the upsert's speculative insertion (the conflict probe,
-- the new row's gen_random_uuid()) thrown away on every top-up. The counter's readers (the risk
-- sweep, src/risk/risk-sweep.service.ts) only compare it for equality before and after a
-- search: at least one move per writing statement is what they rely on, and the UPDATE gives
-- it (a first deposit still moves it three times: the UPDATE finding no row, then the upsert's
-- two; more moves than writes only make a sweep search again).
--
-- What is written is the same, value for value: the UPDATE's SET is the upsert's DO UPDATE SET
-- (a SET reads the row's old values, as positions.* did there); the change row in the same
-- statement. money_state locked the position's row FOR UPDATE (and the account's, so no other
-- movement of the account can create it meanwhile); when there was none, the upsert runs as
-- before, its ON CONFLICT still there for a writer outside the money path.

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
    PERFORM "money_settle"('deposit', p_account, p_asset, p_tier, p_now, p_ms_into_day, p_scaled, p_amount, 0, 0,
                           p_description, p_metadata, p_codes, p_assets, p_kinds, p_owners, p_sides, p_no_overdraft, p_amounts,
                           p_key_id, p_status_code, p_response);
END;
$$;
