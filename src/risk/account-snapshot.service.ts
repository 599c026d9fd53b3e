import { Injectable } from '@nestjs/common';
import type { Tx } from '../prisma/prisma.service.js';
import { Decimal, dec } from '../common/money/decimal.js';
import { roundOwedByUser } from '../common/money/rounding.js';
import { MarketsRepository } from '../markets/markets.repository.js';
import { MarketState, liveAt, LiveMarket } from '../markets/market-state.js';
import { PricesService } from '../prices/prices.service.js';
import { positionAmount } from '../deposits/positions.js';
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

  /** Serialises everything that may lower an account's collateral or raise its debt. */
  async lockAccount(tx: Tx, accountId: string): Promise<void> {
    await tx.$queryRaw`SELECT id FROM accounts WHERE id = ${accountId}::uuid FOR UPDATE`;
  }

  async take(tx: Tx, accountId: string, now: Date): Promise<AccountSnapshot> {
    const [markets, prices, positionRows, loanRows] = await Promise.all([
      this.markets.readAll(tx),
      this.prices.current(tx),
      tx.$queryRaw<{ id: string; asset: string; scaled: string; principal: string; matures_at: Date }[]>`
        SELECT id, asset, scaled::text, principal::text, matures_at FROM positions
        WHERE account_id = ${accountId}::uuid AND scaled > 0 ORDER BY asset`,
      tx.$queryRaw<{ id: string; asset: string; scaled_debt: string; principal: string }[]>`
        SELECT id, asset, scaled_debt::text, principal::text FROM loans
        WHERE account_id = ${accountId}::uuid AND scaled_debt > 0 ORDER BY seq`,
    ]);
    const marketOf = new Map(markets.map((m) => [m.asset, m]));
    const live = new Map(markets.map((m) => [m.asset, liveAt(m, now)]));
    const positions = positionRows.map((row) => ({
      id: row.id,
      asset: row.asset,
      scaled: dec(row.scaled),
      principal: dec(row.principal),
      amount: positionAmount(dec(row.scaled), live.get(row.asset)!.supplyIndex, marketOf.get(row.asset)!.decimals),
      maturesAt: row.matures_at,
    }));
    const loans = loanRows.map((row) => ({
      id: row.id,
      asset: row.asset,
      scaledDebt: dec(row.scaled_debt),
      principal: dec(row.principal),
      outstanding: roundOwedByUser(dec(row.scaled_debt).times(live.get(row.asset)!.borrowIndex), marketOf.get(row.asset)!.decimals),
    }));
    const snapshot = { accountId, now, positions, loans, prices, markets: marketOf, live };
    return { ...snapshot, valuation: this.value(snapshot, positions, loans) };
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
