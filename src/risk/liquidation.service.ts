import { Injectable, Logger } from '@nestjs/common';
import { PrismaService, Tx } from '../prisma/prisma.service.js';
import { ClockService } from '../clock/clock.service.js';
import { utcDateString } from '../clock/dates.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { Decimal, ZERO, dec } from '../common/money/decimal.js';
import { showRate } from '../calc/compounding.js';
import { AccrualService } from '../accrual/accrual.service.js';
import { MarketsRepository } from '../markets/markets.repository.js';
import { SettingsService, type Settings } from '../settings/settings.service.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { AccountSnapshot, AccountSnapshotService } from '../holdings/account-snapshot.service.js';
import { LiquidationBatch, Notice, StrategyRules, SurplusPosition } from './liquidation-batch.js';
import { liquidateByStrategy } from './liquidate-by-strategy.js';
import { readLiquidationTerms } from '../markets/liquidation-terms.js';
import { writeHoldings } from '../holdings/holding-rows.js';
import { AccountStatus } from '../holdings/valuation.js';
import { warningLevelSeen, warningLevelsCrossed, warningNotices } from './margin-warnings.js';
import type { MarketState } from '../markets/market-state.js';

export interface ReviewOutcome {
  accountId: string;
  statusBefore: AccountStatus;
  statusAfter: AccountStatus;
  marginCall: boolean;
  liquidated: boolean;
  badDebt: string | null;
}

/**
 * Looks at accounts under their row locks and does what each one's LTV calls for: a margin call
 * once per crossing of the margin-call level, a margin_call_warning once per crossing of each
 * of the platform's extra warning levels (margin-warnings.ts), and at the liquidation level a liquidation down
 * to the target (planLiquidation). A batch of accounts is one database transaction: a worker
 * killed half-way leaves nothing half-done, and a second worker on the same accounts finds
 * them already back under their levels.
 *
 * A price crash puts thousands of accounts in trouble at once, so a batch is reviewed with a
 * fixed number of statements whatever its size (SQL on purpose, arrays instead of a statement
 * per row): the accounts are read together, the liquidations worked out in memory
 * (LiquidationBatch), and their rows, the markets' totals and the ledger written set-based.
 */
@Injectable()
export class LiquidationService {
  private readonly logger = new Logger('risk');

  constructor(
    private readonly prisma: PrismaService,
    private readonly clock: ClockService,
    private readonly ledger: LedgerService,
    private readonly accrual: AccrualService,
    private readonly markets: MarketsRepository,
    private readonly settings: SettingsService,
    private readonly notifications: NotificationsService,
    private readonly snapshots: AccountSnapshotService,
  ) {}

  async review(accountId: string): Promise<ReviewOutcome> {
    return (await this.reviewMany([accountId]))[0];
  }

