-- The money functions plan with sequential scans off (a setting of each function, in force
-- while it runs: its statements are planned, and their plans cached, under it). Every statement
-- they run reads or writes rows by key (an account, a user, an API key, a position, a loan, a
-- market and its lanes, ledger accounts by code or id, an idempotency key), and each of those
-- tables has the index for it.
--
-- Why: in a small world (a sandbox; the bench's 256 accounts) the planner judges a whole scan
-- of a table of a few pages cheaper than an index probe (random_page_cost 4 against
-- seq_page_cost 1, priced for a disk, where here every page is in memory), so once autovacuum
-- had analysed the tables, money_begin scanned accounts twice (the key check's join, and the
-- account's FOR UPDATE), users once (a hash join) and loans once (has_loans), and both functions
-- scanned market_lanes (ledger_accounts too, in a world of a few accounts): work in proportion
-- to the tables, on every movement. Measured (valgrind's cachegrind on a single-user backend, a seeded world of 303
-- accounts, 200 deposits, money_begin and money_deposit each in its transaction as the API runs
-- them): 3.55 M instructions per deposit as it was, 3.14 M with this (-11.5 %). The same with
-- random_page_cost = 1.1 instead: 3.19 M (it leaves the scans of loans and market_lanes); the
-- setting for the whole session instead of per function: 3.14 M (the function-level SET costs
-- about 7 k instructions a call, and keeps the rule with the functions, whoever calls them).
-- In a large world the planner picks the index by itself (a table of many pages costs more to
-- scan than a probe); this makes the plan the same at every size.
--
-- Nothing else changes: the same statements, the same rows, the same locks in the same order
-- (a row locked FOR UPDATE through an index is the same row, locked the same way; the tables
-- that were scanned were scanned for the same rows). The setting holds for whatever is planned
-- while a function runs: its statements, and the triggers and immediate foreign-key checks they
-- fire (whose plans Postgres caches per connection, built under the setting when built there).
-- It does not reach the ledger accounts' foreign-key check, deferred to COMMIT: in a tiny
-- world Postgres scans that table's page or two there; at the bench's size it uses the index.
-- clock_state and settings (one row each) are probed through their primary keys, a little
-- dearer than reading their one page. A statement added to these functions needs an index to
-- read by, as these have.
--
-- test/integration/money-plans.test.ts runs a deposit (money_begin, money_deposit) and a
-- repayment's first half (money_begin_loan, the loan locked) in an analysed small world and
-- checks, in pg_stat_xact_user_tables, that they scanned no table whole before the COMMIT;
-- without this migration it found tables scanned whole (accounts twice, clock_state,
-- idempotency_keys, ledger_accounts five times, and more). It checks the setting itself on
-- all five functions: a later CREATE OR REPLACE FUNCTION of one of them must restate it (SET
-- enable_seqscan = off in its definition), as CREATE OR REPLACE drops a setting it does not name.

ALTER FUNCTION "money_begin"(TEXT, TEXT, TEXT, TIMESTAMPTZ, UUID, UUID, UUID, TEXT, TEXT, TEXT, BOOLEAN) SET enable_seqscan = off;
ALTER FUNCTION "money_begin_loan"(TEXT, TEXT, TEXT, TIMESTAMPTZ, UUID, UUID, UUID, TEXT, TEXT, BOOLEAN) SET enable_seqscan = off;
ALTER FUNCTION "money_deposit"(UUID, TEXT, TEXT, TIMESTAMPTZ, BIGINT, NUMERIC, NUMERIC, TIMESTAMPTZ, TEXT, JSONB, TEXT[], TEXT[], TEXT[], UUID[], normal_side[], BOOLEAN[], NUMERIC[], BIGINT, INT, TEXT, NUMERIC, NUMERIC) SET enable_seqscan = off;
ALTER FUNCTION "money_withdraw"(UUID, UUID, TEXT, TEXT, TIMESTAMPTZ, BIGINT, NUMERIC, NUMERIC, TEXT, JSONB, TEXT[], TEXT[], TEXT[], UUID[], normal_side[], BOOLEAN[], NUMERIC[], BIGINT, INT, TEXT, NUMERIC, NUMERIC) SET enable_seqscan = off;
ALTER FUNCTION "money_repay"(UUID, UUID, TEXT, TEXT, TIMESTAMPTZ, BIGINT, NUMERIC, NUMERIC, NUMERIC, NUMERIC, TEXT, JSONB, TEXT[], TEXT[], TEXT[], UUID[], normal_side[], BOOLEAN[], NUMERIC[], BIGINT, INT, TEXT) SET enable_seqscan = off;
