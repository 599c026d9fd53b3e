-- Every ledger transaction balances per asset, checked once per INSERT statement instead of
-- once per entry row at commit (the per-row deferred trigger this replaces ran one sum per
-- entry: two to five per money movement, each re-reading the whole transaction).
--
-- The rule this makes: a transaction's entries are written in ONE statement (LedgerService and
-- ledger_post do so, with arrays). A statement whose entries leave any transaction they touch
-- unbalanced is refused at once, before anything else runs in that database transaction.

DROP TRIGGER "ledger_entries_balanced" ON "ledger_entries";
DROP FUNCTION "ledger_check_balanced"();

CREATE FUNCTION "ledger_check_balanced"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    unbalanced TEXT;
BEGIN
    SELECT string_agg('ledger transaction ' || transaction_id || ' does not balance: ' || asset || ' ' || total::text, '; ' ORDER BY transaction_id, asset)
    INTO unbalanced
    FROM (
        SELECT e.transaction_id, e.asset, sum(e.amount) AS total
        FROM "ledger_entries" e
        WHERE e.transaction_id IN (SELECT DISTINCT transaction_id FROM new_entries)
        GROUP BY e.transaction_id, e.asset
    ) t WHERE total <> 0;
    IF unbalanced IS NOT NULL THEN
        RAISE EXCEPTION '%', unbalanced USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER "ledger_entries_balanced" AFTER INSERT ON "ledger_entries"
    REFERENCING NEW TABLE AS new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION "ledger_check_balanced"();
