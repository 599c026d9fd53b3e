import { Decimal, dec } from '../common/money/decimal.js';
import { seededRandom } from '../common/random/seeded-random.js';
import type { PricePath, Replay } from './scenario-format.js';
import { priceHistory, rescale, window } from './price-history.js';

export interface PricePoint {
  /** Days after the step's own day (0: at the step itself). */
  offset: number;
  /** Hours after that (0 unless an intraday path sets prices between the days). */
  hours?: number;
  /** A price in between two real figures (an intraday bridge), not one of them. */
  between?: boolean;
  price: string;
}

const SIGNIFICANT_DIGITS = 10;

/**
 * The prices a path sets, one per day: `set` now; `linear` a straight line from the current
 * price to `to` over `days` days (one point per day, the last exactly `to`); `gbm` a geometric
 * Brownian motion, S(d+1) = S(d)·exp((μ − σ²/2)/365 + σ·√(1/365)·Z), Z standard normal from a
 * seeded generator: the same seed gives the same path on every run. Prices keep 10 significant
 * digits. The random walk is computed in floating point (it is an input that is made up, not
 * money); each price becomes a decimal string before anything uses it. `replay` plays a window
 * of real history (replayPoints).
 */
export function pricePoints(current: string, path: PricePath): PricePoint[] {
  if (path.kind === 'set') return [{ offset: 0, price: path.to }];
  if (path.kind === 'replay') return replayPoints(path);
  if (path.kind === 'linear') {
    const from = dec(current);
    const step = dec(path.to).minus(from).div(path.days);
    return Array.from({ length: path.days }, (_, i) => ({
      offset: i + 1,
      price: i + 1 === path.days ? path.to : show(from.plus(step.times(i + 1))),
    }));
  }
  const normal = standardNormals(path.seed);
  const mu = Number(path.drift);
  const sigma = Number(path.volatility);
  const dt = 1 / 365;
  let price = Number(current);
  return Array.from({ length: path.days }, (_, i) => {
    price *= Math.exp((mu - (sigma * sigma) / 2) * dt + sigma * Math.sqrt(dt) * normal());
    return { offset: i + 1, price: show(new Decimal(price.toPrecision(SIGNIFICANT_DIGITS))) };
  });
}

/**
 * A window of real history: day d of the step is the figure dated from + d (day 0: `from`,
 * set at the step itself), times rescaleTo ÷ the figure of `from` when rescaleTo is given.
 * With `intraday`, hours 1 to 23 of each day between two figures follow a Brownian bridge in
 * log price from one figure to the next: X(h) = X(h−1) + (b − X(h−1))/(25 − h) +
 * σ·√((24 − h)/(25 − h)/24)·Z, σ the day's volatility (the `volatility` given, a year, ÷ √365;
 * by default the root mean square of the window's own daily log moves), Z standard normal from
 * the seeded generator, one for the whole window: the same seed, the same path. Both ends are
 * the real figures exactly; only the hours between are made up (10 significant digits).
 */
export function replayPoints(path: Replay): PricePoint[] {
  const real = window(priceHistory(path.data), path.from, path.to);
  const closes = path.rescaleTo === undefined ? real : rescale(real, path.rescaleTo);
  const points: PricePoint[] = closes.map((price, offset) => ({ offset, price }));
  if (!path.intraday) return points;
  const logs = closes.map((c) => Math.log(Number(c)));
  const moves = logs.slice(1).map((x, i) => x - logs[i]);
  const sigma =
    path.intraday.volatility === undefined
      ? Math.sqrt(moves.reduce((sum, m) => sum + m * m, 0) / Math.max(1, moves.length))
      : Number(path.intraday.volatility) / Math.sqrt(365);
  const normal = standardNormals(path.intraday.seed);
  const between: PricePoint[] = [];
  for (let day = 0; day < closes.length - 1; day += 1) {
    const end = logs[day + 1];
    let x = logs[day];
    for (let h = 1; h < 24; h += 1) {
      x += (end - x) / (25 - h) + sigma * Math.sqrt((24 - h) / (25 - h) / 24) * normal();
      between.push({ offset: day, hours: h, between: true, price: show(new Decimal(Math.exp(x).toPrecision(SIGNIFICANT_DIGITS))) });
    }
  }
  return [...points, ...between].sort((a, b) => a.offset - b.offset || (a.hours ?? 0) - (b.hours ?? 0));
}

function show(price: Decimal): string {
  return price.toSignificantDigits(SIGNIFICANT_DIGITS, Decimal.ROUND_HALF_EVEN).toFixed();
}

/** Standard normal draws (Box–Muller) from the seeded generator. */
function standardNormals(seed: number): () => number {
  const uniform = seededRandom(seed);
  return () => {
    const u = 1 - uniform(); // (0, 1]: log(0) never happens
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
}
