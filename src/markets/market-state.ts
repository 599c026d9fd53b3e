import { Decimal, dec } from '../common/money/decimal.js';
import { roundOwedByUser, roundOwedToUser } from '../common/money/rounding.js';
import { addDays, dayStart, utcDateString } from '../clock/dates.js';
import { indexAt, nextDayIndex } from './index-math.js';
import { RateModel, ratesAt, utilization } from './rate-model.js';

export interface RiskLevels {
  maxLtv: Decimal;
  marginCallLtv: Decimal;
  liquidationLtv: Decimal;
}

/** A market as stored: its parameters, today's rates, indexes at today's 00:00, and totals. */
export interface MarketState {
  asset: string;
  decimals: number;
  model: RateModel;
  risk: RiskLevels;
  indexDay: string;
  supplyIndex: Decimal;
  borrowIndex: Decimal;
  dayUtilization: Decimal;
  supplyApr: Decimal;
  borrowApr: Decimal;
  totalSupplyScaled: Decimal;
  totalBorrowScaled: Decimal;
  supplyPrincipal: Decimal;
  borrowPrincipal: Decimal;
}

/** Closing `state.indexDay`: the history row it leaves and the state at 00:00 of the next day. */
export interface ClosedDay {
  date: string;
  utilization: Decimal;
  borrowApr: Decimal;
  supplyApr: Decimal;
  supplyIndexEnd: Decimal;
  borrowIndexEnd: Decimal;
  next: MarketState;
}

/**
 * Ends the market's current day: indexes compound by the day's rates, then the next day's
 * rates are set from the utilisation at that 00:00, before anything else happens then.
 */
export function closeDay(state: MarketState): ClosedDay {
  const supplyIndexEnd = nextDayIndex(state.supplyIndex, state.supplyApr);
  const borrowIndexEnd = nextDayIndex(state.borrowIndex, state.borrowApr);
  const u = utilization(state.totalBorrowScaled.times(borrowIndexEnd), state.totalSupplyScaled.times(supplyIndexEnd));
  const rates = ratesAt(state.model, u);
  return {
    date: state.indexDay,
    utilization: state.dayUtilization,
    borrowApr: state.borrowApr,
    supplyApr: state.supplyApr,
    supplyIndexEnd,
    borrowIndexEnd,
    next: {
      ...state,
      indexDay: addDays(state.indexDay, 1),
      supplyIndex: supplyIndexEnd,
      borrowIndex: borrowIndexEnd,
      dayUtilization: u,
      supplyApr: rates.supplyApr,
      borrowApr: rates.borrowApr,
    },
  };
}

/** The state at 00:00 of `date`'s day, closing days in memory if the stored state is behind. */
export function rollTo(state: MarketState, date: string): MarketState {
  let current = state;
  while (current.indexDay < date) current = closeDay(current).next;
  return current;
}

export interface LiveMarket {
  supplyIndex: Decimal;
  borrowIndex: Decimal;
  /** What suppliers are owed, rounded down; what borrowers owe, rounded up (asset decimals). */
  totalSupplied: Decimal;
  totalBorrowed: Decimal;
  /** Exact borrowed / supplied at this instant. */
  utilization: Decimal;
  today: MarketState;
}

/** The market at any instant: indexes pro rata within the day (api-contract, Time and interest). */
export function liveAt(state: MarketState, now: Date): LiveMarket {
  const today = rollTo(state, utcDateString(now));
  const elapsed = now.getTime() - dayStart(today.indexDay).getTime();
  const supplyIndex = indexAt(today.supplyIndex, today.supplyApr, elapsed);
  const borrowIndex = indexAt(today.borrowIndex, today.borrowApr, elapsed);
  const supplied = today.totalSupplyScaled.times(supplyIndex);
  const borrowed = today.totalBorrowScaled.times(borrowIndex);
  return {
    supplyIndex,
    borrowIndex,
    totalSupplied: roundOwedToUser(supplied, state.decimals),
    totalBorrowed: roundOwedByUser(borrowed, state.decimals),
    utilization: utilization(borrowed, supplied),
    today,
  };
}

/** Reads a markets row as returned by MARKET_COLUMNS (numerics as text). */
export function marketFromRow(row: Record<string, unknown>): MarketState {
  const d = (key: string) => dec(String(row[key]));
  return {
    asset: String(row.asset),
    decimals: Number(row.decimals),
    model: {
      baseRate: d('base_rate'),
      optimalUtilization: d('optimal_utilization'),
      slope1: d('slope1'),
      slope2: d('slope2'),
      reserveFactor: d('reserve_factor'),
    },
    risk: { maxLtv: d('max_ltv'), marginCallLtv: d('margin_call_ltv'), liquidationLtv: d('liquidation_ltv') },
    indexDay: String(row.index_day),
    supplyIndex: d('supply_index'),
    borrowIndex: d('borrow_index'),
    dayUtilization: d('day_utilization'),
    supplyApr: d('supply_apr'),
    borrowApr: d('borrow_apr'),
    totalSupplyScaled: d('total_supply_scaled'),
    totalBorrowScaled: d('total_borrow_scaled'),
    supplyPrincipal: d('supply_principal'),
    borrowPrincipal: d('borrow_principal'),
  };
}
