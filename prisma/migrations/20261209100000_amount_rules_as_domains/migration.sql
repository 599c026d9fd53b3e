-- The sign rules on the amounts every money movement writes move from table CHECK constraints
-- into the columns' types: domains over the same numeric type, precision and scale, each with
-- the same rule. The same values are refused, with the same SQLSTATE (23514, check_violation);
-- the error names the domain's constraint instead of the table's (nothing maps those names:
-- they are the database's last guard, not an answer the API gives).
--
--   positions.scaled, loans.scaled_debt, market_lanes.total_supply_scaled / total_borrow_scaled:
--       scaled_not_negative, NUMERIC(60, 30), VALUE >= 0
--   positions.principal, loans.principal, markets.supply_principal / borrow_principal:
--       amount_not_negative, NUMERIC(40, 18), VALUE >= 0
--   ledger_entries.amount:
--       ledger_amount, NUMERIC(40, 18), VALUE <> 0
--
-- Replaced: positions_not_negative, loans_not_negative, markets_principal_not_negative,
-- market_lanes_totals_not_negative (each "a >= 0 AND b >= 0" over two of those columns) and
-- ledger_entries_amount_nonzero. A NULL passes either way (the columns are NOT NULL).
--
-- Why: Postgres prepares a table's CHECK constraints again in every statement that writes the
-- table (ExecRelCheck: stringToNode of the stored expression, expression_planner, ExecInitExpr,
-- once per executor run; 20261207400000 measured the same for ledger_accounts). A domain's
-- constraint is prepared once per backend (the type cache keeps it planned), and a write's cached
-- plan already holds its check. A deposit writes five of these tables in five statements.
-- Measured with valgrind's cachegrind on a single-user backend, 200 deposits (money_begin +
-- money_deposit + COMMIT) over a copy of a seeded 303-account world, the difference of two run
-- lengths (repeatable to 0.01 %): 3,125,152 instructions per deposit with the CHECKs, 2,938,590
-- with the domains (-6.0 %); 2,927,549 with the five CHECKs dropped and nothing in their place,
-- and 3,025,273 with them restated as calls of an IMMUTABLE plpgsql function (20261207400000's
-- way). The domain costs about 11 k instructions of the 197 k the CHECKs cost.
--
-- Changing a column's type to a domain with a constraint rewrites the table (each row is
-- checked), once, here, under an exclusive lock (ledger_entries grows with every movement: on a
-- large ledger this migration takes a while), and drops the planner's statistics of the changed
-- columns: the tables are analysed again at the end.

CREATE DOMAIN "scaled_not_negative" AS NUMERIC(60, 30) CONSTRAINT "scaled_not_negative" CHECK (VALUE >= 0);
CREATE DOMAIN "amount_not_negative" AS NUMERIC(40, 18) CONSTRAINT "amount_not_negative" CHECK (VALUE >= 0);
CREATE DOMAIN "ledger_amount" AS NUMERIC(40, 18) CONSTRAINT "ledger_amount_not_zero" CHECK (VALUE <> 0);

ALTER TABLE "positions" DROP CONSTRAINT "positions_not_negative",
    ALTER COLUMN "scaled" TYPE "scaled_not_negative",
    ALTER COLUMN "principal" TYPE "amount_not_negative";
ALTER TABLE "loans" DROP CONSTRAINT "loans_not_negative",
    ALTER COLUMN "scaled_debt" TYPE "scaled_not_negative",
    ALTER COLUMN "principal" TYPE "amount_not_negative";
ALTER TABLE "markets" DROP CONSTRAINT "markets_principal_not_negative",
    ALTER COLUMN "supply_principal" TYPE "amount_not_negative",
    ALTER COLUMN "borrow_principal" TYPE "amount_not_negative";
ALTER TABLE "market_lanes" DROP CONSTRAINT "market_lanes_totals_not_negative",
    ALTER COLUMN "total_supply_scaled" TYPE "scaled_not_negative",
    ALTER COLUMN "total_borrow_scaled" TYPE "scaled_not_negative";
ALTER TABLE "ledger_entries" DROP CONSTRAINT "ledger_entries_amount_nonzero",
    ALTER COLUMN "amount" TYPE "ledger_amount";

ANALYZE "positions", "loans", "markets", "market_lanes", "ledger_entries";
