import { LineCounter, parseDocument } from 'yaml';
import { DEMO_PRICES } from '../markets/market-defaults.js';
import { ASSET_CODES } from '../common/money/assets.js';
import { DATA_SET_NAME, dataSets, daysBetween, isDate, priceHistory } from './price-history.js';
import type { PriceHistory } from './price-history.js';
import { PRESETS } from '../presets/index.js';

/**
 * A scenario file (YAML), as documented in the README's "Scenarios" section. Amounts, prices
 * and rates are decimal strings (quoted in YAML, so that nothing passes through a float).
 */
export interface Scenario {
  name: string;
  description: string;
  /** Where the simulated clock starts (ISO 8601, UTC). */
  start: string;
  /** Days simulated after the start (the clock ends at start + days). */
  days: number;
  /**
   * The product presets (src/presets) the story is played under, each in a fresh world, applied
   * before the file's own settings and markets; several make a comparison. Empty: the engine as
   * it starts (LendLab's rules), no preset applied.
   */
  presets: string[];
  settings?: { lendingPeriodDays?: number; liquidationFee?: string };
  markets?: Record<string, { rateModel?: Record<string, string>; risk?: Record<string, string> }>;
  /**
   * The starting prices the file names; the others start at DEFAULT_PRICES. A replay named
   * under `prices` starts at its first figure and goes on as a price step at day 0 (in steps).
   */
  prices: Record<string, string>;
  users: Record<string, { kyc: 'approved' | 'pending' | 'rejected'; accounts: string[] }>;
  steps: Step[];
  expect: Expectation[];
}

export interface Where {
  user: string;
  /** `main` unless given. */
  account: string;
}

export type Action =
  | { kind: 'deposit'; where: Where; asset: string; amount: string }
  | { kind: 'withdraw'; where: Where; asset: string }
  | { kind: 'borrow'; where: Where; asset: string; amount: string }
  | { kind: 'repay'; where: Where; asset: string; amount: string }
  | { kind: 'price'; asset: string; path: PricePath }
  | { kind: 'market'; asset: string; patch: object }
  | { kind: 'expect'; expectation: Expectation };

export type PricePath =
  | { kind: 'set'; to: string }
  | { kind: 'linear'; to: string; days: number }
  | { kind: 'gbm'; days: number; drift: string; volatility: string; seed: number }
  | {
      kind: 'replay';
      /** A data set in data/ (`btc-usd-daily`). */
      data: string;
      /** The window's first and last dates (YYYY-MM-DD), both included. */
      from: string;
      to: string;
      /** Start at this price: every figure times rescaleTo ÷ the first. */
      rescaleTo?: string;
      /** Hourly prices between the figures: a seeded Brownian bridge. */
      intraday?: { seed: number; volatility?: string };
    };

export type Replay = Extract<PricePath, { kind: 'replay' }>;

export interface Step {
  day: number;
  hour: number;
  action: Action;
  /** The error code the step must fail with. */
  expectError?: string;
  /** Where the step is in the file, for messages. */
  line: number;
}

export type Expectation =
  | { kind: 'status'; where: Where; status: string }
  | { kind: 'ltv'; where: Where; ltv: string | null; tolerance: string }
  | { kind: 'tier'; where: Where; tier: string }
  | { kind: 'position' | 'debt'; where: Where; asset: string; amount: string; tolerance: string }
  | { kind: 'realReturn'; where: Where; asset: string; realReturn: string; inflation: string; tolerance: string }
  | { kind: 'notices'; where: Where; type: string; count: number }
  | { kind: 'market'; asset: string; field: 'utilization' | 'borrowApr' | 'supplyApr'; value: string; tolerance: string };

/** An expectation that holds under some presets only (`preset: nexo` or `preset: [nexo, lendlab]`); absent: under all. */
export type ScopedExpectation = Expectation & { presets?: string[] };

/** A broken scenario file: every problem, each with its line and path. */
export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: ${problems.length} problem(s)\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ScenarioError';
  }
}

