-- What each lane's balances were worth over the time they were there, within the market's
-- current day: Σ (scaled change × milliseconds since 00:00) over the day's movements. At the
-- close, the day's time-weighted scaled balance is total − this / 86,400,000, so the loyalty
-- cost counts an intraday deposit only from its time (api-contract, Time and interest).
ALTER TABLE "market_lanes" ADD COLUMN "supply_scaled_ms" DECIMAL(80,30) NOT NULL DEFAULT 0,
ADD COLUMN "borrow_scaled_ms" DECIMAL(80,30) NOT NULL DEFAULT 0;
