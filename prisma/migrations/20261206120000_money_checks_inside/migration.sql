-- money_deposit and money_withdraw check the position as written against what the application
-- computed themselves, from two arguments (p_expect_scaled, p_expect_principal), instead of
-- returning it as JSON for money_expect to compare (20261203300000_money_expect): one function
-- layer less per movement (a plpgsql call and its loop over the JSON's keys), and no JSON built,
-- returned and parsed again. The same check: the row's scaled and principal equal the expected
-- ones as numerics (1.50 = 1.5), else the statement is refused with check_violation, which
-- rolls the whole movement back before its COMMIT. It is made as soon as the position is
-- written, before money_settle: a refused movement no longer takes the market's shared rows.
--
-- Both return nothing now; the old signatures are dropped (one function each, not two twins),
-- and money_expect, which nothing calls any more, with them. What is written is unchanged.

DROP FUNCTION "money_deposit"(UUID, TEXT, TEXT, TIMESTAMPTZ, BIGINT, NUMERIC, NUMERIC, TIMESTAMPTZ, TEXT, JSONB,
    TEXT[], TEXT[], TEXT[], UUID[], normal_side[], BOOLEAN[], NUMERIC[], BIGINT, INT, TEXT);
DROP FUNCTION "money_withdraw"(UUID, UUID, TEXT, TEXT, TIMESTAMPTZ, BIGINT, NUMERIC, NUMERIC, TEXT, JSONB,
    TEXT[], TEXT[], TEXT[], UUID[], normal_side[], BOOLEAN[], NUMERIC[], BIGINT, INT, TEXT);
DROP FUNCTION "money_expect"(JSONB, JSONB);

-- As 20261206110000_money_settle, the position as written checked here.
CREATE FUNCTION "money_deposit"(
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
    IF (v_scaled, v_principal) IS DISTINCT FROM (p_expect_scaled, p_expect_principal) THEN
        RAISE EXCEPTION 'the deposit wrote scaled = %, principal = %; computed %, %', v_scaled, v_principal, p_expect_scaled, p_expect_principal
            USING ERRCODE = 'check_violation';
    END IF;
    PERFORM "money_settle"('deposit', p_account, p_asset, p_tier, p_now, p_ms_into_day, p_scaled, p_amount, 0, 0,
                           p_description, p_metadata, p_codes, p_assets, p_kinds, p_owners, p_sides, p_no_overdraft, p_amounts,
                           p_key_id, p_status_code, p_response);
END;
$$;

-- As 20261206110000_money_settle, the position as written checked here.
CREATE FUNCTION "money_withdraw"(
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
BEGIN
    UPDATE "positions" SET scaled = scaled - p_scaled, principal = principal - p_principal, updated_at = p_now
    WHERE id = p_position RETURNING scaled, principal INTO v_scaled, v_principal;
    IF (v_scaled, v_principal) IS DISTINCT FROM (p_expect_scaled, p_expect_principal) THEN
        RAISE EXCEPTION 'the withdrawal wrote scaled = %, principal = %; computed %, %', v_scaled, v_principal, p_expect_scaled, p_expect_principal
            USING ERRCODE = 'check_violation';
    END IF;
    INSERT INTO "position_changes" (position_id, at, kind, scaled_after, tier) VALUES (p_position, p_now, 'withdrawal', v_scaled, p_tier);
    PERFORM "money_settle"('withdrawal', p_account, p_asset, p_tier, p_now, p_ms_into_day, -p_scaled, -p_principal, 0, 0,
                           p_description, p_metadata, p_codes, p_assets, p_kinds, p_owners, p_sides, p_no_overdraft, p_amounts,
                           p_key_id, p_status_code, p_response);
END;
$$;
