import { Decimal, dec } from '../common/money/decimal.js';
import { DEFAULT_PRICES, assetsOf } from './scenario-format.js';
import type { Action, Expectation, Scenario, Step, Where } from './scenario-format.js';
import { pricePoints } from './price-paths.js';
import type { DayRecord, ScenarioResult as ChartedResult } from '../charts/scenario-charts.js';

/** The HTTP API as the runner uses it: the same endpoints a client calls, nothing underneath. */
export interface ScenarioApi {
  adminKey: string;
  call(method: 'GET' | 'POST' | 'PUT', path: string, key: string, body?: object): Promise<{ status: number; body: any }>;
}

// A day's record is what the charts read: declared beside them, so the browser build needs nothing from here.
export type { DayRecord } from '../charts/scenario-charts.js';

export interface StepRecord {
  day: number;
  hour: number;
  line: number;
  action: string;
  outcome: 'ok' | 'failed as expected' | 'unexpected error' | 'expected an error';
  error: string | null;
}

export interface ExpectationRecord {
  day: number;
  hour: number;
  line: number | null;
  expectation: string;
  actual: string;
  passed: boolean;
}

/** What the charts read (src/charts), with each step's and expectation's full record. */
export interface ScenarioResult extends ChartedResult {
  steps: StepRecord[];
  expectations: ExpectationRecord[];
}

interface Timed {
  day: number;
  hour: number;
  /** At the same hour, the price points a path set come first (the market moves, then people act). */
  pricePoint: boolean;
  /** Then file order. */
  seq: number;
  step: Step;
  /** An intraday price between two real figures: set, but listed among the steps only if it fails. */
  between?: boolean;
}

interface Handle {
  key: string;
  accountId: string;
}

/**
 * Plays a scenario through the API on a fresh world (the clock at the scenario's start): the
 * set-up, then day by day each step at its hour (the clock advanced to it, so that accrual,
 * tiers and risk sweeps run exactly as they do for anyone), a record of every account and
 * market at the end of each day, and the expectations. A step that fails unexpectedly is
 * recorded and the story goes on, so the report shows what followed; the result says whether
 * everything went as expected. Everything recorded is named (users, accounts) and dated by the
 * simulated clock, never by ids or the wall clock, so a scenario's result is the same on every
 * run.
 */
export class ScenarioRunner {
  private readonly handles = new Map<string, Handle>();
  private readonly prices = new Map<string, string>();
  /** The assets the daily records show: those the scenario is about (not every default price). */
  private readonly reported: Set<string>;
  private readonly seenNotices = new Map<string, number>();
  private readonly result: ScenarioResult;
  private timeline: Timed[] = [];
  private seq = 0;
  private day = 0;
  private hour = 0;
  /** The clock's time as the last advance left it (ISO 8601): only the runner moves this world's clock. */
  private now = '';

  constructor(
    private readonly scenario: Scenario,
    private readonly api: ScenarioApi,
    private readonly onProgress: (day: number, days: number) => void = () => undefined,
    private readonly notices: NoticeReading = 'once',
    private readonly advancing: ClockAdvancing = 'stretches',
  ) {
    this.reported = new Set(assetsOf(scenario));
    this.result = { name: scenario.name, description: scenario.description, start: '', days: scenario.days, passed: true, steps: [], expectations: [], daily: [] };
  }

  async run(): Promise<ScenarioResult> {
    await this.setUp();
    this.timeline = this.scenario.steps.map((step) => ({ day: step.day, hour: step.hour, pricePoint: false, seq: this.seq++, step }));
    for (let day = 0; day <= this.scenario.days; day += 1) {
      const quietThrough = day > 0 ? this.lastQuietDay(day) : day;
      if (quietThrough > day) {
        await this.playQuietDays(day, quietThrough);
        day = quietThrough;
        continue;
      }
      if (day > 0) await this.advanceTo(day, 0);
      for (;;) {
        const next = this.nextEventOn(day);
        if (!next) break;
        await this.advanceTo(day, next.hour);
        await this.perform(next);
      }
      await this.recordDay(day);
      this.onProgress(day, this.scenario.days);
    }
    if (this.notices === 'once') await this.attributeNotices();
    for (const expectation of this.scenario.expect) await this.check(expectation, null);
    this.result.passed =
      this.result.steps.every((s) => s.outcome === 'ok' || s.outcome === 'failed as expected') && this.result.expectations.every((e) => e.passed);
    return this.result;
  }

