-- A ledger entry's transaction and ledger account are checked to exist once per statement, by
-- the trigger that already checks each statement's entries balance (ledger_check_balanced),
-- instead of by two foreign keys, one RI query per entry each. Ledger accounts are never
-- deleted, truncated or given another id (transactions and entries already never change:
-- ledger_*_immutable, ledger_*_no_truncate), so an entry checked when written stays valid.
--
-- Why: every money movement writes two to four entries, and each entry ran two RI queries
-- (SELECT 1 … FOR KEY SHARE through SPI: the transaction's at once, the account's at COMMIT since
-- 20261206130000_ledger_entry_account_checked_at_commit). A quiet stretch of a year posts
-- thousands of entries in one statement. Measured with valgrind's cachegrind on a single-user
-- backend, 200 deposits over a copy of a seeded 303-account world (money_begin + money_deposit +
-- COMMIT, the difference of two run lengths): 2,572,994 instructions per deposit with the keys,
-- 2,486,308 with this check (-3.4 %). Measured alternatives: the EXISTS without OFFSET 0,
-- 2,447,766, but planned as a hashed SubPlan in a young database (below); the same checks as
-- LATERAL … LIMIT 1 joins, 2,520,685; folded into the balance query (a bool_or of both EXISTS
-- per group), 2,488,648 and hashable too.
--
-- What stays the same:
--   - an entry naming no transaction or no ledger account is refused with the foreign key's
--     SQLSTATE (23503, foreign_key_violation), and the whole statement with it; the money path
--     and LedgerService create or look up every account before its entries (ledger_record,
--     ensureAccounts), so a missing one is a bug, refused as before;
--   - nothing can take an account away from its entries: a ledger account cannot be deleted
--     (before, the foreign key refused it while entries named it; no code deletes one) and its
--     id cannot change (before, ON UPDATE CASCADE would have rewritten immutable entries, which
--     their own trigger refused).
-- What changes:
--   - a missing ledger account is refused at the end of the statement that wrote the entry, no
--     longer at COMMIT (the account's foreign key was deferred since 20261206130000); every
--     writer creates its accounts before their entries, so no caller relied on the deferral;
--   - no lock is taken on the ledger account for the check (the foreign key took FOR KEY SHARE
--     at COMMIT); nothing needs one, since the account cannot go away.

ALTER TABLE "ledger_entries" DROP CONSTRAINT "ledger_entries_transaction_id_fkey";
ALTER TABLE "ledger_entries" DROP CONSTRAINT "ledger_entries_ledger_account_id_fkey";

-- As 20261203300100_fewer_money_statements, and then the keys of the same new entries.
CREATE OR REPLACE FUNCTION "ledger_check_balanced"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    unbalanced TEXT;
    v_orphan RECORD;
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
    -- One probe of each key's index per entry. OFFSET 0 keeps each EXISTS a per-row SubPlan:
    -- without it Postgres 18 may plan it as a hashed SubPlan that reads a whole range of the
    -- table into a hash on every call (seen with auto_explain: 1.5-4.6 ms per deposit).
    SELECT e.transaction_id, e.ledger_account_id INTO v_orphan FROM new_entries e
    WHERE NOT EXISTS (SELECT 1 FROM ledger_transactions t WHERE t.id = e.transaction_id OFFSET 0)
       OR NOT EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.id = e.ledger_account_id OFFSET 0)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'a ledger entry names no ledger transaction % or no ledger account %', v_orphan.transaction_id, v_orphan.ledger_account_id
            USING ERRCODE = 'foreign_key_violation', TABLE = 'ledger_entries';
    END IF;
    RETURN NULL;
END;
$$;

CREATE FUNCTION "ledger_accounts_kept"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger accounts are never removed and keep their ids: % on ledger_accounts refused', TG_OP
        USING ERRCODE = 'foreign_key_violation', TABLE = 'ledger_accounts';
END;
$$;

-- Statement-level: every movement updates balances (never the id), and passes no row trigger.
CREATE TRIGGER "ledger_accounts_never_deleted" BEFORE DELETE ON "ledger_accounts"
    FOR EACH STATEMENT EXECUTE FUNCTION "ledger_accounts_kept"();
CREATE TRIGGER "ledger_accounts_never_truncated" BEFORE TRUNCATE ON "ledger_accounts"
    FOR EACH STATEMENT EXECUTE FUNCTION "ledger_accounts_kept"();
CREATE TRIGGER "ledger_accounts_id_kept" BEFORE UPDATE OF "id" ON "ledger_accounts"
    FOR EACH STATEMENT EXECUTE FUNCTION "ledger_accounts_kept"();