  /**
   * Reviews the accounts in one transaction; one outcome per distinct account, in id order.
   * `event` names the sweep the review belongs to: under close-factor (which may leave an account
   * still below its level) an account already liquidated by that sweep is not liquidated again
   * when the review is repeated (a job retried after its transaction committed). Restore and
   * absorb need no such guard: an account they liquidated is no longer past its level.
   */
  async reviewMany(accountIds: string[], event?: string): Promise<ReviewOutcome[]> {
    const now = await this.clock.now();
    const today = utcDateString(now);
    // Markets behind the clock are brought up to date first, in a short transaction of their
    // own, so that reviews that only look (most of them) never lock a market.
    await this.accrual.bringAllMarketsTo(today);
    const ids = [...new Set(accountIds)].sort();
    return this.prisma.$transaction(
      async (tx) => {
        await this.snapshots.lockAccounts(tx, ids);
        const before = await this.snapshots.takeMany(tx, ids, now);
        const risks = await this.recallRisk(tx, ids);
        const { batch, rules, settings } = await this.batchFor(tx);
        const notices: Notice[] = [];
        const crossings = new Map<string, number>();
        const warningCrossings = new Map<string, number>();
        for (const id of ids) {
          const snapshot = before.get(id)!;
          const risk = risks.get(id) ?? { status: 'healthy', crossings: 0, warning_ltv: null, warning_crossings: 0, lastLiquidationEvent: null };
          crossings.set(id, risk.crossings);
          // The platform's extra warning levels (margin-warnings.ts), each once per crossing.
          const crossed = warningLevelsCrossed(settings.marginCallWarnings, risk.warning_ltv === null ? null : dec(risk.warning_ltv), snapshot.valuation.ltv);
          warningCrossings.set(id, risk.warning_crossings + (crossed.length ? 1 : 0));
          notices.push(...warningNotices(snapshot, crossed, warningCrossings.get(id)!));
          if (snapshot.valuation.status !== 'healthy' && risk.status === 'healthy') {
            crossings.set(id, risk.crossings + 1);
            notices.push(marginCallNotice(snapshot, risk.crossings + 1));
          }
          const repeated = event !== undefined && risk.lastLiquidationEvent === event;
          if (snapshot.valuation.status === 'liquidating' && !repeated) liquidateByStrategy(batch, snapshot, rules);
        }
        await this.writeAccountRows(tx, batch, now);
        // The accounts after, from what the batch wrote (the same arithmetic as reading them again).
        const after = new Map([...batch.liquidated.keys()].map((id) => [id, batch.after(this.snapshots, before.get(id)!)]));
        for (const id of batch.liquidated.keys()) notices.push(batch.liquidationNotice(before.get(id)!, after.get(id)!));
        const sent = await this.notifications.notifyMany(tx, notices);
        const outcomes = ids.map((id): ReviewOutcome => {
          const liquidation = batch.liquidated.get(id);
          return {
            accountId: id,
            statusBefore: before.get(id)!.valuation.status,
            statusAfter: (after.get(id) ?? before.get(id)!).valuation.status,
            marginCall: sent.has(marginCallKey(id, crossings.get(id)!)),
            liquidated: liquidation !== undefined,
            badDebt: liquidation?.badDebt.toFixed() ?? null,
          };
        });
        // Where each account is seen after the review, against the warning levels (a liquidation re-arms those it went back below).
        const warningSeen = ids.map((id) => warningLevelSeen(settings.marginCallWarnings, (after.get(id) ?? before.get(id)!).valuation.ltv)?.toFixed() ?? null);
        const events = ids.map((id) => (event !== undefined && batch.liquidated.has(id) ? event : null));
        await tx.$executeRaw`
          INSERT INTO account_risk (account_id, status, crossings, warning_ltv, warning_crossings, last_liquidation_event, updated_at)
          SELECT *, ${now}::timestamptz FROM unnest(${ids}::uuid[], ${outcomes.map((o) => o.statusAfter)}::text[], ${ids.map((id) => crossings.get(id)!)}::int[],
                                                    ${warningSeen}::numeric[], ${ids.map((id) => warningCrossings.get(id)!)}::int[], ${events}::text[])
          ON CONFLICT (account_id) DO UPDATE SET status = EXCLUDED.status, crossings = EXCLUDED.crossings,
            warning_ltv = EXCLUDED.warning_ltv, warning_crossings = EXCLUDED.warning_crossings,
            last_liquidation_event = coalesce(EXCLUDED.last_liquidation_event, account_risk.last_liquidation_event), updated_at = EXCLUDED.updated_at`;
        await this.writeShared(tx, batch, before, today);
        for (const [id, { sales, badDebt }] of batch.liquidated) {
          this.logger.debug(`liquidated ${id}: ${sales} sale(s), bad debt ${badDebt.toFixed()}`);
        }
        if (batch.liquidated.size) this.logger.log(`reviewed ${ids.length} account(s), liquidated ${batch.liquidated.size}`);
        return outcomes;
      },
      { timeout: 120_000, maxWait: 60_000 },
    );
  }

