-- A counter that moves whenever anything a risk sweep values may have changed: any statement
-- that writes positions or loans, or writes accounts (their tier picks the lane their holdings
-- are valued in). The risk sweep (src/risk/risk-sweep.service.ts) reads it before a full
-- search and again later: unchanged, no holding moved in between, and only the lanes' factors
-- (indexes, prices, levels) can have moved an account's LTV, by a bound it computes.
--
-- A sequence, not a counter row: nextval never waits for another transaction (a row would
-- serialize every money movement on it) and is never rolled back (a write that rolls back
-- still moves it: at worst one needless full search). Statement-level triggers: one nextval per
-- statement, however many rows it writes. Writers in flight when a search starts are caught by
-- the search itself (it refuses to remember a snapshot with transactions in progress).

CREATE SEQUENCE "holdings_writes";

CREATE FUNCTION "holdings_written"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM nextval('holdings_writes');
    RETURN NULL;
END;
$$;

CREATE TRIGGER "positions_written" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "positions"
    FOR EACH STATEMENT EXECUTE FUNCTION "holdings_written"();
CREATE TRIGGER "loans_written" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "loans"
    FOR EACH STATEMENT EXECUTE FUNCTION "holdings_written"();
CREATE TRIGGER "accounts_written" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "accounts"
    FOR EACH STATEMENT EXECUTE FUNCTION "holdings_written"();
