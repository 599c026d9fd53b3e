-- Liquidation strategies (issue 16): beside "restore to the margin-call level" (today's, the
-- default), Aave v3's close factor and Compound v3's absorb. Every default keeps today's
-- behaviour: the strategy stays 'restore', which reads none of the new columns. The other
-- defaults are the platforms' own (Aave v3.3: close factor 0.5, whole below HF 0.95 or $2,000,
-- protocol share 10 % of the bonus; Comet: store-front factor 0.5) or LendLab's (a 5 % bonus
-- and a 0.95 liquidation factor: what today's 5 % fee takes).
ALTER TABLE "settings"
  ADD COLUMN "liquidation_strategy" VARCHAR(20) NOT NULL DEFAULT 'restore',
  ADD COLUMN "close_factor" DECIMAL(10,8) NOT NULL DEFAULT 0.5,
  ADD COLUMN "full_close_health_factor" DECIMAL(10,8) NOT NULL DEFAULT 0.95,
  ADD COLUMN "full_close_below_value" DECIMAL(33,18) NOT NULL DEFAULT 2000,
  ADD COLUMN "store_front_price_factor" DECIMAL(10,8) NOT NULL DEFAULT 0.5,
  ADD CONSTRAINT "settings_liquidation_strategy_check" CHECK ("liquidation_strategy" IN ('restore', 'close-factor', 'absorb'));

ALTER TABLE "markets"
  ADD COLUMN "liquidation_bonus" DECIMAL(22,18) NOT NULL DEFAULT 0.05,
  ADD COLUMN "protocol_fee_share" DECIMAL(22,18) NOT NULL DEFAULT 0.1,
  ADD COLUMN "liquidation_factor" DECIMAL(22,18) NOT NULL DEFAULT 0.95;

-- The sweep (a price move, a day, an advance's end) that last liquidated the account: a close
-- factor may leave an account still below its level, and a review of the same sweep run again
-- (a job retried after its transaction committed) must not close it a second time.
ALTER TABLE "account_risk" ADD COLUMN "last_liquidation_event" VARCHAR(200);