// The listed assets, in the contract's order (common/money/assets.ts).
const ASSETS = ASSET_CODES;

/**
 * The price an asset starts at when the scenario's `prices` does not name it: 1 for the
 * stablecoins, the sandbox's seeded (demo) price for the others. A deposit of USDC needs no
 * USDC price in the file.
 */
export const DEFAULT_PRICES: Readonly<Record<string, string>> = Object.fromEntries(
  ASSETS.map((asset) => [asset, asset === 'USDC' || asset === 'USDT' ? '1' : DEMO_PRICES[asset]]),
);

/** The assets a scenario is about: those it prices, moves, deposits, borrows or checks (the report shows these). */
export function assetsOf(scenario: Scenario): string[] {
  const used = new Set(Object.keys(scenario.prices));
  for (const asset of Object.keys(scenario.markets ?? {})) used.add(asset);
  const fromExpectation = (e: Expectation) => (e.kind === 'notices' || e.kind === 'status' || e.kind === 'ltv' || e.kind === 'tier' ? undefined : e.asset);
  for (const step of scenario.steps) {
    const action = step.action;
    const asset = action.kind === 'expect' ? fromExpectation(action.expectation) : action.asset;
    if (asset) used.add(asset);
  }
  for (const e of scenario.expect) {
    const asset = fromExpectation(e);
    if (asset) used.add(asset);
  }
  return ASSETS.filter((asset) => used.has(asset));
}
const DECIMAL = /^-?[0-9]+(\.[0-9]+)?$/;
const NAME = /^[a-z][a-z0-9_-]{0,39}$/;
const REPLAY_KEYS = ['replay', 'from', 'to', 'rescaleTo', 'intraday'];
const ACTIONS = ['deposit', 'withdraw', 'borrow', 'repay', 'price', 'market', 'expect'];

/** Reads and checks a scenario; throws ScenarioError naming every problem's line and path. */
export function parseScenario(text: string, file: string): Scenario {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const problems: string[] = [];
  const lineOf = (path: (string | number)[]): number => {
    for (let n = path.length; n >= 0; n -= 1) {
      const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return lines.linePos(node.range[0]).line;
    }
    return 1;
  };
  for (const error of doc.errors) problems.push(`line ${lines.linePos(error.pos[0]).line}: ${error.message.split('\n')[0]}`);
  if (problems.length) throw new ScenarioError(file, problems);
  const root: unknown = doc.toJS();
  const check = new Checker(problems, lineOf);
  const scenario = check.scenario(root);
  const lineNumber = (problem: string) => Number(/^line (\d+)/.exec(problem)?.[1] ?? 0);
  if (problems.length) throw new ScenarioError(file, [...problems].sort((a, b) => lineNumber(a) - lineNumber(b)));
  return scenario!;
}

type Path = (string | number)[];

/** Walks the parsed file, collecting problems (with their lines) instead of stopping at the first. */
class Checker {
  constructor(
    private readonly problems: string[],
    private readonly lineOf: (path: Path) => number,
  ) {}

  scenario(root: unknown): Scenario | undefined {
    const top = this.object(root, [], ['name', 'description', 'start', 'days', 'preset', 'presets', 'settings', 'markets', 'prices', 'users', 'steps', 'expect']);
    if (!top) return undefined;
    const users = this.users(top.users, ['users']);
    const days = this.integer(top.days, ['days'], 1, 3650) ?? 0;
    const replays: Step[] = [];
    this.presets = this.presetList(top);
    const scenario: Scenario = {
      name: this.string(top.name, ['name']) ?? '',
      description: top.description === undefined ? '' : (this.string(top.description, ['description']) ?? ''),
      start: top.start === undefined ? '2026-01-01T00:00:00Z' : (this.instant(top.start, ['start']) ?? ''),
      days,
      presets: this.presets,
      settings: top.settings === undefined ? undefined : this.settings(top.settings, ['settings']),
      markets: top.markets === undefined ? undefined : this.markets(top.markets, ['markets']),
      prices: top.prices === undefined ? {} : this.prices(top.prices, ['prices'], days, replays),
      users,
      steps: [],
      expect: [],
    };
    const steps = top.steps === undefined ? [] : this.list(top.steps, ['steps']);
    scenario.steps = [...replays, ...steps.flatMap((step, i) => this.step(step, ['steps', i], users, scenario.days) ?? [])];
    const expectations = top.expect === undefined ? [] : this.list(top.expect, ['expect']);
    scenario.expect = expectations.flatMap((e, i) => this.expectation(e, ['expect', i], users) ?? []);
    return scenario;
  }

