-- market_move_totals has had no caller since 20261207200000_money_settle_inline wrote the market
-- row's and lane's updates into money_deposit, money_withdraw and money_repay (money_settle was
-- its last caller): dropped, so the market's sums are written in one kind of place only.
DROP FUNCTION "market_move_totals"(TEXT, TEXT, BIGINT, NUMERIC, NUMERIC, NUMERIC, NUMERIC);
