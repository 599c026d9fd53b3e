-- The two statement-level triggers a money movement fires, restated to cost less per statement;
-- each guarantees what it guaranteed (measured with `npm run bench -- throughput`, perf with
-- dwarf call graphs on the backend of a replay of the fast deposit's two messages; see the commit).
--
-- 1. ledger_check_balanced sums the statement's new entries (its transition table) per ledger
-- transaction and asset, instead of re-reading from ledger_entries every entry of every
-- transaction the statement touched (a hash semi-join of the transition table to an index scan
-- of ledger_entries_transaction_id_idx and a heap fetch per entry, on every posting).
--
-- Why the same statements are refused, with the same message: entries are never updated nor
-- deleted (ledger_entries_immutable), nor truncated (ledger_entries_no_truncate), and every
-- statement that inserts entries runs this check, which fails the statement (and so its
-- transaction, or its savepoint) when a transaction it touches does not balance; before this
-- statement-level check existed, the foundation's per-row check ran at every commit. So before
-- any INSERT every ledger transaction's entries sum to zero in each asset, as seen by the
-- statement (its own transaction's earlier statements passed the same check; another's
-- uncommitted entries were never visible to the old query either). A transaction's total after
-- the statement is that zero plus the sum of the statement's new entries: it is zero exactly
-- when the new entries' sum is, and the two totals the message reports are equal. Same order
-- (transaction id, asset), same text.
--
-- 2. holdings_written moves the counter by assigning nextval to a variable, which plpgsql
-- evaluates as a simple expression (no executor started), instead of PERFORM, which runs
-- "SELECT nextval(…)" through SPI and a whole executor start and end. One nextval per statement
-- that writes positions, loans or accounts, as before (20261202120000_holdings_writes_sequence).

CREATE OR REPLACE FUNCTION "ledger_check_balanced"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    unbalanced TEXT;
BEGIN
    -- The statement's entries alone (see 1.): every transaction balanced before it.
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

CREATE OR REPLACE FUNCTION "holdings_written"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_moved BIGINT;
BEGIN
    -- A simple expression (see 2.): the counter moves once per statement, as before.
    v_moved := nextval('holdings_writes');
    RETURN NULL;
END;
$$;
