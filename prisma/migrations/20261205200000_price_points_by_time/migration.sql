-- A price as of a past instant (the account history's prices at each day's 00:00): the newest
-- point at or before it, found by one walk down this index instead of a scan back from the
-- newest point (a replayed path with hourly prices holds thousands per asset).
CREATE INDEX "price_points_asset_at_id_idx" ON "price_points" ("asset", "at", "id");
