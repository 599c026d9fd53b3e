/**
 * Numbers as a learner reads them, shared by the scenario report (Node) and the console
 * (browser). Decimal strings stay decimals (decimal.js): no Node or DOM APIs, no float rounding
 * of amounts (an 18-decimal ETH amount stays exact, a trillion dollars keeps its cents).
 */
import { findAsset } from '../common/money/assets.js';
import { Decimal, dec } from '../common/money/decimal.js';

const groupThousands = (digits: string) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** A decimal string cut (not rounded) to `decimals` places, trailing zeros dropped, thousands grouped. */
export function decimalText(value: string, decimals: number): string {
  const negative = value.startsWith('-');
  const [whole, fraction = ''] = (negative ? value.slice(1) : value).split('.');
  const kept = fraction.slice(0, decimals).replace(/0+$/, '');
  return `${negative ? '−' : ''}${groupThousands(whole || '0')}${kept ? `.${kept}` : ''}`;
}

/** An amount at its asset's decimals: "20,000.039241 USDC". */
export function amountText(value: string | null | undefined, asset: string): string {
  if (value === null || value === undefined) return '—';
  return `${decimalText(value, findAsset(asset)?.decimals ?? 8)} ${asset}`;
}

/** A decimal (string, or a number a chart computed) for display only; null when it is not a number. */
function displayDecimal(value: string | number): Decimal | null {
  try {
    const d = dec(String(value));
    return d.isFinite() ? d : null;
  } catch {
    return null;
  }
}

/** Rounded half-up to `places` for display, trailing zeros kept to `minimum` places, thousands grouped. */
function roundedText(d: Decimal, places: number, minimum: number): string {
  const [whole, fraction = ''] = d.abs().toFixed(places, Decimal.ROUND_HALF_UP).split('.');
  const kept = fraction.replace(/0+$/, '').padEnd(minimum, '0');
  const negative = d.isNegative() && !d.abs().toDecimalPlaces(places, Decimal.ROUND_HALF_UP).isZero();
  return `${negative ? '−' : ''}${groupThousands(whole)}${kept ? `.${kept}` : ''}`;
}

/** US dollars to the cent: "$1,000,000.04". */
export function usdText(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  const d = displayDecimal(value);
  if (!d) return String(value);
  const text = roundedText(d, 2, 2);
  return text.startsWith('−') ? `−$${text.slice(1)}` : `$${text}`;
}

/** A price: dollars with as many places as a small price needs ("$0.5", "$65,000"). */
export function priceText(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  const d = displayDecimal(value);
  if (!d) return String(value);
  return `$${roundedText(d, d.abs().lt(10) ? 4 : 2, 0)}`;
}

/** A rate (a fraction) as a percentage: "10.52 %". */
export function pctText(rate: string | number | null | undefined, digits = 2): string {
  if (rate === null || rate === undefined || rate === '') return '—';
  const d = displayDecimal(rate);
  if (!d) return String(rate);
  return `${roundedText(d.times(100), digits, digits)} %`;
}

/** A compact axis number: 1.2M, 25k, 0.5. */
export function compactNumber(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e9) return `${+(n / 1e9).toPrecision(3)}B`;
  if (a >= 1e6) return `${+(n / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${+(n / 1e3).toPrecision(3)}k`;
  if (a >= 100) return String(Math.round(n));
  return String(+n.toPrecision(3));
}

