import { Decimal, dec } from '../common/money/decimal.js';
import { settledFactors } from './settled-band.js';
import { FIRM_ROOM, stillFirm, stillSettled } from './settled-drift.js';

const btc = { asset: 'BTC', decimals: 8, risk: { maxLtv: dec('0.5'), marginCallLtv: dec('0.714'), liquidationLtv: dec('0.833') } };
const usdc = { asset: 'USDC', decimals: 6, risk: { maxLtv: dec('0.8'), marginCallLtv: dec('0.85'), liquidationLtv: dec('0.9') } };
const lane = (supply: string, borrow: string) => ({ supplyIndex: dec(supply), borrowIndex: dec(borrow) });
const world = (btcPrice: string, usdcBorrow = '1.01', usdcSupply = '1.005') => [
  settledFactors(btc, 'base', lane('1.001', '1.002'), dec(btcPrice)),
  settledFactors(usdc, 'base', lane(usdcSupply, usdcBorrow), dec('1')),
];

describe('stillSettled', () => {
  const then = world('32000');

  it('holds over a night of ordinary interest at the same prices', () => {
    expect(stillSettled(then, world('32000', '1.0101', '1.00502'))).toBe(true);
    expect(stillSettled(then, then)).toBe(true);
  });

  it('fails once a debt has grown, or collateral fallen, by more than the firm room', () => {
    const grown = new Decimal('1.01').times(FIRM_ROOM.plus(1)).times('1.000001').toFixed();
    expect(stillSettled(then, world('32000', grown))).toBe(false);
    expect(stillSettled(then, world('31900'))).toBe(false); // the margin-call level's share of the drift: collateral down
    expect(stillSettled(then, world('32100'))).toBe(false); // and up: the warning and margin sides bound a rise too
  });

  it('needs the same lanes, with positive factors', () => {
    expect(stillSettled(then, then.slice(0, 1))).toBe(false);
    expect(stillSettled(then, [then[0], { ...then[1], tier: 'gold' }])).toBe(false);
    expect(stillSettled(then, world('0'))).toBe(false);
    expect(stillSettled([], [])).toBe(false);
  });
});

describe('stillFirm', () => {
  const lanes = (btcPrice: string, usdcBorrow = '1.01') =>
    world(btcPrice, usdcBorrow).map((settled) => ({ asset: settled.asset, tier: settled.tier, debt: settled.debtHigh, margin: settled.marginHigh, settled }));
  const then = lanes('32000');

  it('holds over a night of ordinary interest, and not beyond the firm room of a debt or a level', () => {
    expect(stillFirm(then, lanes('32000', '1.0101'))).toBe(true);
    expect(stillFirm(then, lanes('31950'))).toBe(false);
    expect(stillFirm(then, [then[0], { ...then[1], debt: then[1].debt.times('1.0011') }])).toBe(false); // only the debt's factor moved
    expect(stillFirm(then, [then[0], { ...then[1], margin: then[1].margin.times('0.9989') }])).toBe(false); // only the level's
  });
});