  private async setUp(): Promise<void> {
    const admin = this.api.adminKey;
    const clock = await this.expectOk('GET', '/v1/clock', admin);
    this.result.start = clock.now;
    this.now = clock.now;
    if (this.scenario.settings) await this.expectOk('PUT', '/v1/settings', admin, this.scenario.settings);
    for (const [asset, patch] of Object.entries(this.scenario.markets ?? {})) await this.expectOk('PUT', `/v1/markets/${asset}`, admin, withoutEmpty(patch));
    // Every asset has a price: the file's, else 1 for a stablecoin and the sandbox's for the others.
    for (const [asset, price] of Object.entries(DEFAULT_PRICES)) if (!(asset in this.scenario.prices)) await this.setPrice(asset, price);
    for (const [asset, price] of Object.entries(this.scenario.prices)) await this.setPrice(asset, price);
    for (const [name, user] of Object.entries(this.scenario.users)) {
      const created = await this.expectOk('POST', '/v1/users', admin, { name, kycStatus: user.kyc });
      this.handles.set(`${name}/main`, { key: created.apiKey, accountId: created.accounts[0].id });
      for (const label of user.accounts) {
        const account = await this.expectOk('POST', '/v1/accounts', created.apiKey, { label });
        this.handles.set(`${name}/${label}`, { key: created.apiKey, accountId: account.id });
      }
    }
  }

  /**
   * The last day of the stretch of quiet days from `day` (none of them has a step, price points
   * of a path included: every point is on the timeline from its path's own step, earlier), or
   * `day` itself when it has steps or the runner goes day by day. Notices read every day need
   * the clock to stop every day; and the history reads give days' 00:00 UTC, which are the
   * runner's day boundaries only when the scenario starts at 00:00 UTC.
   */
  private lastQuietDay(day: number): number {
    if (this.advancing === 'daily' || this.notices === 'daily' || Date.parse(this.result.start) % 86_400_000 !== 0) return day;
    const busy = this.timeline.filter((e) => e.day >= day).reduce((first, e) => Math.min(first, e.day), this.scenario.days + 1);
    return Math.max(day, busy - 1);
  }

  /**
   * Days `first` to `last`, none with a step, in one advance of the clock to 00:00 of `last`:
   * the server starts each day on its way exactly as it would one advance at a time (a day's
   * start runs at each 00:00 it crosses). Each day's record is its state at its 00:00, after
   * that instant's work: the days before `last` from the history reads (rebuilt server-side
   * from what is stored over time), `last` from the live reads, as any day.
   */
  private async playQuietDays(first: number, last: number): Promise<void> {
    const hours = (last - this.day) * 24 - this.hour;
    const body = hours % 24 === 0 ? { days: hours / 24 } : { hours };
    this.now = (await this.expectOk('POST', '/v1/clock/advance', this.api.adminKey, body)).now;
    this.day = last;
    this.hour = 0;
    if (last > first) await this.recordPastDays(first, last - 1);
    for (let day = first; day < last; day += 1) this.onProgress(day, this.scenario.days);
    await this.recordDay(last);
    this.onProgress(last, this.scenario.days);
  }

