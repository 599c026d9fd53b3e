import { describe, expect, it } from '@jest/globals';
import { amountText, pctText, priceText, usdText } from './format.js';

describe('numbers as a learner reads them', () => {
  it('keeps every cent of a large dollar figure (no float on the way)', () => {
    // 1,000,000,000,000.045 has 19 significant digits: a JS number would print …0.04 or …0.05 by luck.
    expect(usdText('1000000000000.045')).toBe('$1,000,000,000,000.05');
    expect(usdText('999999999999999.994')).toBe('$999,999,999,999,999.99');
    expect(usdText('-12.5')).toBe('−$12.50');
    expect(usdText('-0.001')).toBe('$0.00');
    expect(usdText('abc')).toBe('abc');
  });

  it('shows prices with the places a small price needs, rates as percentages', () => {
    expect(priceText('65000')).toBe('$65,000');
    expect(priceText('0.5')).toBe('$0.5');
    expect(priceText('0.123456')).toBe('$0.1235');
    expect(pctText('0.1051557816')).toBe('10.52 %');
    expect(pctText('1.2236')).toBe('122.36 %');
    expect(pctText('-0.001')).toBe('−0.10 %');
    expect(pctText(0.3, 0)).toBe('30 %');
  });

  it('cuts amounts at their asset’s decimals without rounding them', () => {
    expect(amountText('1.123456789012345678', 'ETH')).toBe('1.123456789012345678 ETH');
    expect(amountText('20000.0392419', 'USDC')).toBe('20,000.039241 USDC');
  });
});
