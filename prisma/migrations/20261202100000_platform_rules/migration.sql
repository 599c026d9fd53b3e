-- Platform rules beyond today's single set (issue 16, docs/presets.md): each default is today's
-- behaviour, so nothing changes until an admin (or a preset) sets them through PUT /v1/settings.
--  * top_up_resets_maturity: a top-up moves the whole position's maturity (true), or the
--    maturity stays one lending period after the position's first deposit (false);
--  * whole_position_withdrawals: only the whole matured position may be withdrawn (true), or
--    any amount up to it (false);
--  * loyalty_tiers: tiers are assigned at each 00:00 (true), or every account is kept in base;
--  * margin_call_warnings: extra LTV levels (a JSON array of decimal strings, ascending, each
--    in (0, 1)) at which an account gets a margin_call_warning notice once per crossing.
ALTER TABLE "settings"
    ADD COLUMN "top_up_resets_maturity" BOOLEAN NOT NULL DEFAULT TRUE,
    ADD COLUMN "whole_position_withdrawals" BOOLEAN NOT NULL DEFAULT TRUE,
    ADD COLUMN "loyalty_tiers" BOOLEAN NOT NULL DEFAULT TRUE,
    ADD COLUMN "margin_call_warnings" JSONB NOT NULL DEFAULT '[]';

-- The highest warning level the account's LTV was last seen at or above (NULL: below them all),
-- and a counter of warning crossings, part of each warning's dedupe key (as `crossings` is for
-- margin calls): a level falls back below, then is crossed again, and warns again.
ALTER TABLE "account_risk"
    ADD COLUMN "warning_ltv" NUMERIC(10, 8),
    ADD COLUMN "warning_crossings" INTEGER NOT NULL DEFAULT 0;