  /**
   * The records of past quiet days `first` to `last`, each at its 00:00, from one history read
   * per market and per account (GET /v1/markets/:asset/history, GET /v1/accounts/:id/history),
   * exactly what the day's live reads showed at that instant.
   */
  private async recordPastDays(first: number, last: number): Promise<void> {
    const admin = this.api.adminKey;
    const from = dateOf(this.result.start, first);
    const to = dateOf(this.result.start, last);
    const handles = [...this.handles].sort(([a], [b]) => a.localeCompare(b));
    const assets = [...this.prices.keys()].filter((a) => this.reported.has(a)).sort();
    const [marketRows, accountRows] = await Promise.all([
      Promise.all(assets.map((asset) => this.expectOk('GET', `/v1/markets/${asset}/history?from=${from}&to=${to}`, admin))),
      Promise.all(handles.map(([, { key, accountId }]) => this.expectOk('GET', `/v1/accounts/${accountId}/history?from=${from}&to=${to}`, key))),
    ]);
    const days = last - first + 1;
    for (const rows of [...marketRows, ...accountRows]) if (rows.length !== days) throw new Error(`a history read from ${from} to ${to} gave ${rows.length} day(s), not ${days}`);
    const prices = Object.fromEntries([...this.prices].filter(([a]) => this.reported.has(a)).sort(([a], [b]) => a.localeCompare(b)));
    for (let i = 0; i < days; i += 1) {
      const markets: DayRecord['markets'] = {};
      for (const [j, asset] of assets.entries()) {
        const row = marketRows[j][i];
        if (!row.afterDayStart) throw new Error(`the ${asset} market's history has no state for the start of ${row.date}`);
        const start = row.afterDayStart;
        markets[asset] = { utilization: start.utilization, supplyApr: row.supplyApr, borrowApr: row.borrowApr, totalSupplied: start.totalSupplied, totalBorrowed: start.totalBorrowed };
      }
      const accounts: DayRecord['accounts'] = {};
      for (const [j, [name]] of handles.entries()) accounts[name] = accountRecord(accountRows[j][i]);
      this.result.daily.push({ day: first + i, date: `${dateOf(this.result.start, first + i)}T00:00:00.000Z`, prices: { ...prices }, markets, accounts, events: [] });
    }
  }

  private nextEventOn(day: number): Timed | undefined {
    const today = this.timeline
      .filter((e) => e.day === day)
      .sort((a, b) => a.hour - b.hour || Number(b.pricePoint) - Number(a.pricePoint) || a.seq - b.seq);
    const next = today[0];
    if (next) this.timeline = this.timeline.filter((e) => e !== next);
    return next;
  }

  private async advanceTo(day: number, hour: number): Promise<void> {
    const hours = (day - this.day) * 24 + (hour - this.hour);
    if (hours > 0) this.now = (await this.expectOk('POST', '/v1/clock/advance', this.api.adminKey, { hours })).now;
    this.day = day;
    this.hour = hour;
  }

  private async perform(event: Timed): Promise<void> {
    const { step } = event;
    const action = step.action;
    if (action.kind === 'expect') return this.check(action.expectation, step);
    if (action.kind === 'price') {
      const current = this.prices.get(action.asset);
      if (!current && action.path.kind !== 'set' && action.path.kind !== 'replay') return this.record(step, describe(action), `${action.asset} has no price to move from`);
      const points = pricePoints(current ?? '0', action.path);
      for (const point of points.filter((p) => p.offset > 0 || (p.hours ?? 0) > 0)) {
        // Days and hours after the step: a path that sets hourly prices runs on across midnight.
        const hours = step.hour + point.offset * 24 + (point.hours ?? 0);
        const setter: Step = {
          ...step,
          day: step.day + Math.floor(hours / 24),
          hour: hours % 24,
          action: { kind: 'price', asset: action.asset, path: { kind: 'set', to: point.price } },
        };
        this.timeline.push({ day: setter.day, hour: setter.hour, pricePoint: true, seq: this.seq++, step: setter, between: point.between });
      }
      const now = points.find((p) => p.offset === 0 && !p.hours);
      if (!now) return this.record(step, describe(action), null);
      const response = await this.setPrice(action.asset, now.price, false);
      if (event.between && response.status < 400) return;
      return this.record(step, describe(action), errorOf(response));
    }
    const response = await this.act(action);
    return this.record(step, describe(action), errorOf(response));
  }

  private async act(action: Exclude<Action, { kind: 'expect' } | { kind: 'price' }>): Promise<{ status: number; body: any }> {
    if (action.kind === 'market') return this.api.call('PUT', `/v1/markets/${action.asset}`, this.api.adminKey, withoutEmpty(action.patch));
    const { key, accountId } = this.handle(action.where);
    switch (action.kind) {
      case 'deposit':
        return this.api.call('POST', `/v1/accounts/${accountId}/deposits`, key, { asset: action.asset, amount: action.amount });
      case 'withdraw':
        return this.api.call('POST', `/v1/accounts/${accountId}/withdrawals`, key, { asset: action.asset });
      case 'borrow':
        return this.api.call('POST', `/v1/accounts/${accountId}/loans`, key, { asset: action.asset, amount: action.amount });
      case 'repay':
        return this.repay(key, accountId, action.asset, action.amount);
    }
  }

