import pg from 'pg';
import { Decimal, ZERO, dec } from '../common/money/decimal.js';
import { DomainError, notFound } from '../common/errors/domain-error.js';
import { unauthenticated } from '../common/errors/catalogue.js';
import { isUuid } from '../common/http/uuid.js';
import { idempotencyScope } from '../common/auth/caller.js';
import { CommandResult, IdempotencyService, IdempotentRequest, StoredResponse, fingerprintHash, replayStored } from '../common/idempotency/idempotency.service.js';
import { wallClock } from '../common/time/wall-clock.js';
import { dayStart, utcDateString } from '../clock/dates.js';
import { chart } from '../ledger/chart.js';
import { LaneOfDay, MarketState, marketFromRow } from '../markets/market-state.js';
import { Tier, isTier } from '../markets/tier-lanes.js';
import type { LoanRow } from './loan-outstanding.js';
import { SqlCall, SqlValue, sqlCall } from '../common/sql/sql-call.js';
import { CallTransaction } from '../common/sql/call-transaction.js';

/**
 * A money movement in two round trips through the pg driver: BEGIN and money_begin(…), then
 * <the movement's SQL function>(…) and COMMIT (see the money_movement_functions migration;
 * common/sql/call-transaction.ts says how each is one round trip), for the paths every request pays:
 * Prisma's per-statement cost is about three times the driver's, a movement was twenty
 * statements, and every round trip costs CPU on both sides and holds the market's lock longer.
 * The movement computes with decimal.js between the two, exactly as its Prisma path does; what
 * the fast path does not handle (a market whose day must first be closed, a withdrawal that
 * needs the account's valuation or the platform's cover) it answers FALL_BACK, the transaction
 * is rolled back (nothing was written but the key's claim), and the caller runs the Prisma
 * path, which handles everything.
 */
export const FALL_BACK = Symbol('fall back to the Prisma path');

/** What money_begin (or money_begin_loan) read under its locks. */
export interface MovementState {
  keyId: number | null;
  kycStatus: string;
  tier: Tier;
  now: Date;
  /** The account's lane of the market on the market's index day: all a deposit or a withdrawal prices with. */
  lane: LaneOfDay;
  /** The whole market, read for a repayment only (money_begin_loan: the loan is answered at the market's rates); null for a position's movement. */
  market: MarketState | null;
  lendingPeriodDays: number;
  /** Platform rules (settings, platform-rules.ts) a movement applies. */
  topUpResetsMaturity: boolean;
  wholePositionWithdrawals: boolean;
  position: { id: string; scaled: Decimal; principal: Decimal; maturesAt: Date } | null;
  /** A withdrawal's cover, read when its target asks (MovementTarget's cover; always for a loan's movement); null otherwise. */
  cover: { cash: Decimal; hasLoans: boolean } | null;
  /** A repayment's loan row, locked (numerics as text, as the Prisma path reads it). */
  loan: LoanRow | null;
}

/** Whose holding moves: an account's position in an asset, or a loan (its account and asset are its own). */
export type MovementTarget = (
  | {
      accountId: string;
      asset: string;
      /** Read the market's cash and whether the account owes anything (a withdrawal's cover); a deposit needs neither. */
      cover: boolean;
    }
  | { loanId: string }
) & {
  realtime: boolean;
  /** Runs once the target's asset is known, before a replay or the movement: its errors store nothing. */
  validate?: (asset: string) => void;
};

/** What a movement writes: its SQL function's call, after the state's. */
export interface MovementWrite {
  statusCode: number;
  body: unknown;
  /**
   * The movement's SQL function called (sqlCall: sent with its transaction's COMMIT, in one round trip),
   * which stores the response when keyId is not null. What it must find (the row as written
   * against the row as computed) it checks itself (money_deposit and money_withdraw take the
   * expected position as arguments): after the message nothing can be rolled back.
   */
  call: (keyId: number | null, statusCode: number, response: string) => SqlCall;
}

type Begun =
  | { outcome: 'not_found' }
  | { outcome: 'replay'; request_hash: string; status_code: number; response: string; asset?: string }
  | {
      outcome: 'ready';
      key_id: number | null;
      kyc?: string;
      asset?: string;
      loan?: LoanRow;
      tier: string;
      now: string;
      /** money_begin_loan's: a markets row as MarketsRepository reads it, but its lanes as rows (laneRows). */
      market?: Record<string, unknown> & { lanes: LaneRow[] };
      /** money_begin's: the account's lane on the market's index day, as text in LANE_OF_DAY's order; null if the market or the account's lane of it is missing. */
      lane?: string[] | null;
      lending_period_days: number;
      top_up_resets_maturity: boolean;
      whole_position_withdrawals: boolean;
      /** The position locked, as text in POSITION_COLUMNS' order. */
      position: string[] | null;
      /** Null when the cover was not asked for (money_begin without a cash code). */
      cash: string | null;
      has_loans: boolean | null;
    };

