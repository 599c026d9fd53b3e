import { Injectable } from '@nestjs/common';
import { PrismaService, Tx } from '../prisma/prisma.service.js';
import { LedgerService, balanceKey } from '../ledger/ledger.service.js';
import { chart } from '../ledger/chart.js';
import { Decimal, ZERO } from '../common/money/decimal.js';
import { roundOwedByUser } from '../common/money/rounding.js';
import { dayStart, utcDateString } from '../clock/dates.js';
import { ClockService } from '../clock/clock.service.js';
import { ClosedDayWrite, MarketsRepository } from '../markets/markets.repository.js';
import { MarketState, closeDay } from '../markets/market-state.js';
import { loyaltyCostOf } from './loyalty-cost.js';
import type { EntryInput, LedgerAccountRef, PostingInput } from '../ledger/ledger.types.js';

const BRING_ALL_TIMEOUT_MS = 120_000;

/**
 * Daily accrual, O(markets): a day's interest moves two indexes and posts one aggregate ledger
 * transaction per market; no position or loan row is touched (architecture, Markets and
 * interest). Each position's share is derived later from the index history.
 *
 * Idempotent by construction: under the market's row lock, a day already closed is skipped,
 * and the (asset, date) key of market_days refuses a second row. Every money movement in a
 * market calls `bringMarketTo` first, so nothing happens in a day before its rates are set.
 */
