-- ledger_check_balanced asks both of its questions (does every transaction of the statement's
-- new entries balance in each asset; does every entry name a ledger transaction and a ledger
-- account that exist) in one statement of two EXISTS, and builds its messages only when one of
-- them is yes. Before, every INSERT of entries ran two queries, the first of them aggregating
-- its message (string_agg, with a sort) even when there was nothing to say.
--
-- Why: the trigger was the dearest single part of a deposit. Measured with valgrind's cachegrind
-- as 20261211100000 measures (a single-user backend replaying deposits captured from the API):
-- the trigger took 192 k of a deposit's 2,447 k instructions (79 k its balance query, 99 k its
-- key query, 14 k the call); on top of 20261211110000, 2,322 k per deposit before and 2,286 k
-- after (-37 k; -26 k with the EXISTS for the balance alone).
--
-- What stays the same: the same rows are probed (each entry's transaction and account, by key,
-- OFFSET 0 keeping each probe a per-row SubPlan as 20261210110000 says why); an unbalanced
-- statement is refused with check_violation and the same message, before any key is looked at
-- for its message; an entry with a missing key with foreign_key_violation and the same message.

-- As 20261210110000_ledger_entry_keys_per_statement, both checks in one statement first.
CREATE OR REPLACE FUNCTION "ledger_check_balanced"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    unbalanced TEXT;
    v_orphan RECORD;
BEGIN
    IF EXISTS (SELECT FROM new_entries e GROUP BY e.transaction_id, e.asset HAVING sum(e.amount) <> 0)
       OR EXISTS (SELECT FROM new_entries e
                  WHERE NOT EXISTS (SELECT 1 FROM ledger_transactions t WHERE t.id = e.transaction_id OFFSET 0)
                     OR NOT EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.id = e.ledger_account_id OFFSET 0)) THEN
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
        SELECT e.transaction_id, e.ledger_account_id INTO v_orphan FROM new_entries e
        WHERE NOT EXISTS (SELECT 1 FROM ledger_transactions t WHERE t.id = e.transaction_id OFFSET 0)
           OR NOT EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.id = e.ledger_account_id OFFSET 0)
        LIMIT 1;
        -- (Not found: what was missing a statement ago was committed since by someone else.)
        IF FOUND THEN
            RAISE EXCEPTION 'a ledger entry names no ledger transaction % or no ledger account %', v_orphan.transaction_id, v_orphan.ledger_account_id
                USING ERRCODE = 'foreign_key_violation', TABLE = 'ledger_entries';
        END IF;
    END IF;
    RETURN NULL;
END;
$$;