/** "day 1, 09:00" from a time measured in days since the start. */
export function dayHourText(days: number): string {
  const day = Math.floor(days + 1e-9);
  const hour = Math.round((days - day) * 24);
  return hour === 0 ? `day ${day}` : `day ${day}, ${String(hour).padStart(2, '0')}:00`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const TIER = (t: unknown) => String(t ?? '?');

/** A health factor to 3 decimals, in decimals (half up), as the notice's exact figure allows. */
const hfText = (hf: string | null) => (hf === null ? '—' : dec(hf).toFixed(3, Decimal.ROUND_HALF_UP));

/**
 * A notification (or a scenario event) as a sentence. `data` is what the API stores with it;
 * amounts named in USD are shown as dollars, rates as percentages.
 */
export function noticeSentence(type: string, data: Record<string, unknown>): string {
  const s = (k: string) => (data[k] === null || data[k] === undefined ? null : String(data[k]));
  switch (type) {
    case 'margin_call': {
      const add = s('addCollateralToRecover');
      return (
        `Margin call: the LTV reached ${pctText(s('ltv'), 1)}, past the margin-call level of ${pctText(s('marginCallLtv'), 1)} ` +
        `(liquidation at ${pctText(s('liquidationLtv'), 1)}). To recover, repay ${usdText(s('repayToRecover'))} of debt` +
        `${add ? ` or add ${usdText(add)} of collateral` : ''}.`
      );
    }
    case 'margin_call_warning':
      return `Warning: the LTV reached ${pctText(s('ltv'), 1)}, past the warning level of ${pctText(s('level'), 1)}.`;
    case 'liquidation': {
      const bad = Number(s('badDebt') ?? 0);
      const after = s('ltvAfter');
      const badText = bad > 0 ? ` ${usdText(bad)} of debt was not covered: bad debt, written off by the platform.` : '';
      const units = (k: string) => (data[k] && typeof data[k] === 'object' ? (data[k] as { asset?: string; units?: string; value?: string }) : null);
      if (s('strategy') === 'close-factor') {
        const repaid = units('repaid');
        return (
          `Liquidation (close factor): at a health factor of ${hfText(s('healthFactorBefore'))} (LTV ${pctText(s('ltvBefore'), 1)}) ` +
          `up to ${pctText(s('closeFactor'), 0)} of the debt could be repaid; ${repaid?.asset === 'USD' ? usdText(repaid.units) : amountText(repaid?.units, repaid?.asset ?? '')} was, ` +
          `for collateral worth that plus the liquidation bonus` +
          (after ? `. Health factor now ${hfText(s('healthFactorAfter'))} (LTV ${pctText(after, 1)}).` : '.') +
          badText
        );
      }
      if (s('strategy') === 'absorb') {
        const credit = units('credit');
        const surplus = units('surplus');
        return (
          `Liquidation (absorb): at an LTV of ${pctText(s('ltvBefore'), 1)} (level ${pctText(s('liquidationLevel'), 1)}) the platform took all the collateral ` +
          `and credited ${usdText(credit?.value)} against the debt` +
          (surplus?.units ? `; ${amountText(surplus.units, surplus.asset ?? '')} is left to the account.` : '.') +
          badText
        );
      }
      return (
        `Liquidation: at an LTV of ${pctText(s('ltvBefore'), 1)} collateral was sold ` +
        (after ? `until the LTV was back at ${pctText(after, 1)} (target ${pctText(s('target'), 1)}).` : 'and no debt is left.') +
        (bad > 0 ? ` Even selling everything did not cover the debt: ${usdText(bad)} is bad debt, written off by the platform.` : '')
      );
    }
    case 'tier_change':
      return `Loyalty tier changed from ${TIER(data.from)} to ${TIER(data.to)}${s('loyaltyTokenValue') ? ` (LAB held: ${usdText(s('loyaltyTokenValue'))} against ${usdText(s('collateralValue'))} of collateral)` : ''}.`;
    case 'maturity':
      return `${s('asset') && s('amount') ? amountText(s('amount'), s('asset')!) : 'A position'} matured${s('maturesAt') ? ` on ${s('maturesAt')!.slice(0, 16).replace('T', ' ')} UTC` : ''}: it can be withdrawn.`;
    default: {
      const parts = Object.entries(data)
        .filter(([, v]) => v !== null && typeof v !== 'object')
        .map(([k, v]) => `${k} ${String(v)}`);
      return `${type.replace(/_/g, ' ')}${parts.length ? `: ${parts.join(', ')}` : ''}.`;
    }
  }
}
