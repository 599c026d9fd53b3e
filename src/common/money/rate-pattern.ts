/**
 * The digits of a rate written as a plain decimal string (api-contract, Conventions): up to three
 * whole digits with no leading zero, then at most `decimals` decimals; `signed` allows a leading
 * minus. A regular-expression fragment, with no anchors: the markets (up to 1000, 18 decimals,
 * stored exactly) and the calculators (30 decimals, at most 100) each bound it in their own way.
 */
export function rateDigits(decimals: number, signed = false): string {
  return `${signed ? '-?' : ''}(0|[1-9][0-9]{0,2})(\\.[0-9]{1,${decimals}})?`;
}
