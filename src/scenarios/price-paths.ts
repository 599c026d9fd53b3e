import { Decimal, dec } from '../common/money/decimal.js';
import type { PricePath } from './scenario-format.js';

export interface PricePoint {
  /** Days after the step's own day (0: at the step itself). */
  offset: number;
  price: string;
}

const SIGNIFICANT_DIGITS = 10;

/**
 * The prices a path sets, one per day: `set` now; `linear` a straight line from the current
 * price to `to` over `days` days (one point per day, the last exactly `to`); `gbm` a geometric
 * Brownian motion, S(d+1) = S(d)·exp((μ − σ²/2)/365 + σ·√(1/365)·Z), Z standard normal from a
 * seeded generator: the same seed gives the same path on every run. Prices keep 10 significant
 * digits. The random walk is computed in floating point (it is an input that is made up, not
 * money); each price becomes a decimal string before anything uses it.
 */
export function pricePoints(current: string, path: PricePath): PricePoint[] {
  if (path.kind === 'set') return [{ offset: 0, price: path.to }];
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

function show(price: Decimal): string {
  return price.toSignificantDigits(SIGNIFICANT_DIGITS, Decimal.ROUND_HALF_EVEN).toFixed();
}

/** Standard normal draws (Box–Muller) from mulberry32, a small seeded generator. */
function standardNormals(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => {
    const u = 1 - uniform(); // (0, 1]: log(0) never happens
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
}
