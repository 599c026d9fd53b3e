-- CreateEnum
CREATE TYPE "kyc_status" AS ENUM ('pending', 'approved', 'rejected');

-- CreateEnum
CREATE TYPE "clock_mode" AS ENUM ('simulated', 'realtime');

-- CreateEnum
CREATE TYPE "normal_side" AS ENUM ('debit', 'credit');

-- CreateTable
CREATE TABLE "users" (
    "id" UUID NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "kyc_status" "kyc_status" NOT NULL DEFAULT 'pending',
    "created_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "accounts" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "label" VARCHAR(100) NOT NULL,
    "is_main" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(6) NOT NULL,
    "seq" BIGSERIAL NOT NULL,

    CONSTRAINT "accounts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "key_hash" CHAR(64) NOT NULL,
    "prefix" VARCHAR(16) NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL,
    "revoked_at" TIMESTAMPTZ(6),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "clock_state" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "mode" "clock_mode" NOT NULL DEFAULT 'simulated',
    "now" TIMESTAMPTZ(6) NOT NULL,
    "day_started_through" DATE NOT NULL,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "clock_state_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "settings" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "lending_period_days" INTEGER NOT NULL DEFAULT 7,
    "liquidation_fee" DECIMAL(10,8) NOT NULL DEFAULT 0.05,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "settings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "markets" (
    "asset" VARCHAR(10) NOT NULL,
    "decimals" INTEGER NOT NULL,
    "base_rate" DECIMAL(20,18) NOT NULL,
    "optimal_utilization" DECIMAL(20,18) NOT NULL,
    "slope1" DECIMAL(20,18) NOT NULL,
    "slope2" DECIMAL(20,18) NOT NULL,
    "reserve_factor" DECIMAL(20,18) NOT NULL,
    "max_ltv" DECIMAL(20,18) NOT NULL,
    "margin_call_ltv" DECIMAL(20,18) NOT NULL,
    "liquidation_ltv" DECIMAL(20,18) NOT NULL,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "markets_pkey" PRIMARY KEY ("asset")
);

