-- AlterTable
ALTER TABLE "markets" ADD COLUMN     "borrow_apr" DECIMAL(40,30) NOT NULL DEFAULT 0,
ADD COLUMN     "borrow_index" DECIMAL(60,40) NOT NULL DEFAULT 1,
ADD COLUMN     "borrow_principal" DECIMAL(40,18) NOT NULL DEFAULT 0,
ADD COLUMN     "day_utilization" DECIMAL(40,30) NOT NULL DEFAULT 0,
ADD COLUMN     "index_day" DATE,
ADD COLUMN     "supply_apr" DECIMAL(40,30) NOT NULL DEFAULT 0,
ADD COLUMN     "supply_index" DECIMAL(60,40) NOT NULL DEFAULT 1,
ADD COLUMN     "supply_principal" DECIMAL(40,18) NOT NULL DEFAULT 0,
ADD COLUMN     "total_borrow_scaled" DECIMAL(60,30) NOT NULL DEFAULT 0,
ADD COLUMN     "total_supply_scaled" DECIMAL(60,30) NOT NULL DEFAULT 0;

-- Markets made before this migration start their indexes on the clock's current day.
UPDATE "markets" SET "index_day" = COALESCE((SELECT "day_started_through" FROM "clock_state" WHERE "id" = 1), CURRENT_DATE);
ALTER TABLE "markets" ALTER COLUMN "index_day" SET NOT NULL;

-- CreateTable
CREATE TABLE "market_days" (
    "asset" VARCHAR(10) NOT NULL,
    "date" DATE NOT NULL,
    "utilization" DECIMAL(40,30) NOT NULL,
    "borrow_apr" DECIMAL(40,30) NOT NULL,
    "supply_apr" DECIMAL(40,30) NOT NULL,
    "supply_index" DECIMAL(60,40) NOT NULL,
    "borrow_index" DECIMAL(60,40) NOT NULL,
    "supply_interest" DECIMAL(40,18) NOT NULL,
    "borrow_interest" DECIMAL(40,18) NOT NULL,
    "accrued_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "market_days_pkey" PRIMARY KEY ("asset","date")
);

-- CreateTable
CREATE TABLE "positions" (
    "id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "asset" VARCHAR(10) NOT NULL,
    "scaled" DECIMAL(60,30) NOT NULL,
    "principal" DECIMAL(40,18) NOT NULL,
    "matures_at" TIMESTAMPTZ(6) NOT NULL,
    "opened_at" TIMESTAMPTZ(6) NOT NULL,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "positions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "position_changes" (
    "id" BIGSERIAL NOT NULL,
    "position_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(6) NOT NULL,
    "kind" VARCHAR(20) NOT NULL,
    "scaled_after" DECIMAL(60,30) NOT NULL,

    CONSTRAINT "position_changes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notifications" (
    "id" BIGSERIAL NOT NULL,
    "account_id" UUID NOT NULL,
    "type" VARCHAR(40) NOT NULL,
    "at" TIMESTAMPTZ(6) NOT NULL,
    "data" JSONB NOT NULL,
    "dedupe_key" VARCHAR(200),

    CONSTRAINT "notifications_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sweep_marks" (
    "name" VARCHAR(40) NOT NULL,
    "through" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "sweep_marks_pkey" PRIMARY KEY ("name")
);

-- CreateIndex
CREATE INDEX "positions_matures_at_idx" ON "positions"("matures_at");

-- CreateIndex
CREATE UNIQUE INDEX "positions_account_id_asset_key" ON "positions"("account_id", "asset");

-- CreateIndex
CREATE INDEX "position_changes_position_id_at_idx" ON "position_changes"("position_id", "at");

-- CreateIndex
CREATE UNIQUE INDEX "notifications_dedupe_key_key" ON "notifications"("dedupe_key");

-- CreateIndex
CREATE INDEX "notifications_account_id_id_idx" ON "notifications"("account_id", "id");

-- AddForeignKey
ALTER TABLE "market_days" ADD CONSTRAINT "market_days_asset_fkey" FOREIGN KEY ("asset") REFERENCES "markets"("asset") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "position_changes" ADD CONSTRAINT "position_changes_position_id_fkey" FOREIGN KEY ("position_id") REFERENCES "positions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Rules beyond the schema language.
ALTER TABLE "positions" ADD CONSTRAINT "positions_not_negative" CHECK ("scaled" >= 0 AND "principal" >= 0);
ALTER TABLE "markets" ADD CONSTRAINT "markets_totals_not_negative"
    CHECK ("total_supply_scaled" >= 0 AND "total_borrow_scaled" >= 0 AND "supply_principal" >= 0 AND "borrow_principal" >= 0);
