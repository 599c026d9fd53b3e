import { Decimal, dec } from '../common/money/decimal.js';
import { settledFactors } from './settled-band.js';

const market = { asset: 'BTC', decimals: 8, risk: { maxLtv: dec('0.7'), marginCallLtv: dec('0.75'), liquidationLtv: dec('0.833') } };
const lane = { supplyIndex: dec('1.000123456789123456789123456789'), borrowIndex: dec('1.000987654321987654321987654321') };

describe('settledFactors', () => {
  const f = settledFactors(market, 'base', lane, dec('31234.56789'));
  const exact = {
    debt: lane.borrowIndex.times('31234.56789'),
    margin: lane.supplyIndex.times('31234.56789').times('0.75'),
    liquidation: lane.supplyIndex.times('31234.56789').times('0.833'),
    collateral: lane.supplyIndex.times('31234.56789'),
  };

  it('bounds every figure on the safe side, within the 12th decimal', () => {
    expect(f.debtLow.lte(exact.debt) && exact.debt.minus(f.debtLow).lt('1e-12')).toBe(true);
    expect(f.debtHigh.gte(exact.debt) && f.debtHigh.minus(exact.debt).lt('1e-12')).toBe(true);
    expect(f.marginHigh.gte(exact.margin) && f.marginHigh.minus(exact.margin).lt('1e-12')).toBe(true);
    expect(f.liquidationLow.lte(exact.liquidation) && exact.liquidation.minus(f.liquidationLow).lt('1e-12')).toBe(true);
    expect(f.collateralHigh.gte(exact.collateral)).toBe(true);
  });

  it('covers one unit of rounding per holding: a loan rounded up, a position rounded down', () => {
    expect(f.debtUnit.gte(new Decimal('1e-8').times('31234.56789'))).toBe(true);
    expect(f.liquidationUnit.gte(new Decimal('1e-8').times('31234.56789').times('0.833'))).toBe(true);
  });
});