  /**
   * Repays the account's open loans in the asset, oldest first: `all` clears every one; an
   * amount pays each in turn until it is used up (more than is owed is refused by the API).
   */
  private async repay(key: string, accountId: string, asset: string, amount: string): Promise<{ status: number; body: any }> {
    const view = await this.expectOk('GET', `/v1/accounts/${accountId}`, key);
    const loans: { id: string; asset: string; outstanding: string }[] = view.loans.filter(
      (l: { asset: string; outstanding: string }) => l.asset === asset && dec(l.outstanding).gt(0),
    );
    if (loans.length === 0) return { status: 404, body: { code: 'NO_LOAN', message: `no open ${asset} loan` } };
    let left = amount === 'all' ? null : dec(amount);
    let response = { status: 200, body: null as any };
    for (const [i, loan] of loans.entries()) {
      const last = i === loans.length - 1;
      const pay = left === null ? 'all' : last ? left.toFixed() : Decimal.min(left, loan.outstanding).toFixed();
      if (pay !== 'all' && dec(pay).isZero()) break;
      response = await this.api.call('POST', `/v1/loans/${loan.id}/repayments`, key, { amount: pay });
      if (response.status >= 400) return response;
      if (left !== null) left = left.minus(pay);
    }
    return response;
  }

  private record(step: Step, action: string, error: string | null): void {
    let outcome: StepRecord['outcome'];
    if (step.expectError) outcome = error === step.expectError ? 'failed as expected' : 'expected an error';
    else outcome = error ? 'unexpected error' : 'ok';
    const shown = step.expectError && outcome === 'expected an error' ? `expected ${step.expectError}, got ${error ?? 'success'}` : error;
    this.result.steps.push({ day: step.day, hour: step.hour, line: step.line, action, outcome, error: shown });
  }

  private async check(expectation: Expectation, step: Step | null): Promise<void> {
    const at = { day: step?.day ?? this.day, hour: step?.hour ?? this.hour, line: step?.line ?? null };
    if (expectation.kind === 'market') {
      const market = await this.expectOk('GET', `/v1/markets/${expectation.asset}`, this.api.adminKey);
      const actual = String(market[expectation.field]);
      this.result.expectations.push({
        ...at,
        expectation: `market ${expectation.asset}: ${expectation.field} ${expectation.value} ± ${expectation.tolerance}`,
        actual,
        passed: within(actual, expectation.value, expectation.tolerance),
      });
      return;
    }
    const { key, accountId } = this.handle(expectation.where);
    const view = await this.expectOk('GET', `/v1/accounts/${accountId}`, key);
    const who = `${expectation.where.user}/${expectation.where.account}`;
    let actual: string;
    let passed: boolean;
    let wanted: string;
    switch (expectation.kind) {
      case 'status':
      case 'tier':
        actual = view[expectation.kind];
        wanted = expectation.kind === 'status' ? expectation.status : expectation.tier;
        passed = actual === wanted;
        break;
      case 'ltv':
        actual = view.ltv ?? 'none';
        wanted = `ltv ${expectation.ltv === null ? 'none' : `${expectation.ltv} ± ${expectation.tolerance}`}`;
        passed = expectation.ltv === null ? view.ltv === null : view.ltv !== null && within(view.ltv, expectation.ltv, expectation.tolerance);
        break;
      case 'position':
      case 'debt': {
        const rows: { asset: string; amount?: string; outstanding?: string }[] = expectation.kind === 'position' ? view.positions : view.loans;
        const total = rows.filter((r) => r.asset === expectation.asset).reduce((sum, r) => sum.plus(r.amount ?? r.outstanding ?? '0'), dec(0));
        actual = total.toFixed();
        wanted = `${expectation.kind} ${expectation.asset} ${expectation.amount} ± ${expectation.tolerance}`;
        passed = within(actual, expectation.amount, expectation.tolerance);
        break;
      }
      case 'realReturn': {
        // Over the whole run: what the position is worth against its principal, deflated by
        // the inflation of the time elapsed, (1 + nominal) / (1 + inflation)^years − 1.
        const position = view.positions.find((p: { asset: string }) => p.asset === expectation.asset);
        const nominal = position ? dec(position.amount).div(position.principal).minus(1) : dec(0);
        const years = dec(this.day * 24 + this.hour).div(365 * 24);
        const real = nominal.plus(1).div(dec(1).plus(expectation.inflation).pow(years)).minus(1);
        actual = `nominal ${nominal.toSignificantDigits(6).toFixed()}, real ${real.toSignificantDigits(6).toFixed()}`;
        wanted = `real return on ${expectation.asset} ${expectation.realReturn} ± ${expectation.tolerance} with ${expectation.inflation} inflation a year`;
        passed = within(real.toFixed(), expectation.realReturn, expectation.tolerance);
        break;
      }
      case 'notices': {
        const notices = await this.expectOk('GET', `/v1/accounts/${accountId}/notifications`, key);
        actual = String(notices.filter((n: { type: string }) => n.type === expectation.type).length);
        wanted = `${expectation.count} ${expectation.type} notice(s)`;
        passed = actual === String(expectation.count);
        break;
      }
    }
    this.result.expectations.push({
      ...at,
      expectation: `${who}: ${expectation.kind === 'status' || expectation.kind === 'tier' ? `${expectation.kind} ${wanted}` : wanted}`,
      actual,
      passed,
    });
  }

