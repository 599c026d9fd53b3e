import { describe, expect, it } from '@jest/globals';
import { amountText, noticeSentence, pctText, priceText, usdText } from './format.js';

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

describe('the liquidation strategies’ notices as sentences', () => {
  it('says what a close-factor and an absorb did (crash-2020-03-presets, ltv50)', () => {
    expect(
      noticeSentence('liquidation', {
        strategy: 'close-factor', ltvBefore: '0.7541028', ltvAfter: '0.6442641', healthFactorBefore: '0.9945593', healthFactorAfter: '1.1641187',
        closeFactor: '0.5', repaid: { asset: 'USDC', units: '2189.023049' }, badDebt: '0',
      }),
    ).toBe('Liquidation (close factor): at a health factor of 0.995 (LTV 75.4 %) up to 50 % of the debt could be repaid; 2,189.023049 USDC was, for collateral worth that plus the liquidation bonus. Health factor now 1.164 (LTV 64.4 %).');
    expect(
      noticeSentence('liquidation', {
        strategy: 'absorb', ltvBefore: '0.7831521', ltvAfter: null, liquidationLevel: '0.78', credit: { asset: 'USDC', units: '5312.217562', value: '5312.217562' },
        surplus: { asset: 'USDC', units: '932.981195', maturesAt: '2020-03-12T16:00:00.000Z' }, badDebt: '0',
      }),
    ).toBe('Liquidation (absorb): at an LTV of 78.3 % (level 78.0 %) the platform took all the collateral and credited $5,312.22 against the debt; 932.981195 USDC is left to the account.');
    expect(noticeSentence('margin_call_warning', { level: '0.741', ltv: '0.7827' })).toBe('Warning: the LTV reached 78.3 %, past the warning level of 74.1 %.');
  });
});
