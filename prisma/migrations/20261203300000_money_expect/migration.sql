-- The fast money path commits in the same message as its movement's function
-- (src/holdings/movement-statements.ts: "SELECT money_deposit(…); COMMIT"), so the check the
-- application made after the call (the position as written holds what it computed from the
-- row it locked) must be made inside the statement, before the COMMIT: money_expect returns
-- the movement's row unchanged when its numbers equal the expected ones (as numerics: 1.50 = 1.5),
-- and refuses the statement otherwise, which rolls the whole movement back.
CREATE FUNCTION "money_expect"(p_row JSONB, p_expected JSONB) RETURNS JSONB LANGUAGE plpgsql AS $$
DECLARE
    v_field TEXT;
BEGIN
    FOR v_field IN SELECT jsonb_object_keys(p_expected) LOOP
        IF (p_row ->> v_field)::numeric IS DISTINCT FROM (p_expected ->> v_field)::numeric THEN
            RAISE EXCEPTION 'the movement wrote % = %, computed %', v_field, p_row ->> v_field, p_expected ->> v_field
                USING ERRCODE = 'check_violation';
        END IF;
    END LOOP;
    RETURN p_row;
END;
$$;