  /**
   * A batch liquidating by the configured strategy (issue 16). Restore (the default) needs only
   * the fee; the others read every market's terms too, in the review's transaction.
   */
  private async batchFor(tx: Tx): Promise<{ batch: LiquidationBatch; rules?: StrategyRules; settings: Settings }> {
    const settings = await this.settings.get(tx);
    const batch = new LiquidationBatch(settings.liquidationFee);
    if (settings.liquidationStrategy === 'restore') return { batch, settings };
    return { batch, rules: { settings, terms: await readLiquidationTerms(tx) }, settings };
  }

  /** The risk band each account was last seen in (an account never seen is healthy, no crossings yet). */
  private async recallRisk(tx: Tx, ids: string[]): Promise<Map<string, RecalledRisk>> {
    const rows = await tx.$queryRaw<({ account_id: string; last_liquidation_event: string | null } & Omit<RecalledRisk, 'lastLiquidationEvent'>)[]>`
      SELECT account_id, status, crossings, warning_ltv::text, warning_crossings, last_liquidation_event FROM account_risk WHERE account_id = ANY(${ids}::uuid[])`;
    return new Map(rows.map((row) => [row.account_id, { ...row, lastLiquidationEvent: row.last_liquidation_event }]));
  }

  /** The accounts' own rows first (their locks guard them): positions and loans after, and their changes. */
  private async writeAccountRows(tx: Tx, batch: LiquidationBatch, now: Date): Promise<void> {
    await writeHoldings(tx, 'position', batch.positions, now);
    await writeHoldings(tx, 'loan', batch.loans, now);
    await this.writeSurplusPositions(tx, batch.surplusPositions, now);
  }

  /**
   * The absorb strategy's surplus: a position of the debt asset, opened, or refilled when the
   * account's row exists (a position is one row per account and asset; every position it had was
   * just absorbed to zero, so refilling adds to nothing). One statement for the rows, one for
   * their history, as writeHoldings does. SQL on purpose: a crash absorbs thousands at once.
   */
  private async writeSurplusPositions(tx: Tx, surplus: SurplusPosition[], now: Date): Promise<void> {
    if (surplus.length === 0) return;
    const rows = await tx.$queryRaw<{ id: string; account_id: string; asset: string; scaled: string }[]>`
      INSERT INTO positions (id, account_id, asset, scaled, principal, matures_at, opened_at, updated_at)
      SELECT gen_random_uuid(), v.account_id, v.asset, v.scaled, v.principal, v.matures_at, ${now}, ${now}
      FROM unnest(${surplus.map((s) => s.accountId)}::uuid[], ${surplus.map((s) => s.asset)}::text[], ${surplus.map((s) => s.scaled.toFixed())}::numeric[],
                  ${surplus.map((s) => s.principal.toFixed())}::numeric[], ${surplus.map((s) => s.maturesAt)}::timestamptz[])
        AS v(account_id, asset, scaled, principal, matures_at)
      ON CONFLICT (account_id, asset) DO UPDATE SET scaled = positions.scaled + EXCLUDED.scaled, principal = positions.principal + EXCLUDED.principal,
        matures_at = EXCLUDED.matures_at, updated_at = EXCLUDED.updated_at
      RETURNING id, account_id, asset, scaled::text`;
    const tierOf = new Map(surplus.map((s) => [`${s.accountId}|${s.asset}`, s.tier]));
    await tx.$executeRaw`
      INSERT INTO position_changes (position_id, at, kind, scaled_after, tier)
      SELECT id, ${now}, 'absorb_surplus', scaled, tier
      FROM unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.scaled)}::numeric[], ${rows.map((r) => tierOf.get(`${r.account_id}|${r.asset}`)!)}::text[]) AS v(id, scaled, tier)`;
  }