  /** The presets the scenario names, for `preset:` on an expectation. */
  private presets: string[] = [];

  /** `preset: nexo` or `presets: [lendlab, nexo]`, never both; each a known preset, once. */
  private presetList(top: Record<string, unknown>): string[] {
    if (top.preset !== undefined && top.presets !== undefined) {
      this.fail(['presets'], 'name one preset (preset: nexo) or several (presets: [lendlab, nexo]), not both');
      return [];
    }
    if (top.preset !== undefined) return this.presetNames([top.preset], ['preset'], undefined, true);
    if (top.presets === undefined) return [];
    const names = this.presetNames(this.list(top.presets, ['presets']), ['presets']);
    if (Array.isArray(top.presets) && top.presets.length === 0) this.fail(['presets'], 'must name at least one preset');
    return names;
  }

  /** `single`: one name written as text (`preset: nexo`), its problems at `path` itself. */
  private presetNames(values: unknown[], path: Path, among = Object.keys(PRESETS), single = false): string[] {
    const names: string[] = [];
    values.forEach((value, i) => {
      const at = single ? path : [...path, i];
      if (typeof value !== 'string' || !among.includes(value)) {
        this.fail(at, `no preset ${JSON.stringify(value)}; ${among === this.presets ? 'the scenario names' : 'known presets are'}: ${among.join(', ') || 'none'}`);
      } else if (names.includes(value)) this.fail(at, `"${value}" is named twice`);
      else names.push(value);
    });
    return names;
  }

  private settings(value: unknown, path: Path): Scenario['settings'] {
    const o = this.object(value, path, ['lendingPeriodDays', 'liquidationFee']);
    if (!o) return undefined;
    return {
      lendingPeriodDays: o.lendingPeriodDays === undefined ? undefined : this.integer(o.lendingPeriodDays, [...path, 'lendingPeriodDays'], 1, 365),
      liquidationFee: o.liquidationFee === undefined ? undefined : this.decimal(o.liquidationFee, [...path, 'liquidationFee']),
    };
  }