  /**
   * The day's record: every market in one call and each account's view and notices, all at
   * once (nothing moves the clock meanwhile); the clock's time is the one the last advance
   * returned, not read again.
   */
  private async recordDay(day: number): Promise<void> {
    const admin = this.api.adminKey;
    const handles = [...this.handles].sort(([a], [b]) => a.localeCompare(b));
    const daily = this.notices === 'daily';
    const [allMarkets, views, noticeLists] = await Promise.all([
      this.expectOk('GET', '/v1/markets', admin),
      Promise.all(handles.map(([, { key, accountId }]) => this.expectOk('GET', `/v1/accounts/${accountId}`, key))),
      daily ? this.noticesOf(handles) : [],
    ]);
    const markets: DayRecord['markets'] = {};
    for (const asset of [...this.prices.keys()].filter((a) => this.reported.has(a)).sort()) {
      const m = (allMarkets as { asset: string; [field: string]: string }[]).find((market) => market.asset === asset)!;
      markets[asset] = { utilization: m.utilization, supplyApr: m.supplyApr, borrowApr: m.borrowApr, totalSupplied: m.totalSupplied, totalBorrowed: m.totalBorrowed };
    }
    const accounts: DayRecord['accounts'] = {};
    const events: DayRecord['events'] = [];
    for (const [i, [name]] of handles.entries()) {
      accounts[name] = accountRecord(views[i]);
      if (!daily) continue;
      const notices = noticeLists[i];
      for (const notice of notices.slice(this.seenNotices.get(name) ?? 0)) events.push(eventOf(name, notice));
      this.seenNotices.set(name, notices.length);
    }
    sortEvents(events);
    this.result.daily.push({ day, date: this.now, prices: Object.fromEntries([...this.prices].filter(([a]) => this.reported.has(a)).sort(([a], [b]) => a.localeCompare(b))), markets, accounts, events });
  }

  /** Each account's notices so far, oldest first (the handles' order). */
  private noticesOf(handles: [string, Handle][]): Promise<Notice[][]> {
    return Promise.all(handles.map(([, { key, accountId }]) => this.expectOk('GET', `/v1/accounts/${accountId}/notifications`, key)));
  }

  /**
   * Every account's notices read once, after the last day, each given to the day whose record
   * first saw it: the record of day d is taken at the clock's time `date` (its last stop that
   * day), after everything at that instant, and nothing happens between a record and the next
   * move of the clock. A notice is dated by the clock's time when it is stored (a maturity by
   * its maturity, which the clock has just passed: after the previous stop, at or before this
   * one), so the notice with `at` in (date of day d − 1, date of day d] is the one day d's
   * record would have listed as new. Reading them every day cost two requests a day.
   */
  private async attributeNotices(): Promise<void> {
    const handles = [...this.handles].sort(([a], [b]) => a.localeCompare(b));
    const lists = await this.noticesOf(handles);
    const ends = this.result.daily.map((record) => Date.parse(record.date));
    for (const [i, [name]] of handles.entries()) {
      for (const notice of lists[i]) {
        const at = Date.parse(notice.at);
        const day = ends.findIndex((end) => at <= end);
        // Stored after the last record (an expectation's read moves nothing): no day shows it.
        if (day >= 0) this.result.daily[day].events.push(eventOf(name, notice));
      }
    }
    for (const record of this.result.daily) sortEvents(record.events);
  }