@Injectable()
export class AccrualService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly markets: MarketsRepository,
    private readonly ledger: LedgerService,
    private readonly clock: ClockService,
  ) {}

  /** Closes every day of the market before `date`, in order; returns the locked, current market. */
  async bringMarketTo(tx: Tx, asset: string, date: string): Promise<MarketState> {
    let market = await this.markets.lock(tx, asset);
    while (market.indexDay < date) [market] = await this.closeMarketsDay(tx, [market]);
    return market;
  }

  /**
   * The market locked and brought up to `now`, and the instant to act at. A request reads the
   * clock before it waits for its locks; if an advance crossed 00:00 meanwhile and the market's
   * day was closed, the request takes the clock's time again, so that nothing lands in a day the
   * market has already closed (its interest, its loyalty weights) with an instant of that day.
   */
  async lockMarketAt(tx: Tx, asset: string, now: Date): Promise<{ market: MarketState; now: Date }> {
    let at = now;
    let market = await this.bringMarketTo(tx, asset, utcDateString(at));
    while (market.indexDay > utcDateString(at)) {
      at = await this.clock.now(tx);
      market = await this.bringMarketTo(tx, asset, utcDateString(at));
    }
    return { market, now: at };
  }

  /**
   * Every market brought up to `date` (closing each day before it), in one transaction, markets
   * locked in the order of their codes as everywhere: the day's accrual when the clock runs it
   * itself, and what work valued at today's indexes does first. When no market is behind, this
   * is one read and nothing is locked.
   */
  async bringAllMarketsTo(date: string): Promise<void> {
    const behind = (await this.markets.readAll()).filter((market) => market.indexDay < date).map((market) => market.asset);
    if (behind.length === 0) return;
    const today = utcDateString(await this.clock.now());
    if (date > today) throw new Error(`cannot accrue through ${date}: the clock is at ${today}`);
    await this.prisma.$transaction(
      async (tx) => {
        // Every market behind closes its next day together with the others, a day at a time:
        // the same rows and postings as market by market, in a handful of statements a day.
        let open = (await this.markets.lockAll(tx, behind)).filter((market) => market.indexDay < date);
        while (open.length > 0) open = (await this.closeMarketsDay(tx, open)).filter((market) => market.indexDay < date);
      },
      // Every market, perhaps several days each (a catch-up), on a loaded machine: more than the default 5 s.
      { timeout: BRING_ALL_TIMEOUT_MS, maxWait: BRING_ALL_TIMEOUT_MS },
    );
  }

  /** One (market, day) in its own transaction: what an accrual job does. Returns the days closed. */
  async accrueThrough(asset: string, date: string): Promise<number> {
    const today = utcDateString(await this.clock.now());
    // A day closes only once the clock has left it: indexes never run ahead of time.
    if (date > today) throw new Error(`cannot accrue ${asset} through ${date}: the clock is at ${today}`);
    return this.prisma.$transaction(async (tx) => {
      const before = (await this.markets.lock(tx, asset)).indexDay;
      const after = await this.bringMarketTo(tx, asset, date);
      return Math.round((dayStart(after.indexDay).getTime() - dayStart(before).getTime()) / 86_400_000);
    });
  }

  /**
   * Closes each market's current day (markets locked by the caller): per market, its interest
   * as one aggregate posting (and the platform's cover when suppliers are owed more than the
   * market holds), its history rows and its new day, exactly as one market alone would; for
   * several markets the reads, the postings and the writes each go in one statement (SQL on
   * purpose: the day's close runs at every 00:00, and round trips were most of its cost).
   * Returns the markets on their new day, in the same order.
   */
  private async closeMarketsDay(tx: Tx, markets: MarketState[]): Promise<MarketState[]> {
    const held = await this.ledger.balances(tx, markets.flatMap(closeAccounts));
    const closed = this.closeDays(markets, held);
    await this.ledger.postMany(tx, closed.postings);
    await this.markets.saveClosedDays(tx, closed.days);
    return closed.days.map((d) => d.closed.next);
  }

  /**
   * A quiet stretch's accrual (clock/quiet-stretch.ts): every market brought up to `through`,
   * all of its days in one transaction (the caller's, which holds the clock's lock), every
   * market locked for the whole of it, so that no movement lands in between. The days are closed
   * in memory, one round of markets after another, with the ledger balances carried forward
   * from posting to posting, then written in one `postMany` and one `saveClosedDays`: the same
   * postings, in the same order, and the same rows as a close a day at a time.
   */
  async closeQuietStretch(tx: Tx, through: string): Promise<void> {
    const all = (await this.markets.readAll(tx)).map((market) => market.asset);
    let open = (await this.markets.lockAll(tx, all)).filter((market) => market.indexDay < through);
    const held = await this.ledger.balances(tx, open.flatMap(closeAccounts));
    const postings: PostingInput[] = [];
    const days: ClosedDayWrite[] = [];
    while (open.length > 0) {
      const closed = this.closeDays(open, held);
      postings.push(...closed.postings);
      days.push(...closed.days);
      open = closed.days.map((d) => d.closed.next).filter((market) => market.indexDay < through);
    }
    await this.ledger.postMany(tx, postings);
    await this.markets.saveClosedDays(tx, days);
  }

  /**
   * The postings and history of closing each market's current day, worked out in memory from
   * the ledger balances `held` (keyed by `balanceKey`), which move by the postings as the
   * ledger's would: a caller may close the next day from them without reading again.
   */
  private closeDays(markets: MarketState[], held: Map<string, Decimal>): { postings: PostingInput[]; days: ClosedDayWrite[] } {
    const balanceOf = (ref: LedgerAccountRef) => held.get(balanceKey(ref))!;
    const postings: PostingInput[] = [];
    const days = markets.map((market): ClosedDayWrite => {
      const closed = closeDay(market);
      const at = dayStart(closed.next.indexDay);
      const { supplied: exactSupplied, borrowed: exactBorrowed } = closed;
      const supplyInterest = trueUp(exactSupplied, market.supplyPrincipal, balanceOf(chart.interestPayable(market.asset)), market.decimals, -1);
      const borrowInterest = trueUp(exactBorrowed, market.borrowPrincipal, balanceOf(chart.interestReceivable(market.asset)), market.decimals, 1);
      const loyaltyCost = loyaltyCostOf(closed).toDecimalPlaces(market.decimals, Decimal.ROUND_HALF_EVEN);
      const entries: EntryInput[] = [];
      if (!borrowInterest.isZero()) entries.push({ account: chart.interestReceivable(market.asset), amount: borrowInterest });
      if (!loyaltyCost.isZero()) entries.push({ account: chart.loyaltyExpense(market.asset), amount: loyaltyCost });
      if (!supplyInterest.isZero()) entries.push({ account: chart.interestPayable(market.asset), amount: supplyInterest.negated() });
      // The reserve gets the spread at the market's own (base) rates; what the tiers' better rates
      // cost is the loyalty expense: borrowers' interest + loyalty cost = suppliers' + reserve.
      const toReserve = borrowInterest.plus(loyaltyCost).minus(supplyInterest);
      if (!toReserve.isZero()) entries.push({ account: chart.reserve(market.asset), amount: toReserve.negated() });
      if (entries.length >= 2) {
        postings.push({
          type: 'interest',
          at,
          description: `${market.asset} interest for ${closed.date}`,
          metadata: {
            asset: market.asset,
            date: closed.date,
            supplyInterest: supplyInterest.toFixed(market.decimals),
            borrowInterest: borrowInterest.toFixed(market.decimals),
            loyaltyCost: loyaltyCost.toFixed(market.decimals),
          },
          entries,
        });
      }
      // The interest posting touches no market cash: the cover sees the cash as read above.
      const cover = coverPosting(market, exactSupplied, exactBorrowed, balanceOf(chart.marketCash(market.asset)), at);
      if (cover) postings.push(cover);
      return { closed, at, supplyInterest, borrowInterest };
    });
    // The balances as the ledger holds them once these postings are in (those kept here).
    for (const entry of postings.flatMap((posting) => posting.entries)) {
      const key = balanceKey(entry.account);
      if (held.has(key)) held.set(key, held.get(key)!.plus(entry.amount));
    }
    return { postings, days };
  }

  /**
   * A day's rates are fixed at 00:00, so suppliers can earn more than borrowers pay (a borrower
   * who repays at 05:00 stops paying; the supply rate holds until the next 00:00), and loyalty
   * tiers cost what the reserve may not hold. The platform covers that from its own funds
   * (api-contract, Time and interest): whenever the market's cash plus what borrowers owe falls
   * short of what suppliers are owed, the shortfall moves from platform:funds into the market's
   * cash, booked as an `interest_cover` transaction. Both claims round up to the unit (suppliers
   * are paid rounded down, each; borrowers pay rounded up, each), so once every loan is repaid
   * the cash pays every supplier in full. Called at each close and by a withdrawal the cash
   * cannot pay; returns the amount covered.
   */
  async coverSuppliers(
    tx: Tx,
    market: { asset: string; decimals: number },
    exactSupplied: Decimal,
    exactBorrowed: Decimal,
    at: Date,
  ): Promise<Decimal> {
    const cover = coverPosting(market, exactSupplied, exactBorrowed, await this.ledger.balance(tx, chart.marketCash(market.asset)), at);
    if (!cover) return ZERO;
    await this.ledger.post(tx, cover);
    return cover.entries[0].amount;
  }
}