  private markets(value: unknown, path: Path): Scenario['markets'] {
    const o = this.object(value, path, ASSETS);
    if (!o) return undefined;
    return Object.fromEntries(
      Object.entries(o).map(([asset, patch]) => {
        const p = this.object(patch, [...path, asset], ['rateModel', 'risk']) ?? {};
        const section = (name: 'rateModel' | 'risk', keys: string[]) => {
          if (p[name] === undefined) return undefined;
          const s = this.object(p[name], [...path, asset, name], keys) ?? {};
          return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, this.decimal(v, [...path, asset, name, k]) ?? '0']));
        };
        return [
          asset,
          {
            rateModel: section('rateModel', ['baseRate', 'optimalUtilization', 'slope1', 'slope2', 'reserveFactor']),
            risk: section('risk', ['maxLtv', 'marginCallLtv', 'liquidationLtv']),
          },
        ];
      }),
    );
  }

  /**
   * `BTC: "50000"`, or `BTC: { replay: btc-usd-daily, from: …, to: … }`: the replay's first
   * figure is the starting price, and the replay itself becomes a price step at day 0, hour 0.
   */
  private prices(value: unknown, path: Path, days: number, replays: Step[]): Record<string, string> {
    const o = this.object(value, path, ASSETS) ?? {};
    return Object.fromEntries(
      Object.entries(o).map(([asset, price]) => {
        if (typeof price !== 'object' || price === null || Array.isArray(price)) return [asset, this.decimal(price, [...path, asset]) ?? '0'];
        const at = [...path, asset];
        const replay = this.replay(this.object(price, at, REPLAY_KEYS) ?? {}, at, days);
        if (!replay) return [asset, '0'];
        replays.push({ day: 0, hour: 0, action: { kind: 'price', asset, path: replay }, line: this.lineOf(at) });
        const history = priceHistory(replay.data);
        return [asset, replay.rescaleTo ?? history.closes[daysBetween(history.first, replay.from)]];
      }),
    );
  }

  /** `{ replay: <data set>, from: <date>, to: <date>, rescaleTo?: "<price>", intraday?: { seed, volatility? } }`. */
  private replay(o: Record<string, unknown>, path: Path, daysLeft: number): Replay | undefined {
    const data = this.string(o.replay, [...path, 'replay']);
    let history: PriceHistory | undefined;
    if (data !== undefined) {
      const known = dataSets();
      if (!DATA_SET_NAME.test(data) || !known.includes(data)) {
        this.fail([...path, 'replay'], `no data set "${data}" in data/ (there is: ${known.join(', ') || 'none'})`);
      } else {
        try {
          history = priceHistory(data);
        } catch (error) {
          this.fail([...path, 'replay'], (error as Error).message);
        }
      }
    }
    const date = (key: 'from' | 'to'): string | undefined => {
      const value = o[key];
      if (typeof value !== 'string' || !isDate(value)) return this.fail([...path, key], `must be a date written like 2022-11-05 (got ${JSON.stringify(value)})`);
      if (history && (value < history.first || value > history.last)) {
        return this.fail([...path, key], `${value} is outside ${history.name}, which runs from ${history.first} to ${history.last}`);
      }
      return value;
    };
    const from = date('from');
    const to = date('to');
    let broken = false;
    if (from && to && from > to) broken = !this.fail([...path, 'to'], `the window must not end (${to}) before it starts (${from})`);
    else if (from && to && daysBetween(from, to) > daysLeft) {
      broken = !this.fail([...path, 'to'], `the window ${from} to ${to} is ${daysBetween(from, to)} days long; the scenario has ${daysLeft} day(s) left for it`);
    }
    let rescaleTo: string | undefined;
    if (o.rescaleTo !== undefined) {
      rescaleTo = this.decimal(o.rescaleTo, [...path, 'rescaleTo']);
      if (rescaleTo !== undefined && (rescaleTo.startsWith('-') || !/[1-9]/.test(rescaleTo))) rescaleTo = this.fail([...path, 'rescaleTo'], 'must be above 0');
      broken ||= rescaleTo === undefined;
    }
    let intraday: { seed: number; volatility?: string } | undefined;
    if (o.intraday !== undefined) {
      const i = this.object(o.intraday, [...path, 'intraday'], ['seed', 'volatility']) ?? {};
      const seed = this.integer(i.seed, [...path, 'intraday', 'seed'], 0, 2 ** 31 - 1);
      let volatility = i.volatility === undefined ? undefined : this.decimal(i.volatility, [...path, 'intraday', 'volatility']);
      if (volatility?.startsWith('-')) volatility = this.fail([...path, 'intraday', 'volatility'], 'must not be negative');
      broken ||= seed === undefined || (i.volatility !== undefined && volatility === undefined);
      if (seed !== undefined) intraday = volatility === undefined ? { seed } : { seed, volatility };
    }
    if (broken || !data || !history || !from || !to) return undefined;
    return { kind: 'replay', data, from, to, ...(rescaleTo === undefined ? {} : { rescaleTo }), ...(intraday ? { intraday } : {}) };
  }

  private users(value: unknown, path: Path): Scenario['users'] {
    const o = this.object(value, path, null) ?? {};
    return Object.fromEntries(
      Object.entries(o).map(([name, raw]) => {
        if (!NAME.test(name)) this.fail([...path, name], 'a user name is lower-case letters, digits, - or _, starting with a letter');
        const u = raw === null ? {} : (this.object(raw, [...path, name], ['kyc', 'accounts']) ?? {});
        const kyc = u.kyc === undefined ? 'approved' : this.oneOf(u.kyc, [...path, name, 'kyc'], ['approved', 'pending', 'rejected']);
        const accounts = u.accounts === undefined ? [] : this.list(u.accounts, [...path, name, 'accounts']).map((a, i) => this.string(a, [...path, name, 'accounts', i]) ?? '');
        return [name, { kyc: (kyc ?? 'approved') as 'approved', accounts }];
      }),
    );
  }

  private step(value: unknown, path: Path, users: Scenario['users'], days: number): Step | undefined {
    const o = this.object(value, path, ['day', 'hour', 'expectError', ...ACTIONS]);
    if (!o) return undefined;
    const day = this.integer(o.day, [...path, 'day'], 0, days) ?? 0;
    const hour = o.hour === undefined ? 0 : (this.integer(o.hour, [...path, 'hour'], 0, 23) ?? 0);
    const present = ACTIONS.filter((a) => o[a] !== undefined);
    if (present.length !== 1) {
      this.fail(path, `a step has exactly one action (${ACTIONS.join(', ')}); found ${present.length ? present.join(', ') : 'none'}`);
      return undefined;
    }
    const kind = present[0];
    const at = [...path, kind];
    const expectError = o.expectError === undefined ? undefined : this.string(o.expectError, [...path, 'expectError']);
    const action = this.action(kind, o[kind], at, users, days - day);
    return action ? { day, hour, action, expectError, line: this.lineOf(path) } : undefined;
  }

  private action(kind: string, value: unknown, path: Path, users: Scenario['users'], daysLeft: number): Action | undefined {
    if (kind === 'expect') {
      const expectation = this.expectation(value, path, users);
      return expectation ? { kind: 'expect', expectation } : undefined;
    }
    if (kind === 'price') return this.price(value, path, daysLeft);
    if (kind === 'market') {
      const o = this.object(value, path, ['asset', 'rateModel', 'risk']);
      if (!o) return undefined;
      const asset = this.asset(o.asset, [...path, 'asset']);
      const { [asset ?? '']: patch } = this.markets({ [asset ?? 'BTC']: { rateModel: o.rateModel, risk: o.risk } }, path) ?? {};
      return asset ? { kind: 'market', asset, patch: patch ?? {} } : undefined;
    }
    const needsAmount = kind !== 'withdraw';
    const o = this.object(value, path, ['user', 'account', 'asset', ...(needsAmount ? ['amount'] : [])]);
    if (!o) return undefined;
    const where = this.where(o, path, users);
    const asset = this.asset(o.asset, [...path, 'asset']);
    if (!where || !asset) return undefined;
    if (kind === 'withdraw') return { kind, where, asset };
    const amount = kind === 'repay' && o.amount === 'all' ? 'all' : this.decimal(o.amount, [...path, 'amount']);
    return amount ? ({ kind, where, asset, amount } as Action) : undefined;
  }

  private price(value: unknown, path: Path, daysLeft: number): Action | undefined {
    const o = this.object(value, path, ['asset', 'to', 'linear', 'gbm', ...REPLAY_KEYS]);
    if (!o) return undefined;
    const asset = this.asset(o.asset, [...path, 'asset']);
    // With replay, `to` is the window's last date; without it, a price now.
    const forms = o.replay !== undefined ? ['replay', 'linear', 'gbm'].filter((f) => o[f] !== undefined) : ['to', 'linear', 'gbm'].filter((f) => o[f] !== undefined);
    if (forms.length !== 1) {
      this.fail(
        path,
        'a price step has one of: to (a price now), linear (a straight move over days), gbm (a seeded random walk), replay (a window of real history, with from and to)',
      );
      return undefined;
    }
    if (forms[0] !== 'replay') {
      for (const key of ['from', 'rescaleTo', 'intraday']) if (o[key] !== undefined) this.fail([...path, key], `"${key}" goes with replay (a window of real history)`);
    }
    let pricePath: PricePath | undefined;
    if (forms[0] === 'replay') {
      pricePath = this.replay(o, path, daysLeft);
    } else if (forms[0] === 'to') {
      const to = this.decimal(o.to, [...path, 'to']);
      pricePath = to ? { kind: 'set', to } : undefined;
    } else if (forms[0] === 'linear') {
      const l = this.object(o.linear, [...path, 'linear'], ['to', 'days']) ?? {};
      const to = this.decimal(l.to, [...path, 'linear', 'to']);
      const days = this.integer(l.days, [...path, 'linear', 'days'], 1, daysLeft);
      pricePath = to && days ? { kind: 'linear', to, days } : undefined;
    } else {
      const g = this.object(o.gbm, [...path, 'gbm'], ['days', 'drift', 'volatility', 'seed']) ?? {};
      const days = this.integer(g.days, [...path, 'gbm', 'days'], 1, daysLeft);
      const drift = this.decimal(g.drift, [...path, 'gbm', 'drift']);
      const volatility = this.decimal(g.volatility, [...path, 'gbm', 'volatility']);
      const seed = this.integer(g.seed, [...path, 'gbm', 'seed'], 0, 2 ** 31 - 1);
      pricePath = days && drift && volatility && seed !== undefined ? { kind: 'gbm', days, drift, volatility, seed } : undefined;
    }
    return asset && pricePath ? { kind: 'price', asset, path: pricePath } : undefined;
  }

  private expectation(value: unknown, path: Path, users: Scenario['users']): Expectation | undefined {
    const o = this.object(value, path, [
      ...['user', 'account', 'status', 'ltv', 'tier', 'position', 'debt', 'amount', 'tolerance', 'notices', 'count'],
      ...['market', 'utilization', 'borrowApr', 'supplyApr', 'realReturn', 'inflation', 'preset'],
    ]);
    if (!o) return undefined;
    if (o.preset !== undefined) {
      const named = this.presetNames(Array.isArray(o.preset) ? o.preset : [o.preset], [...path, 'preset'], this.presets, !Array.isArray(o.preset));
      const inner = this.expectation(Object.fromEntries(Object.entries(o).filter(([k]) => k !== 'preset')), path, users);
      return inner && named.length ? ({ ...inner, presets: named } as ScopedExpectation) : undefined;
    }
    const tolerance = o.tolerance === undefined ? '0' : (this.decimal(o.tolerance, [...path, 'tolerance']) ?? '0');
    if (o.market !== undefined) {
      const asset = this.asset(o.market, [...path, 'market']);
      const fields = (['utilization', 'borrowApr', 'supplyApr'] as const).filter((f) => o[f] !== undefined);
      if (fields.length !== 1) return this.fail(path, 'a market expectation names one of: utilization, borrowApr, supplyApr');
      const figure = this.decimal(o[fields[0]], [...path, fields[0]]);
      return asset && figure ? { kind: 'market', asset, field: fields[0], value: figure, tolerance } : undefined;
    }
    const where = this.where(o, path, users);
    if (!where) return undefined;
    if (o.status !== undefined) {
      const status = this.oneOf(o.status, [...path, 'status'], ['healthy', 'margin_call', 'liquidating']);
      return status ? { kind: 'status', where, status } : undefined;
    }
    if (o.ltv !== undefined) {
      const ltv = o.ltv === null ? null : this.decimal(o.ltv, [...path, 'ltv']);
      return ltv !== undefined ? { kind: 'ltv', where, ltv, tolerance } : undefined;
    }
    if (o.tier !== undefined) {
      const tier = this.oneOf(o.tier, [...path, 'tier'], ['base', 'silver', 'gold', 'platinum']);
      return tier ? { kind: 'tier', where, tier } : undefined;
    }
    if (o.realReturn !== undefined) {
      const asset = this.asset(o.position, [...path, 'position']);
      const realReturn = this.decimal(o.realReturn, [...path, 'realReturn']);
      const inflation = this.decimal(o.inflation, [...path, 'inflation']);
      return asset && realReturn && inflation ? { kind: 'realReturn', where, asset, realReturn, inflation, tolerance } : undefined;
    }
    for (const kind of ['position', 'debt'] as const) {
      if (o[kind] === undefined) continue;
      const asset = this.asset(o[kind], [...path, kind]);
      const amount = this.decimal(o.amount, [...path, 'amount']);
      return asset && amount ? { kind, where, asset, amount, tolerance } : undefined;
    }
    if (o.notices !== undefined) {
      const type = this.oneOf(o.notices, [...path, 'notices'], ['margin_call', 'margin_call_warning', 'liquidation', 'maturity', 'tier_change']);
      const count = this.integer(o.count, [...path, 'count'], 0, 1_000_000);
      return type && count !== undefined ? { kind: 'notices', where, type, count } : undefined;
    }
    this.fail(path, 'an expectation names one of: status, ltv, tier, position (with amount or realReturn), debt (with amount), notices (with count), or a market');
    return undefined;
  }

  private where(o: Record<string, unknown>, path: Path, users: Scenario['users']): Where | undefined {
    const user = this.string(o.user, [...path, 'user']);
    if (user === undefined) return undefined;
    if (!users[user]) return this.fail([...path, 'user'], `no user "${user}" in users`);
    const account = o.account === undefined ? 'main' : this.string(o.account, [...path, 'account']);
    if (account === undefined) return undefined;
    if (account !== 'main' && !users[user].accounts.includes(account)) {
      return this.fail([...path, 'account'], `${user} has no account "${account}" (main, or one listed under users.${user}.accounts)`);
    }
    return { user, account };
  }

  private object(value: unknown, path: Path, keys: string[] | null): Record<string, unknown> | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return this.fail(path, 'must be a mapping (key: value lines)');
    const o = value as Record<string, unknown>;
    for (const key of Object.keys(o)) if (keys && !keys.includes(key)) this.fail([...path, key], `unknown key "${key}"; expected one of: ${keys.join(', ')}`);
    return o;
  }

  private list(value: unknown, path: Path): unknown[] {
    if (!Array.isArray(value)) return this.fail(path, 'must be a list (lines starting with "- ")') ?? [];
    return value;
  }

  private string(value: unknown, path: Path): string | undefined {
    if (typeof value !== 'string' || value.length === 0) return this.fail(path, 'must be text');
    return value;
  }

  private decimal(value: unknown, path: Path): string | undefined {
    if (typeof value !== 'string' || !DECIMAL.test(value)) return this.fail(path, `must be a decimal written as a quoted string, like "1.5" (got ${JSON.stringify(value)})`);
    return value;
  }

  private integer(value: unknown, path: Path, min: number, max: number): number | undefined {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      return this.fail(path, `must be a whole number from ${min} to ${max} (got ${JSON.stringify(value)})`);
    }
    return value;
  }

  private instant(value: unknown, path: Path): string | undefined {
    if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(value) || Number.isNaN(Date.parse(value))) {
      return this.fail(path, `must be a UTC time written like "2026-01-01T00:00:00Z" (got ${JSON.stringify(value)})`);
    }
    return value;
  }

  private asset(value: unknown, path: Path): string | undefined {
    return this.oneOf(value, path, ASSETS);
  }

  private oneOf<T extends string>(value: unknown, path: Path, allowed: T[]): T | undefined {
    if (typeof value !== 'string' || !allowed.includes(value as T)) return this.fail(path, `must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`);
    return value as T;
  }

  private fail(path: Path, message: string): undefined {
    const where = path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '') || '(top)';
    this.problems.push(`line ${this.lineOf(path)}: ${where}: ${message}`);
    return undefined;
  }
}