/**
 * A lane as money_begin_loan reads it: its tier, then its numerics as text in LANE_COLUMNS' order
 * (an array of arrays costs Postgres less to build than an object of objects, and is as exact).
 */
type LaneRow = [tier: string, ...values: string[]];
const LANE_COLUMNS = [
  'supply_index',
  'borrow_index',
  'total_supply_scaled',
  'total_borrow_scaled',
  'supply_scaled_ms',
  'borrow_scaled_ms',
  'supply_principal',
  'borrow_principal',
] as const;

/** The market money_begin_loan read, its lanes keyed by tier as marketFromRow reads them. */
function marketOfBegun(market: Record<string, unknown> & { lanes: LaneRow[] }): MarketState {
  const lanes: Record<string, Record<string, string>> = {};
  for (const [tier, ...values] of market.lanes) {
    // By position: a lane of another length means money_begin_loan's columns and these disagree.
    if (values.length !== LANE_COLUMNS.length) throw new Error(`money_begin_loan answered a lane of ${values.length} values; expected ${LANE_COLUMNS.join(', ')}`);
    const lane: Record<string, string> = {};
    LANE_COLUMNS.forEach((column, i) => (lane[column] = values[i]));
    lanes[tier] = lane;
  }
  return marketFromRow({ ...market, lanes });
}

/** What money_begin reads of the market, in its order: the account's lane on the market's index day. */
const LANE_OF_DAY = ['indexDay', 'supplyApr', 'borrowApr', 'supplyIndex', 'borrowIndex'] as const;

function laneOfBegun(values: string[]): LaneOfDay {
  // By position: an array of another length means money_begin's columns and these disagree.
  if (values.length !== LANE_OF_DAY.length) throw new Error(`money_begin answered a lane of ${values.length} values; expected ${LANE_OF_DAY.join(', ')}`);
  const [indexDay, supplyApr, borrowApr, supplyIndex, borrowIndex] = values;
  return { indexDay, supplyApr: dec(supplyApr), borrowApr: dec(borrowApr), supplyIndex: dec(supplyIndex), borrowIndex: dec(borrowIndex) };
}

/** The position as money_begin and money_begin_loan read it, in their order. */
const POSITION_COLUMNS = ['id', 'scaled', 'principal', 'matures_at'] as const;

function positionOfBegun(values: string[]): NonNullable<MovementState['position']> {
  if (values.length !== POSITION_COLUMNS.length) throw new Error(`money_begin answered a position of ${values.length} values; expected ${POSITION_COLUMNS.join(', ')}`);
  const [id, scaled, principal, maturesAt] = values;
  return { id, scaled: dec(scaled), principal: dec(principal), maturesAt: new Date(maturesAt) };
}

/** The same lane, of a whole market (money_begin_loan's). */
function laneOfMarket(market: MarketState, tier: Tier): LaneOfDay {
  const { supplyIndex, borrowIndex } = market.lanes[tier];
  return { indexDay: market.indexDay, supplyApr: market.supplyApr, borrowApr: market.borrowApr, supplyIndex, borrowIndex };
}

/** The CHECK by which the database refuses a ledger account's overdraft. */
const NO_OVERDRAFT = 'ledger_accounts_no_overdraft';

/** Milliseconds since 00:00 UTC of `at`'s day: the weight of a lane's intraday change. */
export const msIntoDay = (at: Date): number => at.getTime() - dayStart(utcDateString(at)).getTime();

/**
 * Runs one movement of `accountId`'s position in `asset` (see FALL_BACK): the key claimed and
 * the response stored as IdempotencyService does it (a domain error is the response too, with
 * nothing else written; the same key with another body is 422), or undefined to fall back.
 */
export async function runMovement(
  pool: pg.Pool,
  request: IdempotentRequest,
  target: MovementTarget,
  plan: (state: MovementState) => MovementWrite | typeof FALL_BACK,
): Promise<CommandResult | undefined> {
  IdempotencyService.checkKey(request.key);
  if (!isUuid('loanId' in target ? target.loanId : target.accountId)) throw notFound('loanId' in target ? 'Loan' : 'Account');
  const requestHash = request.key === undefined ? null : fingerprintHash(request.fingerprint);
  // From here to release, nothing may take a connection from either pool (only this client's
  // queries are awaited): with every connection held by a movement, it would wait for ever.
  const client = await pool.connect();
  let broken: Error | undefined;
  // A checked-out client's connection can drop between two queries (Postgres restarting);
  // pg then emits 'error' on the client, which would crash the process without a listener.
  // The next query fails on its own, and the client is released as broken, not reused.
  const onDropped = (error: Error) => (broken = error);
  client.on('error', onDropped);
  // Once the last round trip has committed, nothing is left to roll back.
  const transaction = new CallTransaction(client);
  try {
    const result = await inTransaction(transaction, request, requestHash, target, plan);
    if (transaction.open) await (result === FALL_BACK ? transaction.rollback() : transaction.commit());
    return result === FALL_BACK ? undefined : result;
  } catch (error) {
    if (transaction.open) await transaction.rollback().catch((failed: Error) => (broken = failed));
    throw error;
  } finally {
    client.off('error', onDropped);
    client.release(broken ?? transaction.broken);
  }
}