-- CreateTable
CREATE TABLE "price_points" (
    "id" BIGSERIAL NOT NULL,
    "asset" VARCHAR(10) NOT NULL,
    "price" DECIMAL(40,18) NOT NULL,
    "at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "price_points_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ledger_accounts" (
    "id" BIGSERIAL NOT NULL,
    "code" VARCHAR(200) NOT NULL,
    "asset" VARCHAR(10) NOT NULL,
    "kind" VARCHAR(40) NOT NULL,
    "account_id" UUID,
    "normal_side" "normal_side" NOT NULL,
    "no_overdraft" BOOLEAN NOT NULL DEFAULT false,
    "balance" DECIMAL(40,18) NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "ledger_accounts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ledger_transactions" (
    "id" BIGSERIAL NOT NULL,
    "type" VARCHAR(40) NOT NULL,
    "description" VARCHAR(500),
    "account_id" UUID,
    "reverses" BIGINT,
    "at" TIMESTAMPTZ(6) NOT NULL,
    "metadata" JSONB,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ledger_transactions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ledger_entries" (
    "id" BIGSERIAL NOT NULL,
    "transaction_id" BIGINT NOT NULL,
    "ledger_account_id" BIGINT NOT NULL,
    "asset" VARCHAR(10) NOT NULL,
    "amount" DECIMAL(40,18) NOT NULL,

    CONSTRAINT "ledger_entries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "idempotency_keys" (
    "id" BIGSERIAL NOT NULL,
    "scope" VARCHAR(64) NOT NULL,
    "key" VARCHAR(255) NOT NULL,
    "request_hash" CHAR(64) NOT NULL,
    "status_code" INTEGER,
    "response" JSONB,
    "created_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "idempotency_keys_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "accounts_user_id_idx" ON "accounts"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "accounts_seq_key" ON "accounts"("seq");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_key_hash_key" ON "api_keys"("key_hash");

-- CreateIndex
CREATE INDEX "api_keys_user_id_idx" ON "api_keys"("user_id");

-- CreateIndex
CREATE INDEX "price_points_asset_id_idx" ON "price_points"("asset", "id");

-- CreateIndex
CREATE INDEX "ledger_accounts_account_id_idx" ON "ledger_accounts"("account_id");

-- CreateIndex
CREATE UNIQUE INDEX "ledger_accounts_code_asset_key" ON "ledger_accounts"("code", "asset");

-- CreateIndex
CREATE UNIQUE INDEX "ledger_transactions_reverses_key" ON "ledger_transactions"("reverses");

-- CreateIndex
CREATE INDEX "ledger_transactions_account_id_id_idx" ON "ledger_transactions"("account_id", "id");

-- CreateIndex
CREATE INDEX "ledger_entries_transaction_id_idx" ON "ledger_entries"("transaction_id");

-- CreateIndex
CREATE INDEX "ledger_entries_ledger_account_id_idx" ON "ledger_entries"("ledger_account_id");

-- CreateIndex
CREATE UNIQUE INDEX "idempotency_keys_scope_key_key" ON "idempotency_keys"("scope", "key");

-- AddForeignKey
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_transaction_id_fkey" FOREIGN KEY ("transaction_id") REFERENCES "ledger_transactions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_ledger_account_id_fkey" FOREIGN KEY ("ledger_account_id") REFERENCES "ledger_accounts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------------------
-- Rules Prisma's schema language cannot express. Prisma Migrate leaves them in place.
-- ---------------------------------------------------------------------------------------

-- The clock and the settings are singletons.
ALTER TABLE "clock_state" ADD CONSTRAINT "clock_state_singleton" CHECK ("id" = 1);
ALTER TABLE "settings" ADD CONSTRAINT "settings_singleton" CHECK ("id" = 1);

-- An account that must not be overdrawn refuses it inside the database, whatever code runs.
ALTER TABLE "ledger_accounts" ADD CONSTRAINT "ledger_accounts_no_overdraft" CHECK (
    NOT "no_overdraft"
    OR ("normal_side" = 'debit' AND "balance" >= 0)
    OR ("normal_side" = 'credit' AND "balance" <= 0)
);

ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_amount_nonzero" CHECK ("amount" <> 0);

-- Entries and transactions are facts: a mistake is corrected by a reversing transaction.
CREATE FUNCTION "ledger_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger rows are immutable: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER "ledger_entries_immutable" BEFORE UPDATE OR DELETE ON "ledger_entries"
    FOR EACH ROW EXECUTE FUNCTION "ledger_refuse_change"();
CREATE TRIGGER "ledger_entries_no_truncate" BEFORE TRUNCATE ON "ledger_entries"
    FOR EACH STATEMENT EXECUTE FUNCTION "ledger_refuse_change"();
CREATE TRIGGER "ledger_transactions_immutable" BEFORE UPDATE OR DELETE ON "ledger_transactions"
    FOR EACH ROW EXECUTE FUNCTION "ledger_refuse_change"();
CREATE TRIGGER "ledger_transactions_no_truncate" BEFORE TRUNCATE ON "ledger_transactions"
    FOR EACH STATEMENT EXECUTE FUNCTION "ledger_refuse_change"();

-- Every transaction balances per asset when it commits, whoever wrote it. Checked once per
-- transaction (deferred to commit), so a multi-entry posting can be inserted row by row.
CREATE FUNCTION "ledger_check_balanced"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    unbalanced TEXT;
BEGIN
    SELECT string_agg(asset || ' ' || total::text, ', ') INTO unbalanced
    FROM (
        SELECT asset, sum(amount) AS total FROM "ledger_entries"
        WHERE transaction_id = NEW.transaction_id GROUP BY asset
    ) t WHERE total <> 0;
    IF unbalanced IS NOT NULL THEN
        RAISE EXCEPTION 'ledger transaction % does not balance: %', NEW.transaction_id, unbalanced
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER "ledger_entries_balanced" AFTER INSERT ON "ledger_entries"
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "ledger_check_balanced"();
