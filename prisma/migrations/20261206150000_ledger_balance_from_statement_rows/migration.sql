-- The ledger's balance check (the statement-level trigger ledger_entries_balanced) sums the
-- rows the statement inserted (its transition table), per transaction and asset, instead of
-- looking every transaction it touches up again in ledger_entries (an index scan on
-- transaction_id per transaction, joined to the transition table, inside every movement's
-- entries INSERT).
--
-- The guarantee is the same: every ledger transaction's entries sum to zero per asset. Entries
-- are never updated, deleted or truncated (ledger_entries_immutable, ledger_entries_no_truncate),
-- so a transaction's entries are those its statements inserted, and if each statement's rows
-- sum to zero per transaction and asset, so do all of them, committed or not, concurrent or not.
-- A statement that leaves any transaction's new rows unbalanced is refused at once, as before;
-- under the rule that a transaction's entries are written in one statement
-- (20261201120000_statement_level_ledger_check) the sums, and the message, are the same.
-- (Every transaction written before the per-statement check was checked by the per-row
-- deferred trigger it replaced.)
CREATE OR REPLACE FUNCTION "ledger_check_balanced"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    unbalanced TEXT;
BEGIN
    SELECT string_agg('ledger transaction ' || transaction_id || ' does not balance: ' || asset || ' ' || total::text, '; ' ORDER BY transaction_id, asset)
    INTO unbalanced
    FROM (
        SELECT n.transaction_id, n.asset, sum(n.amount) AS total
        FROM new_entries n
        GROUP BY n.transaction_id, n.asset
    ) t WHERE total <> 0;
    IF unbalanced IS NOT NULL THEN
        RAISE EXCEPTION '%', unbalanced USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$;