/** The ledger accounts whose balances a market's close reads. */
function closeAccounts(market: MarketState): LedgerAccountRef[] {
  return [chart.interestPayable(market.asset), chart.interestReceivable(market.asset), chart.marketCash(market.asset)];
}

/**
 * The `interest_cover` posting that tops the market's cash up to what suppliers are owed less
 * what borrowers owe (see `coverSuppliers`), or none when the cash suffices.
 */
function coverPosting(market: { asset: string; decimals: number }, exactSupplied: Decimal, exactBorrowed: Decimal, cash: Decimal, at: Date): PostingInput | undefined {
  const shortfall = roundOwedByUser(exactSupplied, market.decimals).minus(roundOwedByUser(exactBorrowed, market.decimals)).minus(cash);
  if (shortfall.lte(0)) return undefined;
  return {
    type: 'interest_cover',
    at,
    description: `${shortfall.toFixed(market.decimals)} ${market.asset} of the platform's own funds into the market: suppliers' interest no borrower pays`,
    metadata: { asset: market.asset, amount: shortfall.toFixed(market.decimals), cash: cash.toFixed(market.decimals) },
    entries: [
      { account: chart.marketCash(market.asset), amount: shortfall },
      { account: chart.platformFunds(market.asset), amount: shortfall.negated() },
    ],
  };
}

/**
 * The day's interest on one side of the market, as a true-up: what the ledger must hold at
 * 00:00 (the exact aggregate claim, rounded up to the asset's unit: the platform books at
 * least what it owes, and borrowers owe at least their exact debt) minus what it holds
 * (principal + accrued interest, `accruedBalance` read before the day's posting). Rounding residues left by earlier payouts are absorbed
 * here, so the ledger never drifts from the indexes by more than a unit.
 * `sign` is the accrued-interest account's natural sign (payable: credit, −1).
 */
function trueUp(exactClaim: Decimal, principal: Decimal, accruedBalance: Decimal, decimals: number, sign: 1 | -1): Decimal {
  const held = principal.plus(accruedBalance.times(sign));
  return roundOwedByUser(exactClaim, decimals).minus(held);
}