  private async setPrice(asset: string, price: string, mustSucceed = true): Promise<{ status: number; body: any }> {
    const response = await this.api.call('PUT', `/v1/prices/${asset}?wait=true`, this.api.adminKey, { price });
    if (response.status < 400) this.prices.set(asset, price);
    else if (mustSucceed) throw new Error(`setting the ${asset} price failed: ${JSON.stringify(response.body)}`);
    return response;
  }

  private handle(where: Where): Handle {
    return this.handles.get(`${where.user}/${where.account}`)!;
  }

  /** A set-up call or a read that must work; if it does not, the run cannot go on. */
  private async expectOk(method: 'GET' | 'POST' | 'PUT', path: string, key: string, body?: object): Promise<any> {
    const response = await this.api.call(method, path, key, body);
    if (response.status >= 400) throw new Error(`${method} ${path} failed (${response.status}): ${JSON.stringify(response.body)}`);
    return response.body;
  }
}

/**
 * How the runner moves the clock over days without steps: `stretches`, each stretch of them in
 * one advance, their records from the history reads; `daily`, one advance and one set of live
 * reads a day (the reference the test compares `stretches` with). Notices read `daily` need
 * the clock to stop every day, so they imply `daily`.
 */
export type ClockAdvancing = 'stretches' | 'daily';

/** An account's part of a day's record, from its view (GET /v1/accounts/:id) or a row of its history. */
function accountRecord(
  view: Omit<DayRecord['accounts'][string], 'positions' | 'debts'> & { positions: { asset: string; amount: string }[]; loans: { asset: string; outstanding: string }[] },
): DayRecord['accounts'][string] {
  return {
    tier: view.tier,
    status: view.status,
    collateralValue: view.collateralValue,
    debtValue: view.debtValue,
    ltv: view.ltv,
    marginCallLtv: view.marginCallLtv,
    liquidationLtv: view.liquidationLtv,
    positions: Object.fromEntries(view.positions.map((p) => [p.asset, p.amount])),
    debts: sumByAsset(view.loans),
  };
}

/** `YYYY-MM-DD` of the scenario's day `day` (its start is at 00:00 UTC of day 0). */
function dateOf(start: string, day: number): string {
  return new Date(Date.parse(start) + day * 86_400_000).toISOString().slice(0, 10);
}

/**
 * How the runner gathers the notices of each day's record: `once`, all of them after the last
 * day, each to the day of its `at` (two requests a day fewer); `daily`, each day the ones not
 * seen before (the reference the test compares `once` with).
 */
export type NoticeReading = 'once' | 'daily';

interface Notice {
  type: string;
  at: string;
  data: Record<string, unknown>;
}

function eventOf(account: string, notice: Notice): DayRecord['events'][number] {
  return { account, type: notice.type, at: notice.at, details: eventDetails(notice) };
}

/** Notices of one instant may be stored in any order (a set-based sweep): order by content. */
function sortEvents(events: DayRecord['events']): void {
  const key = (e: DayRecord['events'][number]) => `${e.at} ${e.account} ${e.type} ${JSON.stringify(e.details)}`;
  events.sort((a, b) => key(a).localeCompare(key(b)));
}

function errorOf(response: { status: number; body: any }): string | null {
  return response.status >= 400 ? String(response.body?.code ?? `HTTP_${response.status}`) : null;
}

function within(actual: string, wanted: string, tolerance: string): boolean {
  return dec(actual).minus(wanted).abs().lte(tolerance);
}

function sumByAsset(loans: { asset: string; outstanding: string }[]): Record<string, string> {
  const sums = new Map<string, Decimal>();
  for (const loan of loans) sums.set(loan.asset, (sums.get(loan.asset) ?? dec(0)).plus(loan.outstanding));
  return Object.fromEntries([...sums].sort(([a], [b]) => a.localeCompare(b)).map(([asset, sum]) => [asset, sum.toFixed()]));
}

