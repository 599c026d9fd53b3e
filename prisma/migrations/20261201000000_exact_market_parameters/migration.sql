-- Market parameters are stored exactly as PUT /v1/markets accepts them (api-contract): rates
-- up to 1000 with up to 18 decimals. DECIMAL(20,18) held at most 99.99…: slope2 "100" was a
-- numeric overflow (a 500).
ALTER TABLE "markets" ALTER COLUMN "base_rate" SET DATA TYPE DECIMAL(22,18),
ALTER COLUMN "optimal_utilization" SET DATA TYPE DECIMAL(22,18),
ALTER COLUMN "slope1" SET DATA TYPE DECIMAL(22,18),
ALTER COLUMN "slope2" SET DATA TYPE DECIMAL(22,18),
ALTER COLUMN "reserve_factor" SET DATA TYPE DECIMAL(22,18),
ALTER COLUMN "max_ltv" SET DATA TYPE DECIMAL(22,18),
ALTER COLUMN "margin_call_ltv" SET DATA TYPE DECIMAL(22,18),
ALTER COLUMN "liquidation_ltv" SET DATA TYPE DECIMAL(22,18);
