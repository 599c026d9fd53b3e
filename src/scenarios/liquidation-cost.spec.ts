import { describe, expect, it } from '@jest/globals';
import { liquidationCost } from './scenario-runner.js';

// The comparison's "fees paid" per strategy, with the figures of crash-2020-03-presets' ltv50 (worked out by hand there).
describe('liquidationCost', () => {
  it('restore: the sum of the sales\u2019 fees, exact', () => {
    expect(liquidationCost({ steps: [{ fee: { value: '100.5' } }, { fee: { value: '42.645729745667223' } }] })).toEqual({ feePaid: '143.145729745667223' });
  });

  it('close-factor: each seizure\u2019s bonus, value x bonus / (1 + bonus), half up to 6 decimals, seizures kept without loan ids', () => {
    const step = (units: string, price: string, value: string, fee: string) => ({
      seized: { asset: 'BTC', units, price, value },
      bonus: '0.1',
      liquidator: { asset: 'BTC', units: '0' },
      protocolFee: { asset: 'BTC', units: fee },
      repaid: [{ loanId: 'random', asset: 'USDC', units: '1' }],
    });
    const cost = liquidationCost({
      strategy: 'close-factor',
      steps: [step('0.41475654', '5805.635613', '2407.92533934865902', '0.00377051'), step('0.24390200', '4936.258693', '1203.963367740086', '0.00221729')],
    });
    // 2,407.92533934865902 x 0.1 / 1.1 + 1,203.963367740086 x 0.1 / 1.1 = 218.902303577... + 109.451215249... = 328.353518827...
    expect(cost.feePaid).toBe('328.353519');
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
