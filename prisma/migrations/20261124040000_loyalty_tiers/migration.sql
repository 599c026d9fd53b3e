-- Loyalty tiers: each market keeps one supply and one borrow index, with their scaled totals,
-- per tier (a "lane"); an account's positions and loans live in the lane of its tier.

-- AlterTable
ALTER TABLE "accounts" ADD COLUMN     "tier" VARCHAR(10) NOT NULL DEFAULT 'base';

-- AlterTable
ALTER TABLE "position_changes" ADD COLUMN     "tier" VARCHAR(10) NOT NULL DEFAULT 'base';

-- AlterTable
ALTER TABLE "loan_changes" ADD COLUMN     "tier" VARCHAR(10) NOT NULL DEFAULT 'base';

-- CreateTable
CREATE TABLE "market_lanes" (
    "asset" VARCHAR(10) NOT NULL,
    "tier" VARCHAR(10) NOT NULL,
    "supply_index" DECIMAL(60,40) NOT NULL DEFAULT 1,
    "borrow_index" DECIMAL(60,40) NOT NULL DEFAULT 1,
    "total_supply_scaled" DECIMAL(60,30) NOT NULL DEFAULT 0,
    "total_borrow_scaled" DECIMAL(60,30) NOT NULL DEFAULT 0,

    CONSTRAINT "market_lanes_pkey" PRIMARY KEY ("asset","tier")
);

-- CreateTable
CREATE TABLE "market_lane_days" (
    "asset" VARCHAR(10) NOT NULL,
    "date" DATE NOT NULL,
    "tier" VARCHAR(10) NOT NULL,
    "supply_apr" DECIMAL(40,30) NOT NULL,
    "borrow_apr" DECIMAL(40,30) NOT NULL,
    "supply_index" DECIMAL(60,40) NOT NULL,
    "borrow_index" DECIMAL(60,40) NOT NULL,

    CONSTRAINT "market_lane_days_pkey" PRIMARY KEY ("asset","date","tier")
);

-- Every market gets its four lanes; the base lane takes over the market's indexes and totals,
-- the others start at the same indexes, empty.
INSERT INTO "market_lanes" ("asset", "tier", "supply_index", "borrow_index", "total_supply_scaled", "total_borrow_scaled")
SELECT m."asset", t."tier", m."supply_index", m."borrow_index",
       CASE WHEN t."tier" = 'base' THEN m."total_supply_scaled" ELSE 0 END,
       CASE WHEN t."tier" = 'base' THEN m."total_borrow_scaled" ELSE 0 END
FROM "markets" m CROSS JOIN (VALUES ('base'), ('silver'), ('gold'), ('platinum')) AS t("tier");

INSERT INTO "market_lane_days" ("asset", "date", "tier", "supply_apr", "borrow_apr", "supply_index", "borrow_index")
SELECT "asset", "date", 'base', "supply_apr", "borrow_apr", "supply_index", "borrow_index" FROM "market_days";

ALTER TABLE "markets" DROP CONSTRAINT "markets_totals_not_negative";
ALTER TABLE "markets" DROP COLUMN "supply_index",
DROP COLUMN "borrow_index",
DROP COLUMN "total_supply_scaled",
DROP COLUMN "total_borrow_scaled";

-- CreateIndex
CREATE INDEX "accounts_tier_idx" ON "accounts"("tier");

-- CreateIndex
CREATE INDEX "positions_asset_idx" ON "positions"("asset");

-- AddForeignKey
ALTER TABLE "market_lanes" ADD CONSTRAINT "market_lanes_asset_fkey" FOREIGN KEY ("asset") REFERENCES "markets"("asset") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "market_lane_days" ADD CONSTRAINT "market_lane_days_asset_fkey" FOREIGN KEY ("asset") REFERENCES "markets"("asset") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Rules beyond the schema language.
ALTER TABLE "markets" ADD CONSTRAINT "markets_principal_not_negative" CHECK ("supply_principal" >= 0 AND "borrow_principal" >= 0);
ALTER TABLE "market_lanes" ADD CONSTRAINT "market_lanes_totals_not_negative" CHECK ("total_supply_scaled" >= 0 AND "total_borrow_scaled" >= 0);
ALTER TABLE "market_lanes" ADD CONSTRAINT "market_lanes_tier_known" CHECK ("tier" IN ('base', 'silver', 'gold', 'platinum'));
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_tier_known" CHECK ("tier" IN ('base', 'silver', 'gold', 'platinum'));
