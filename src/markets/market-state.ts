import { Decimal, ZERO, dec } from '../common/money/decimal.js';
import { roundOwedByUser, roundOwedToUser } from '../common/money/rounding.js';
import { MS_PER_DAY, addDays, dayStart, utcDateString } from '../clock/dates.js';
import { indexAt, nextDayIndex } from './index-math.js';
import { RateModel, ratesAt, utilization } from './rate-model.js';
import { TIERS, Tier, allLaneRates, laneRates } from './tier-lanes.js';

export interface RiskLevels {
  maxLtv: Decimal;
  marginCallLtv: Decimal;
  liquidationLtv: Decimal;
}

/** One loyalty tier of a market: its indexes at 00:00 of the market's day and its scaled sums. */
export interface Lane {
  supplyIndex: Decimal;
  borrowIndex: Decimal;
  totalSupplyScaled: Decimal;
  totalBorrowScaled: Decimal;
  /** Σ (scaled change × ms since 00:00) over the day's movements (see dayAverageScaled). */
  supplyScaledMs: Decimal;
  borrowScaledMs: Decimal;
}

/**
 * A lane's balance (one side of it) averaged over its day: the total at the day's end less
 * each movement's change for the part of the day before it happened
 * (∫ S dt / day = S_end − Σ Δs·t / day).
 */
export function dayAverageScaled(totalAtEnd: Decimal, scaledMs: Decimal): Decimal {
  return totalAtEnd.minus(scaledMs.div(MS_PER_DAY));
}

/**
 * A market as stored: its parameters, today's (base tier) rates, each tier's lane, and the
 * principal sums. The market's own indexes are the base lane's (api-contract).
 */
export interface MarketState {
  asset: string;
  decimals: number;
  model: RateModel;
  risk: RiskLevels;
  indexDay: string;
  lanes: Record<Tier, Lane>;
  dayUtilization: Decimal;
  supplyApr: Decimal;
  borrowApr: Decimal;
  supplyPrincipal: Decimal;
  borrowPrincipal: Decimal;
}

/** A lane's day: its rates and its indexes at the day's start and end. */
export interface LaneDay {
  tier: Tier;
  supplyApr: Decimal;
  borrowApr: Decimal;
  start: Lane;
  supplyIndexEnd: Decimal;
  borrowIndexEnd: Decimal;
}

/** Closing `state.indexDay`: the history it leaves and the state at 00:00 of the next day. */
export interface ClosedDay {
  date: string;
  utilization: Decimal;
  borrowApr: Decimal;
  supplyApr: Decimal;
  lanes: LaneDay[];
  /** What suppliers are owed and borrowers owe at the day's end, exact: Σ lanes' scaled × index at the end. */
  supplied: Decimal;
  borrowed: Decimal;
  next: MarketState;
}

/**
 * Ends the market's current day: every lane's indexes compound by its day's rates, then the
 * next day's rates are set from the utilisation (all lanes) at that 00:00, before anything
 * else happens then.
 */
export function closeDay(state: MarketState): ClosedDay {
  const ratesOf = allLaneRates(state);
  const lanes = TIERS.map((tier): LaneDay => {
    const start = state.lanes[tier];
    const rates = ratesOf[tier];
    return {
      tier,
      ...rates,
      start,
      supplyIndexEnd: nextDayIndex(start.supplyIndex, rates.supplyApr),
      borrowIndexEnd: nextDayIndex(start.borrowIndex, rates.borrowApr),
    };
  });
  const supplied = sumOverLanes(lanes, (lane) => lane.start.totalSupplyScaled, (lane) => lane.supplyIndexEnd);
  const borrowed = sumOverLanes(lanes, (lane) => lane.start.totalBorrowScaled, (lane) => lane.borrowIndexEnd);
  const u = utilization(borrowed, supplied);
  const rates = ratesAt(state.model, u);
  const nextLanes = Object.fromEntries(
    lanes.map((lane) => [
      lane.tier,
      { ...lane.start, supplyIndex: lane.supplyIndexEnd, borrowIndex: lane.borrowIndexEnd, supplyScaledMs: ZERO, borrowScaledMs: ZERO },
    ]),
  ) as Record<Tier, Lane>;
  return {
    date: state.indexDay,
    utilization: state.dayUtilization,
    borrowApr: state.borrowApr,
    supplyApr: state.supplyApr,
    lanes,
    supplied,
    borrowed,
    next: {
      ...state,
      indexDay: addDays(state.indexDay, 1),
      lanes: nextLanes,
      dayUtilization: u,
      supplyApr: rates.supplyApr,
      borrowApr: rates.borrowApr,
    },
  };
}

/**
 * Σ scaled × index over the lanes, in their order, the empty lanes left out: their products are
 * zero, and adding zero changes nothing (every term has fewer digits than the precision), so the
 * sum is the one over every lane, without the multiplications that most days of most lanes are.
 */
function sumOverLanes(lanes: LaneDay[], scaled: (lane: LaneDay) => Decimal, index: (lane: LaneDay) => Decimal): Decimal {
  let sum = ZERO;
  for (const lane of lanes) if (!scaled(lane).isZero()) sum = sum.plus(scaled(lane).times(index(lane)));
  return sum;
}

