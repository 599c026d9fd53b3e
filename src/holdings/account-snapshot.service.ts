import { Injectable } from '@nestjs/common';
import type { Tx } from '../prisma/prisma.service.js';
import { Decimal, dec } from '../common/money/decimal.js';
import { MarketsRepository } from '../markets/markets.repository.js';
import { MarketState, liveAt, LiveIndexes, LiveMarket } from '../markets/market-state.js';
import { Tier, isTier } from '../markets/tier-lanes.js';
import { PricesService } from '../prices/prices.service.js';
import { positionAmount } from './positions.js';
import { loanOutstanding } from './loan-outstanding.js';
import { Holding, Valuation, valueAccount } from './valuation.js';

export interface PositionState {
  id: string;
  asset: string;
  scaled: Decimal;
  principal: Decimal;
  amount: Decimal;
  maturesAt: Date;
}

export interface LoanState {
  id: string;
  asset: string;
  scaledDebt: Decimal;
  principal: Decimal;
  outstanding: Decimal;
}

export interface AccountSnapshot {
  accountId: string;
  tier: Tier;
  /** The live indexes of the account's lane in a market. */
  lane: (asset: string) => LiveIndexes;
  now: Date;
  positions: PositionState[];
  loans: LoanState[];
  prices: Map<string, Decimal>;
  markets: Map<string, MarketState>;
  live: Map<string, LiveMarket>;
  valuation: Valuation;
}

/**
 * An account's positions and loans valued at one instant: amounts at the live indexes (rounded
 * the platform's way), prices from the oracle, LTV and levels from valuation.ts. Read inside
 * the caller's transaction, so a caller holding the account's row lock sees a stable account.
 */
@Injectable()
export class AccountSnapshotService {
  constructor(
    private readonly markets: MarketsRepository,
    private readonly prices: PricesService,
  ) {}

  /**
   * Serialises everything that may move an account's positions or loans (and its tier, which
   * decides the lane they are in); returns that tier.
   */
  async lockAccount(tx: Tx, accountId: string): Promise<Tier> {
    const tier = (await this.lockAccounts(tx, [accountId])).get(accountId);
    if (!tier) throw new Error(`account ${accountId} not found`);
    return tier;
  }

  /** Several accounts' locks, taken in id order (as every multi-account path does); their tiers. */
  async lockAccounts(tx: Tx, accountIds: string[]): Promise<Map<string, Tier>> {
    const rows = await tx.$queryRaw<{ id: string; tier: string }[]>`
      SELECT id, tier FROM accounts WHERE id = ANY(${accountIds}::uuid[]) ORDER BY id FOR UPDATE`;
    return new Map(rows.map((row) => [row.id, isTier(row.tier) ? row.tier : 'base']));
  }

  async take(tx: Tx, accountId: string, now: Date): Promise<AccountSnapshot> {
    return (await this.takeMany(tx, [accountId], now)).get(accountId)!;
  }

  /** Many accounts at once, in the same four statements as one (a batch of risk reviews). */
  async takeMany(tx: Tx, accountIds: string[], now: Date): Promise<Map<string, AccountSnapshot>> {
    const [markets, prices, accounts, positionRows, loanRows] = await Promise.all([
      this.markets.readAll(tx),
      this.prices.current(tx),
      tx.$queryRaw<{ id: string; tier: string }[]>`SELECT id, tier FROM accounts WHERE id = ANY(${accountIds}::uuid[])`,
      tx.$queryRaw<{ id: string; account_id: string; asset: string; scaled: string; principal: string; matures_at: Date }[]>`
        SELECT id, account_id, asset, scaled::text, principal::text, matures_at FROM positions
        WHERE account_id = ANY(${accountIds}::uuid[]) AND scaled > 0 ORDER BY account_id, asset`,
      tx.$queryRaw<{ id: string; account_id: string; asset: string; scaled_debt: string; principal: string }[]>`
        SELECT id, account_id, asset, scaled_debt::text, principal::text FROM loans
        WHERE account_id = ANY(${accountIds}::uuid[]) AND scaled_debt > 0 ORDER BY account_id, seq`,
    ]);
    const marketOf = new Map(markets.map((m) => [m.asset, m]));
    const live = new Map(markets.map((m) => [m.asset, liveAt(m, now)]));
    const tiers = new Map(accounts.map((a) => [a.id, isTier(a.tier) ? a.tier : ('base' as Tier)]));
    const positionsOf = groupBy(positionRows, (row) => row.account_id);
    const loansOf = groupBy(loanRows, (row) => row.account_id);
    const snapshots = new Map<string, AccountSnapshot>();
    for (const accountId of accountIds) {
      const tier = tiers.get(accountId) ?? 'base';
      const lane = (asset: string) => live.get(asset)!.lanes[tier];
      const base = { accountId, tier, now, positions: [], loans: [], prices, markets: marketOf, live, lane };
      const held = {
        positions: (positionsOf.get(accountId) ?? []).map((row) => ({
          id: row.id,
          asset: row.asset,
          scaled: dec(row.scaled),
          principal: dec(row.principal),
          maturesAt: row.matures_at,
        })),
        loans: (loansOf.get(accountId) ?? []).map((row) => ({ id: row.id, asset: row.asset, scaledDebt: dec(row.scaled_debt), principal: dec(row.principal) })),
      };
      snapshots.set(accountId, this.holding(base, held.positions, held.loans));
    }
    return snapshots;
  }

  /**
   * The account at the snapshot's instant and prices holding these scaled amounts: amounts at
   * the lane's live indexes (rounded the platform's way), valued. Closed ones (zero) drop out.
   */
  holding(
    snapshot: Omit<AccountSnapshot, 'valuation'>,
    positions: Omit<PositionState, 'amount'>[],
    loans: Omit<LoanState, 'outstanding'>[],
  ): AccountSnapshot {
    const decimals = (asset: string) => snapshot.markets.get(asset)!.decimals;
    const open = {
      positions: positions
        .filter((p) => p.scaled.gt(0))
        .map((p) => ({ ...p, amount: positionAmount(p.scaled, snapshot.lane(p.asset).supplyIndex, decimals(p.asset)) })),
      loans: loans
        .filter((l) => l.scaledDebt.gt(0))
        .map((l) => ({ ...l, outstanding: loanOutstanding(l.scaledDebt, snapshot.lane(l.asset).borrowIndex, decimals(l.asset)) })),
    };
    return { ...snapshot, ...open, valuation: this.value(snapshot, open.positions, open.loans) };
  }

  /** Values the account as it would be with other holdings (a loan added, a position gone). */
  value(
    snapshot: Pick<AccountSnapshot, 'prices' | 'markets'>,
    positions: Holding[],
    loans: { asset: string; outstanding: Decimal }[],
  ): Valuation {
    return valueAccount(
      positions,
      loans.map((loan) => ({ asset: loan.asset, amount: loan.outstanding })),
      snapshot.prices,
      (asset) => snapshot.markets.get(asset)!.risk,
    );
  }
}

function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const group = groups.get(key(row));
    if (group) group.push(row);
    else groups.set(key(row), [row]);
  }
  return groups;
}