/** A notice's figures without its ids (loan ids are random), so results compare across runs. */
function eventDetails(notice: { type: string; data: Record<string, unknown> }): Record<string, unknown> {
  const keep: Record<string, string[]> = {
    margin_call: ['ltv', 'marginCallLtv', 'liquidationLtv', 'repayToRecover', 'addCollateralToRecover'],
    margin_call_warning: ['level', 'ltv'],
    // Restore's figures, then the other strategies' (a restore notice has none of them, so its details are as before).
    liquidation: ['strategy', 'ltvBefore', 'ltvAfter', 'target', 'healthFactorBefore', 'healthFactorAfter', 'closeFactor', 'repaid', 'liquidationLevel', 'credit', 'surplus', 'badDebt'],
    tier_change: ['from', 'to'],
    maturity: ['asset', 'amount', 'maturesAt'],
  };
  const details: Record<string, unknown> = Object.fromEntries((keep[notice.type] ?? []).filter((k) => k in notice.data).map((k) => [k, notice.data[k]]));
  if (notice.type === 'liquidation') Object.assign(details, liquidationCost(notice.data));
  // Absorb's repayments name their loans (random ids); its credit says what was repaid.
  if (Array.isArray(details.repaid)) delete details.repaid;
  return details;
}

/**
 * What a liquidation took from the borrower beyond the debt it cleared (USD): the "fees paid"
 * of a preset comparison, by strategy.
 * - restore: the fee on each sale (exact sum);
 * - close-factor: each seizure's value beyond the debt it repaid (its `bonusValue`: the
 *   liquidator's and the protocol's parts of the bonus together, exact); the seizures are kept
 *   without their loan ids;
 * - absorb: each asset's value − credited, the discount at the liquidation factor (exact); the
 *   absorbed assets are kept. A surplus stays the borrower's, so it is no cost.
 */
export function liquidationCost(data: Record<string, unknown>): Record<string, unknown> {
  type Step = { fee?: { value?: string }; seized?: { asset: string; units: string; price: string; value: string }; bonus?: string; bonusValue?: string; protocolFee?: { units: string } };
  const steps = Array.isArray(data.steps) ? (data.steps as Step[]) : null;
  if (data.strategy === 'close-factor' && steps) {
    const seized = steps.map((s) => ({ ...s.seized, bonus: s.bonus, protocolFeeUnits: s.protocolFee?.units }));
    return { seized, feePaid: steps.reduce((sum, s) => sum.plus(s.bonusValue ?? '0'), dec(0)).toFixed() };
  }
  if (data.strategy === 'absorb' && Array.isArray(data.absorbed)) {
    const absorbed = data.absorbed as { value: string; credited: string }[];
    return { absorbed, feePaid: absorbed.reduce((sum, a) => sum.plus(dec(a.value).minus(a.credited)), dec(0)).toFixed() };
  }
  return steps ? { feePaid: steps.reduce((sum, step) => sum.plus(step.fee?.value ?? '0'), dec(0)).toFixed() } : {};
}

function withoutEmpty(patch: object): object {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
}

export function describe(action: Action): string {
  switch (action.kind) {
    case 'deposit':
    case 'borrow':
    case 'repay':
      return `${action.kind} ${action.amount} ${action.asset} (${action.where.user}/${action.where.account})`;
    case 'withdraw':
      return `withdraw ${action.asset} (${action.where.user}/${action.where.account})`;
    case 'price': {
      const p = action.path;
      if (p.kind === 'set') return `price ${action.asset} ${p.to}`;
      if (p.kind === 'linear') return `price ${action.asset} to ${p.to} over ${p.days} day(s)`;
      if (p.kind === 'replay') {
        const rescaled = p.rescaleTo === undefined ? '' : `, rescaled to start at ${p.rescaleTo}`;
        const intraday = p.intraday ? `, hourly prices between (seed ${p.intraday.seed}${p.intraday.volatility === undefined ? '' : `, volatility ${p.intraday.volatility}`})` : '';
        return `price ${action.asset} replays ${p.data} from ${p.from} to ${p.to}${rescaled}${intraday}`;
      }
      return `price ${action.asset} random walk (seed ${p.seed}, drift ${p.drift}, volatility ${p.volatility}) for ${p.days} day(s)`;
    }
    case 'market':
      return `market ${action.asset} ${JSON.stringify(action.patch)}`;
    case 'expect':
      return `expect ${action.expectation.kind}`;
  }
}