async function inTransaction(
  transaction: CallTransaction,
  request: IdempotentRequest,
  requestHash: string | null,
  target: MovementTarget,
  plan: (state: MovementState) => MovementWrite | typeof FALL_BACK,
): Promise<CommandResult | typeof FALL_BACK> {
  const caller = request.caller;
  const claim: [string, SqlValue][] = [
    ['text', idempotencyScope(caller)],
    ['text', request.key ?? null],
    ['text', requestHash],
    ['timestamptz', wallClock()],
  ];
  // The caller's API key is still what the guard saw, and not revoked: checked by money_begin
  // first, at no round trip of its own, so the guard may take the key from its cache on these
  // routes (common/auth/api-key-cache.ts) and a revoked key is still refused at once.
  const who: [string, SqlValue][] =
    caller.kind === 'user'
      ? [['uuid', caller.userId], ['uuid', caller.apiKeyId], ['text', caller.keyHash]]
      : [['uuid', null], ['uuid', null], ['text', null]];
  // Every market's cash account has the same code (chart.ts); the asset picks the row. Without
  // it, money_begin reads no cover.
  const cashCode = chart.marketCash('').code;
  const begin =
    'loanId' in target
      ? sqlCall('money_begin_loan', [...claim, ['uuid', target.loanId], ...who, ['text', cashCode], ['boolean', target.realtime]])
      : sqlCall('money_begin', [...claim, ['uuid', target.accountId], ...who, ['text', target.asset], ['text', target.cover ? cashCode : null], ['boolean', target.realtime]]);
  const begun = (await transaction.begin(begin)) as Begun | null;
  // The key was revoked (or changed) since the guard saw it: nothing was claimed.
  if (begun === null) throw unauthenticated();
  if (begun.outcome === 'not_found') throw notFound('loanId' in target ? 'Loan' : 'Account');
  target.validate?.(begun.asset ?? ('asset' in target ? target.asset : ''));
  if (begun.outcome === 'replay') return replayStored(begun as StoredResponse, request.key!, requestHash!);
  const tier = isTier(begun.tier) ? begun.tier : 'base';
  const market = begun.market ? marketOfBegun(begun.market) : null;
  const lane = begun.lane ? laneOfBegun(begun.lane) : market && laneOfMarket(market, tier);
  // No such market, or no lane of it for the account's tier: the Prisma path knows what to answer.
  if (!lane) return FALL_BACK;
  const state: MovementState = {
    keyId: begun.key_id,
    kycStatus: begun.kyc ?? '',
    tier,
    now: new Date(begun.now),
    lane,
    market,
    lendingPeriodDays: begun.lending_period_days,
    topUpResetsMaturity: begun.top_up_resets_maturity,
    wholePositionWithdrawals: begun.whole_position_withdrawals,
    position: begun.position && positionOfBegun(begun.position),
    cover: begun.has_loans === null ? null : { cash: begun.cash === null ? ZERO : dec(begun.cash), hasLoans: begun.has_loans },
    loan: begun.loan ?? null,
  };
  // The market's indexes are for its own day: when the clock has moved past it, the day must
  // first be closed (AccrualService.lockMarketAt), which only the Prisma path does.
  if (lane.indexDay !== utcDateString(state.now)) return FALL_BACK;
  let movement: MovementWrite | typeof FALL_BACK;
  try {
    movement = plan(state);
  } catch (error) {
    // Nothing is written yet: a domain error is the response, stored under the key (if any).
    if (!(error instanceof DomainError) || state.keyId === null) throw error;
    const body = error.toBody();
    await transaction.commit(sqlCall('idempotency_store', [['bigint', state.keyId], ['int', error.statusCode], ['text', JSON.stringify(body)]]));
    return { statusCode: error.statusCode, body };
  }
  if (movement === FALL_BACK) return FALL_BACK;
  try {
    await transaction.commit(movement.call(state.keyId, movement.statusCode, JSON.stringify(movement.body)));
  } catch (error) {
    // An overdraft the checks before did not foresee: the Prisma path knows what to answer.
    if ((error as { constraint?: string }).constraint === NO_OVERDRAFT) {
      await transaction.rollback();
      return FALL_BACK;
    }
    throw error;
  }
  return { statusCode: movement.statusCode, body: movement.body };
}