/** The state at 00:00 of `date`'s day, closing days in memory if the stored state is behind. */
export function rollTo(state: MarketState, date: string): MarketState {
  let current = state;
  while (current.indexDay < date) current = closeDay(current).next;
  return current;
}

export interface LiveIndexes {
  supplyIndex: Decimal;
  borrowIndex: Decimal;
}

export interface LiveMarket extends LiveIndexes {
  /** Each tier's indexes now; the market's own (above) are the base lane's. */
  lanes: Record<Tier, LiveIndexes>;
  /** What suppliers are owed, rounded down; what borrowers owe, rounded up (asset decimals). */
  totalSupplied: Decimal;
  totalBorrowed: Decimal;
  /** Exact borrowed / supplied at this instant. */
  utilization: Decimal;
  /** What suppliers are owed and borrowers owe at this instant, exact (every lane). */
  exactSupplied: Decimal;
  exactBorrowed: Decimal;
  today: MarketState;
}

/** The market at any instant: indexes pro rata within the day (api-contract, Time and interest). */
export function liveAt(state: MarketState, now: Date): LiveMarket {
  const today = rollTo(state, utcDateString(now));
  const elapsed = now.getTime() - dayStart(today.indexDay).getTime();
  let supplied = dec(0);
  let borrowed = dec(0);
  const lanes = {} as Record<Tier, LiveIndexes>;
  for (const tier of TIERS) {
    const lane = today.lanes[tier];
    const live = laneIndexesAt(today, tier, elapsed);
    supplied = supplied.plus(lane.totalSupplyScaled.times(live.supplyIndex));
    borrowed = borrowed.plus(lane.totalBorrowScaled.times(live.borrowIndex));
    lanes[tier] = live;
  }
  return {
    ...lanes.base,
    lanes,
    totalSupplied: roundOwedToUser(supplied, state.decimals),
    totalBorrowed: roundOwedByUser(borrowed, state.decimals),
    utilization: utilization(borrowed, supplied),
    exactSupplied: supplied,
    exactBorrowed: borrowed,
    today,
  };
}

/**
 * One tier's lane as a movement reads it on its market's index day (money_begin): the market's
 * rates that day and the lane's indexes at 00:00. That is all a deposit or a withdrawal needs of
 * the market: its own lane's index at an instant of that day, nothing of the other lanes or the
 * market's totals.
 */
export interface LaneOfDay {
  indexDay: string;
  supplyApr: Decimal;
  borrowApr: Decimal;
  supplyIndex: Decimal;
  borrowIndex: Decimal;
}

/**
 * The lane's indexes at `now`, as liveAt(state, now).lanes[tier] gives them; `now` must fall on
 * the lane's index day (a movement on a later day closes the market's day first, and so reads
 * the next day's lane).
 */
export function laneOfDayAt(lane: LaneOfDay, tier: Tier, now: Date): LiveIndexes {
  if (utcDateString(now) !== lane.indexDay) throw new Error(`the ${tier} lane of ${lane.indexDay} cannot price ${now.toISOString()}`);
  return indexesWithinDay(lane, laneRates(lane, tier), now.getTime() - dayStart(lane.indexDay).getTime());
}

function laneIndexesAt(today: MarketState, tier: Tier, elapsedMs: number): LiveIndexes {
  return indexesWithinDay(today.lanes[tier], laneRates(today, tier), elapsedMs);
}

/** A lane's indexes `elapsedMs` after 00:00 of its day, at that day's rates: pro rata (api-contract, Time and interest). */
function indexesWithinDay(start: LiveIndexes, rates: { supplyApr: Decimal; borrowApr: Decimal }, elapsedMs: number): LiveIndexes {
  return { supplyIndex: indexAt(start.supplyIndex, rates.supplyApr, elapsedMs), borrowIndex: indexAt(start.borrowIndex, rates.borrowApr, elapsedMs) };
}

/**
 * Reads a markets row as the repository selects it (numerics as text, lanes as JSON of text). The
 * market's principal totals are its lanes' shares added up (20261211130000_market_principal_in_lanes).
 */
export function marketFromRow(row: Record<string, unknown>): MarketState {
  const d = (key: string) => dec(String(row[key]));
  const storedLanes = row.lanes as Record<string, Record<string, string>>;
  const lanes = Object.fromEntries(
    TIERS.map((tier) => {
      const lane = storedLanes[tier];
      if (!lane) throw new Error(`market ${String(row.asset)} has no ${tier} lane`);
      return [
        tier,
        {
          supplyIndex: dec(lane.supply_index),
          borrowIndex: dec(lane.borrow_index),
          totalSupplyScaled: dec(lane.total_supply_scaled),
          totalBorrowScaled: dec(lane.total_borrow_scaled),
          supplyScaledMs: dec(lane.supply_scaled_ms),
          borrowScaledMs: dec(lane.borrow_scaled_ms),
        },
      ];
    }),
  ) as Record<Tier, Lane>;
  const total = (share: 'supply_principal' | 'borrow_principal') => TIERS.reduce((sum, tier) => sum.plus(dec(storedLanes[tier][share])), ZERO);
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
    lanes,
    dayUtilization: d('day_utilization'),
    supplyApr: d('supply_apr'),
    borrowApr: d('borrow_apr'),
    supplyPrincipal: total('supply_principal'),
    borrowPrincipal: total('borrow_principal'),
  };
}
