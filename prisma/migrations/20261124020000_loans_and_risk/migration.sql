-- CreateTable
CREATE TABLE "loans" (
    "id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "asset" VARCHAR(10) NOT NULL,
    "scaled_debt" DECIMAL(60,30) NOT NULL,
    "principal" DECIMAL(40,18) NOT NULL,
    "borrowed" DECIMAL(40,18) NOT NULL,
    "opened_at" TIMESTAMPTZ(6) NOT NULL,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,
    "seq" BIGSERIAL NOT NULL,

    CONSTRAINT "loans_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "loan_changes" (
    "id" BIGSERIAL NOT NULL,
    "loan_id" UUID NOT NULL,
    "at" TIMESTAMPTZ(6) NOT NULL,
    "kind" VARCHAR(20) NOT NULL,
    "scaled_after" DECIMAL(60,30) NOT NULL,

    CONSTRAINT "loan_changes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "account_risk" (
    "account_id" UUID NOT NULL,
    "status" VARCHAR(20) NOT NULL,
    "crossings" INTEGER NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "account_risk_pkey" PRIMARY KEY ("account_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "loans_seq_key" ON "loans"("seq");

-- CreateIndex
CREATE INDEX "loans_account_id_idx" ON "loans"("account_id");

-- CreateIndex
CREATE INDEX "loan_changes_loan_id_at_idx" ON "loan_changes"("loan_id", "at");

-- AddForeignKey
ALTER TABLE "loan_changes" ADD CONSTRAINT "loan_changes_loan_id_fkey" FOREIGN KEY ("loan_id") REFERENCES "loans"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "loans" ADD CONSTRAINT "loans_not_negative" CHECK ("scaled_debt" >= 0 AND "principal" >= 0);