  /**
   * What every account of a market shares, last, held until commit: the markets locked in code
   * order (as every movement locks them), checked to be on the day the sales were priced at,
   * their totals, and the platform's ledger accounts. The ledger writes everything else before
   * it takes those locks (LedgerService.postMany), so batches serialise only on a few statements.
   */
  private async writeShared(tx: Tx, batch: LiquidationBatch, before: Map<string, AccountSnapshot>, today: string): Promise<void> {
    if (batch.postings.length === 0) return;
    const first = before.values().next().value!;
    const assets = [...new Set([...batch.totals.map((t) => t.asset), ...batch.postings.flatMap((p) => p.entries.map((e) => e.account.asset))])].sort();
    const lockMarkets = async () => {
      await this.lockMarketsOnDay(tx, assets, first.markets, today);
      await this.markets.addToTotals(tx, first.now, batch.totals);
    };
    await this.ledger.postMany(tx, batch.postings, { beforePlatformLocks: lockMarkets });
  }

  /**
   * The markets' exclusive locks in one statement (market_lock: their advisory locks, then their
   * rows, in code order, the order every movement takes them in), each checked to be on today,
   * the day the batch's sales were priced at. One round trip, not two per market: every batch
   * of every worker queues for these rows, so the time they are held is the liquidations'
   * bottleneck. No day is closed here: reviewMany brought the markets up to the clock before
   * valuing, so a market found behind (or moved on) means a day turned meanwhile, and the batch
   * gives up; its job runs again and values the accounts afresh.
   */
  private async lockMarketsOnDay(tx: Tx, assets: string[], pricedAt: Map<string, MarketState>, today: string): Promise<void> {
    const rows = await tx.$queryRaw<{ asset: string; index_day: string }[]>`
      SELECT asset, index_day FROM market_lock(${assets}::text[])`;
    const days = new Map(rows.map((row) => [row.asset, row.index_day]));
    for (const asset of assets) {
      const day = days.get(asset);
      if (day === undefined) throw new Error(`market ${asset} does not exist`);
      if (day !== today || pricedAt.get(asset)!.indexDay !== today) {
        throw new Error(`market ${asset} is on ${day}, not on ${today}, the day its liquidations were priced at; retrying`);
      }
    }
  }
}

/**
 * An account's row in account_risk: its band and margin-call crossings, where it stands against
 * the warning levels, and the sweep that last liquidated it (close-factor and absorb: once per sweep).
 */
interface RecalledRisk {
  status: string;
  crossings: number;
  warning_ltv: string | null;
  warning_crossings: number;
  lastLiquidationEvent: string | null;
}

const marginCallKey = (accountId: string, crossing: number) => `margin_call:${accountId}:${crossing}`;

/**
 * Advice in whole cents, rounded up (api-contract): doing exactly what it says brings the
 * account back to its margin-call level. Rounded to the nearest cent, 627.4509… read 627.45,
 * and following it left the account above the level.
 */
export function enoughToRecover(exact: Decimal): string {
  return exact.toDecimalPlaces(2, Decimal.ROUND_UP).toFixed(2);
}

/** How far the account is from safety: the debt to repay, or the collateral value to add. */
function marginCallNotice(snapshot: AccountSnapshot, crossing: number): Notice {
  const { valuation } = snapshot;
  const target = valuation.levels?.marginCallLtv ?? ZERO;
  const repay = Decimal.max(valuation.debtValue.minus(target.times(valuation.collateralValue)), ZERO);
  const add = target.isZero() ? null : Decimal.max(valuation.debtValue.div(target).minus(valuation.collateralValue), ZERO);
  return {
    accountId: snapshot.accountId,
    type: 'margin_call',
    at: snapshot.now,
    dedupeKey: marginCallKey(snapshot.accountId, crossing),
    data: {
      ltv: valuation.ltv ? showRate(valuation.ltv) : null,
      maxLtv: valuation.levels ? showRate(valuation.levels.maxLtv) : null,
      marginCallLtv: showRate(target),
      liquidationLtv: valuation.levels ? showRate(valuation.levels.liquidationLtv) : null,
      collateralValue: valuation.collateralValue.toFixed(),
      debtValue: valuation.debtValue.toFixed(),
      repayToRecover: enoughToRecover(repay),
      addCollateralToRecover: add ? enoughToRecover(add) : null,
      currency: 'USD',
    },
  };
}
