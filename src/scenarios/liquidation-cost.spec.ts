import { describe, expect, it } from '@jest/globals';
import { Decimal } from '../common/money/decimal.js';
import { liquidationCost } from './scenario-runner.js';

// The comparison's "fees paid" per strategy, with the figures of crash-2020-03-presets' ltv50 (worked out by hand there).
describe('liquidationCost', () => {
  it('restore: the sum of the sales\u2019 fees, exact', () => {
    expect(liquidationCost({ steps: [{ fee: { value: '100.5' } }, { fee: { value: '42.645729745667223' } }] })).toEqual({ feePaid: '143.145729745667223' });
  });

  it('close-factor: each seizure\u2019s value beyond the debt it repaid (bonusValue), exact, seizures kept without loan ids', () => {
    const step = (units: string, price: string, value: string, fee: string, repaidValue: string) => ({
      seized: { asset: 'BTC', units, price, value },
      bonus: '0.1',
      repaidValue,
      bonusValue: new Decimal(value).minus(repaidValue).toFixed(),
      liquidator: { asset: 'BTC', units: '0' },
      protocolFee: { asset: 'BTC', units: fee },
      repaid: [{ loanId: 'random', asset: 'USDC', units: '1' }],
    });
    const cost = liquidationCost({
      strategy: 'close-factor',
      steps: [
        step('0.41475654', '5805.635613', '2407.92533934865902', '0.00377051', '2189.023049'),
        step('0.24390200', '4936.258693', '1203.963367740086', '0.00221729', '1094.512181'),
      ],
    });
    // (2,407.92533934865902 − 2,189.023049) + (1,203.963367740086 − 1,094.512181) = 218.90229034865902 + 109.451186740086
    expect(cost.feePaid).toBe('328.35347708874502');
    expect(cost.seized).toEqual([
      { asset: 'BTC', units: '0.41475654', price: '5805.635613', value: '2407.92533934865902', bonus: '0.1', protocolFeeUnits: '0.00377051' },
      { asset: 'BTC', units: '0.24390200', price: '4936.258693', value: '1203.963367740086', bonus: '0.1', protocolFeeUnits: '0.00221729' },
    ]);
  });

  it('absorb: value - credited per asset, exact', () => {
    const absorbed = [{ asset: 'BTC', units: '1.00000000', price: '5591.807961', value: '5591.807961', credited: '5312.21756295', storeFrontPrice: '5452.012761975', liquidationFactor: '0.95' }];
    expect(liquidationCost({ strategy: 'absorb', absorbed })).toEqual({ absorbed, feePaid: '279.59039805' });
  });
});
