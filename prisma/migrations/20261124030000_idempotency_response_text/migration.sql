-- AlterTable: keep the first response's exact bytes (jsonb reorders keys), so a replay is identical.
ALTER TABLE "idempotency_keys" ALTER COLUMN "response" SET DATA TYPE TEXT USING "response"::text;
