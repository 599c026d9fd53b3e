import { describe, expect, it } from '@jest/globals';
import { Decimal, dec } from '../common/money/decimal.js';
import type { MarketState, RiskLevels } from '../markets/market-state.js';
import type { AccountSnapshot, AccountSnapshotService, LoanState, PositionState } from '../holdings/account-snapshot.service.js';
import { LiquidationBatch } from './liquidation-batch.js';

// LiquidationBatch is pure: it plans and writes postings in memory from snapshots built by hand here.
const FEE = dec('0.05');
const levels = (max: string, mc: string, liq: string): RiskLevels => ({ maxLtv: dec(max), marginCallLtv: dec(mc), liquidationLtv: dec(liq) });
const STABLE = levels('0.8', '0.85', '0.9');
const zeroLane = { supplyIndex: dec(1), borrowIndex: dec(1), totalSupplyScaled: dec(0), totalBorrowScaled: dec(0), supplyScaledMs: dec(0), borrowScaledMs: dec(0) };
const market = (asset: string, decimals: number, risk: RiskLevels): MarketState => ({
  asset,
  decimals,
  model: { baseRate: dec(0), optimalUtilization: dec('0.45'), slope1: dec('0.04'), slope2: dec(3), reserveFactor: dec('0.2') },
  risk,
  indexDay: '2026-03-01',
  lanes: { base: zeroLane, silver: zeroLane, gold: zeroLane, platinum: zeroLane },
  dayUtilization: dec(0),
  supplyApr: dec(0),
  borrowApr: dec(0),
  supplyPrincipal: dec(0),
  borrowPrincipal: dec(0),
});
const MARKETS = new Map([
  ['USDC', market('USDC', 6, STABLE)],
  ['USDT', market('USDT', 6, STABLE)],
  ['BTC', market('BTC', 8, levels('0.5', '0.714', '0.833'))],
  ['ETH', market('ETH', 18, levels('0.7', '0.8', '0.9'))],
  ['LAB', market('LAB', 8, levels('0.3', '0.4', '0.5'))],
]);
const NOW = new Date('2026-03-01T12:00:00.000Z');
const position = (id: string, asset: string, scaled: string, principal: string, amount: string): PositionState => ({
  id,
  asset,
  scaled: dec(scaled),
  principal: dec(principal),
  amount: dec(amount),
  maturesAt: NOW,
});
const loan = (id: string, asset: string, scaledDebt: string, principal: string, outstanding: string): LoanState => ({
  id,
  asset,
  scaledDebt: dec(scaledDebt),
  principal: dec(principal),
  outstanding: dec(outstanding),
});

function snapshot(opts: {
  positions: PositionState[];
  loans: LoanState[];
  prices: Record<string, string>;
  supplyIndex?: Record<string, string>;
  borrowIndex?: Record<string, string>;
  debtValue: string;
  collateralValue: string;
}): AccountSnapshot {
  const supply = opts.supplyIndex ?? {};
  const borrow = opts.borrowIndex ?? {};
  const ltv = dec(opts.debtValue).div(opts.collateralValue);
  return {
    accountId: 'acc-1',
    tier: 'silver',
    lane: (asset) => ({ supplyIndex: dec(supply[asset] ?? '1'), borrowIndex: dec(borrow[asset] ?? '1') }),
    now: NOW,
    positions: opts.positions,
    loans: opts.loans,
    prices: new Map(Object.entries(opts.prices).map(([asset, price]) => [asset, dec(price)])),
    markets: MARKETS,
    live: new Map(),
    valuation: {
      collateralValue: dec(opts.collateralValue),
      debtValue: dec(opts.debtValue),
      ltv,
      levels: STABLE,
      status: 'liquidating',
    },
  };
}

const entriesOf = (batch: LiquidationBatch, i: number) => batch.postings[i].entries.map((e) => [e.account.code, e.account.asset, e.amount.toFixed()]);
const balancedPerAsset = (batch: LiquidationBatch) => {
  for (const posting of batch.postings) {
    const sums = new Map<string, Decimal>();
    for (const e of posting.entries) sums.set(e.account.asset, (sums.get(e.account.asset) ?? dec(0)).plus(e.amount));
    for (const [asset, total] of sums) expect([posting.type, asset, total.toFixed()]).toEqual([posting.type, asset, '0']);
  }
};
// The markets' totals moves, supply side then borrow side (the order they are applied in does not matter).
const totalsOf = (batch: LiquidationBatch) =>
  [...batch.totals.filter((t) => t.supplyScaled), ...batch.totals.filter((t) => !t.supplyScaled)].map((t) => [t.asset, t.tier, t.supplyScaled?.toFixed(), t.supplyPrincipal?.toFixed(), t.borrowScaled?.toFixed(), t.borrowPrincipal?.toFixed()]);

// 10000 USDC deposited at supply index 1.0123456789012345678901234567: scaled = 10000 / index rounded UP at
// 30 decimals (index-math.ts) = 9878.048781571980963939488690865609; amount = floor(scaled × index, 6) = 10000.
const INDEX = '1.0123456789012345678901234567';
const USDC_SCALED = '9878.048781571980963939488690865609';

describe('a partial sale', () => {
  // USDT debt 9100 (9000 principal + 100 interest); USDC collateral 10000 at mc 0.85:
  // X = (9100 − 10000 × 0.85) / (1 − 0.05 − 0.85) = 600 / 0.1 = 6000 USDC sold, fee 300, repaid 5700.
  const make = () => {
    const batch = new LiquidationBatch(FEE);
    const before = snapshot({
      positions: [position('pos-usdc', 'USDC', USDC_SCALED, '9900', '10000')],
      loans: [loan('loan-usdt', 'USDT', '9100', '9000', '9100')],
      prices: { USDC: '1', USDT: '1' },
      supplyIndex: { USDC: INDEX },
      debtValue: '9100',
      collateralValue: '10000',
    });
    batch.liquidate(before);
    return { batch, before };
  };

  // Two more indexes where 6000 / index has a 31st-decimal remainder above one half: rounding the scaled amount
  // removed half-even or up would leave 3999.999999 (scaled deposits computed as above, rounded up at 30 decimals).
  it.each([
    ['1.0123456789012345678901234576', '9878.048781571980963939488682083783'],
    ['1.0123456789012345678901234599', '9878.048781571980963939488659641338'],
  ])('takes exactly the units sold at supply index %s too', (index, scaled) => {
    const batch = new LiquidationBatch(FEE);
    batch.liquidate(
      snapshot({
        positions: [position('pos-usdc', 'USDC', scaled, '9900', '10000')],
        loans: [loan('loan-usdt', 'USDT', '9100', '9000', '9100')],
        prices: { USDC: '1', USDT: '1' },
        supplyIndex: { USDC: index },
        debtValue: '9100',
        collateralValue: '10000',
      }),
    );
    expect(batch.positions[0].scaledAfter.times(index).toDecimalPlaces(6, Decimal.ROUND_DOWN).toFixed(6)).toBe('4000.000000');
  });

  it('takes exactly the units sold off the position, no more: floor(scaled after × index, 6) = amount − units', () => {
    const { batch } = make();
    expect(batch.positions).toHaveLength(1);
    const write = batch.positions[0];
    // 10000 − 6000 = 4000.000000 left, at the position's own (non-1) index
    expect(write.scaledAfter.times(INDEX).toDecimalPlaces(6, Decimal.ROUND_DOWN).toFixed(6)).toBe('4000.000000');
    // scaled removed = 6000 / index rounded down at 30 decimals = 5926.829268943188578363693214519365
    expect(write.scaledAfter.toFixed()).toBe('3951.219512628792385575795476346244'); // 9878.04878… − 5926.82926…
    expect(write).toMatchObject({ id: 'pos-usdc', kind: 'liquidation', tier: 'silver' });
  });

  it('uses the position’s interest first, then principal', () => {
    const { batch } = make();
    // interest = 10000 − 9900 = 100 → 100 of interest, 5900 of principal: 4000 of principal left
    expect(batch.positions[0].principalAfter.toFixed()).toBe('4000');
    expect(totalsOf(batch)[0]).toEqual(['USDC', 'silver', '-5926.829268943188578363693214519365', '-5900', undefined, undefined]);
  });

  it('books the sale: position and interest out, fee to the platform, the rest to the desk, proceeds repaying the loan', () => {
    const { batch } = make();
    expect(batch.postings).toHaveLength(1);
    expect(batch.postings[0]).toMatchObject({ type: 'liquidation', accountId: 'acc-1', at: NOW, description: 'Liquidation: 6000.000000 USDC sold at 1' });
    expect(entriesOf(batch, 0)).toEqual([
      ['account:acc-1:position', 'USDC', '5900'],
      ['market:interest_payable', 'USDC', '100'],
      ['platform:liquidation_fees', 'USDC', '-300'], //  6000 × 0.05
      ['platform:liquidation_desk', 'USDC', '-5700'],
      ['market:cash', 'USDT', '5700'],
      ['account:acc-1:debt', 'USDT', '-5600'], //        interest (100) first
      ['market:interest_receivable', 'USDT', '-100'],
    ]);
    balancedPerAsset(batch);
    expect(batch.loans.map((l) => [l.id, l.scaledAfter.toFixed(), l.principalAfter.toFixed(), l.kind, l.tier])).toEqual([
      ['loan-usdt', '3400', '3400', 'liquidation', 'silver'],
    ]);
    expect(totalsOf(batch)[1]).toEqual(['USDT', 'silver', undefined, undefined, '-5700', '-5600']);
    expect(batch.postings[0].metadata).toEqual({
      asset: 'USDC',
      amount: '6000.000000',
      sold: { asset: 'USDC', units: '6000.000000', price: '1', value: '6000' },
      fee: { asset: 'USDC', units: '300.000000', value: '300' },
      repaid: [{ loanId: 'loan-usdt', asset: 'USDT', units: '5700.000000' }],
    });
    const liquidated = batch.liquidated.get('acc-1')!;
    expect(liquidated.sales).toBe(1);
    expect(liquidated.badDebt.isZero()).toBe(true);
  });

  it('leaves the account as its rows’ last writes, and tells the customer what happened', () => {
    const { batch, before } = make();
    const seen: { positions: unknown[]; loans: unknown[] }[] = [];
    const snapshots = {
      holding: (base: AccountSnapshot, positions: PositionState[], loans: LoanState[]) => {
        seen.push({ positions, loans });
        return { ...base, valuation: { ...base.valuation, ltv: dec('0.85') } };
      },
    } as unknown as AccountSnapshotService;
    const after = batch.after(snapshots, before);
    const [{ positions, loans }] = seen as { positions: PositionState[]; loans: LoanState[] }[];
    expect(positions.map((p) => [p.id, p.scaled.toFixed(), p.principal.toFixed()])).toEqual([['pos-usdc', '3951.219512628792385575795476346244', '4000']]);
    expect(loans.map((l) => [l.id, l.scaledDebt.toFixed(), l.principal.toFixed()])).toEqual([['loan-usdt', '3400', '3400']]);
    const notice = batch.liquidationNotice(before, after);
    expect(notice).toMatchObject({ accountId: 'acc-1', type: 'liquidation', at: NOW });
    expect(notice.data).toMatchObject({
      ltvBefore: '0.91', //  9100 / 10000
      ltvAfter: '0.85',
      target: '0.85',
      liquidationFee: '0.05',
      badDebt: '0',
      currency: 'USD',
      steps: [{ sold: { units: '6000.000000' }, fee: { units: '300.000000' }, repaid: [{ units: '5700.000000' }] }],
    });
  });

  it('leaves rows it did not touch as they were, and shows no LTV where there is none', () => {
    const { batch, before } = make();
    const other = { ...before, positions: [...before.positions, position('pos-eth', 'ETH', '1', '1', '1')], loans: [...before.loans, loan('loan-btc', 'BTC', '1', '1', '1')] };
    let seen: { positions: PositionState[]; loans: LoanState[] } | undefined;
    const snapshots = {
      holding: (base: AccountSnapshot, positions: PositionState[], loans: LoanState[]) => {
        seen = { positions, loans };
        return { ...base, valuation: { ...base.valuation, ltv: null, levels: null } };
      },
    } as unknown as AccountSnapshotService;
    const after = batch.after(snapshots, other);
    expect(seen!.positions[1]).toBe(other.positions[1]);
    expect(seen!.loans[1]).toBe(other.loans[1]);
    const data = batch.liquidationNotice({ ...before, valuation: { ...before.valuation, ltv: null, levels: null } }, after).data;
    expect(data).toMatchObject({ ltvBefore: null, ltvAfter: null, target: null });
  });
});

describe('selling everything', () => {
  // 0.123456789 scaled BTC at supply index 1.1 = 0.1358024679 → shown 0.13580246 (rounded down); principal 0.12.
  // Worth 0.13580246 × 30000 = 4074.0738 against 10000 USDC of debt (9500 principal): all of it is sold,
  // no fee (the debt is not covered), and 10000 − 4074.0738 = 5925.9262 is written off.
  const make = () => {
    const batch = new LiquidationBatch(FEE);
    const before = snapshot({
      positions: [position('pos-btc', 'BTC', '0.123456789', '0.12', '0.13580246')],
      loans: [loan('loan-usdc', 'USDC', '10000', '9500', '10000')],
      prices: { BTC: '30000', USDC: '1' },
      supplyIndex: { BTC: '1.1' },
      debtValue: '10000',
      collateralValue: '4074.0738',
    });
    batch.liquidate(before);
    return batch;
  };

  it('empties the position and leaves its sub-unit fraction with the platform', () => {
    const batch = make();
    expect(batch.positions.map((p) => [p.scaledAfter.toFixed(), p.principalAfter.toFixed()])).toEqual([['0', '0']]);
    expect(totalsOf(batch)[0]).toEqual(['BTC', 'silver', '-0.123456789', '-0.12', undefined, undefined]);
    // residue = ceil(0.1358024679, 8) − 0.13580246 = 0.00000001, to the platform's rounding account
    expect(entriesOf(batch, 0).slice(0, 4)).toEqual([
      ['account:acc-1:position', 'BTC', '0.12'],
      ['market:interest_payable', 'BTC', '0.01580247'], // 0.13580246 − 0.12 + 0.00000001
      ['platform:rounding', 'BTC', '-0.00000001'],
      ['platform:liquidation_desk', 'BTC', '-0.13580246'], // no fee: nothing left above the debt
    ]);
  });

  it('repays what the sale raised, interest first, then writes the rest off as the platform’s loss', () => {
    const batch = make();
    expect(entriesOf(batch, 0).slice(4)).toEqual([
      ['market:cash', 'USDC', '4074.0738'],
      ['account:acc-1:debt', 'USDC', '-3574.0738'], // 4074.0738 − 500 of interest
      ['market:interest_receivable', 'USDC', '-500'],
    ]);
    expect(batch.postings[1]).toMatchObject({
      type: 'bad_debt',
      accountId: 'acc-1',
      metadata: { writtenOff: [{ loanId: 'loan-usdc', asset: 'USDC', units: '5925.926200' }], value: '5925.9262', currency: 'USD' },
    });
    expect(entriesOf(batch, 1)).toEqual([
      ['platform:bad_debt', 'USDC', '5925.9262'],
      ['platform:funds', 'USDC', '-5925.9262'],
      ['market:cash', 'USDC', '5925.9262'],
      ['account:acc-1:debt', 'USDC', '-5925.9262'],
    ]);
    balancedPerAsset(batch);
    expect(batch.loans.map((l) => [l.scaledAfter.toFixed(), l.principalAfter.toFixed(), l.kind])).toEqual([
      ['5925.9262', '5925.9262', 'liquidation'],
      ['0', '0', 'bad_debt'],
    ]);
    expect(totalsOf(batch).slice(1)).toEqual([
      ['USDC', 'silver', undefined, undefined, '-4074.0738', '-3574.0738'],
      ['USDC', 'silver', undefined, undefined, '-5925.9262', '-5925.9262'],
    ]);
    expect(batch.liquidated.get('acc-1')!.badDebt.toFixed()).toBe('5925.9262');
  });
});

describe('repaying several loans from a sale', () => {
  // ETH 10 × 2000 (mc 0.8) against USDC 3000 + USDT 15000 (and a LAB loan with no price, which cannot be repaid).
  // X = (18000 − 16000) / (1 − 0.05 − 0.8) = 13333.33…: 6.666666666666666667 ETH (rounded up at 18 decimals),
  // proceeds 13333.333333333333334, fee 666.6666666666666667, repaid 12666.6666666666666673.
  it('repays the largest loan first, crediting whole units rounded down', () => {
    const batch = new LiquidationBatch(FEE);
    batch.liquidate(
      snapshot({
        positions: [position('pos-lab', 'LAB', '5', '5', '5'), position('pos-eth', 'ETH', '10', '10', '10')], // LAB has no price: not sold
        loans: [loan('loan-lab', 'LAB', '100000', '100000', '100000'), loan('loan-usdc', 'USDC', '3000', '3000', '3000'), loan('loan-usdt', 'USDT', '15000', '15000', '15000')],
        prices: { ETH: '2000', USDC: '1', USDT: '1' },
        debtValue: '18000',
        collateralValue: '20000',
      }),
    );
    expect(entriesOf(batch, 0)).toEqual([
      ['account:acc-1:position', 'ETH', '6.666666666666666667'],
      ['platform:liquidation_fees', 'ETH', '-0.333333333333333333'], // 666.66…67 / 2000 rounded down at 18 decimals
      ['platform:liquidation_desk', 'ETH', '-6.333333333333333334'],
      ['market:cash', 'USDT', '12666.666666'], // rounded down at 6 decimals; the 0.00000066… left cannot buy a USDC unit
      ['account:acc-1:debt', 'USDT', '-12666.666666'],
    ]);
    expect(batch.loans.map((l) => [l.id, l.scaledAfter.toFixed()])).toEqual([['loan-usdt', '2333.333334']]);
    // the ETH position gives up what was sold, the unpriced LAB one nothing
    expect(batch.positions.map((p) => [p.id, p.scaledAfter.toFixed(), p.principalAfter.toFixed()])).toEqual([['pos-eth', '3.333333333333333333', '3.333333333333333333']]);
    expect(batch.liquidated.get('acc-1')!.steps).toEqual([
      {
        sold: { asset: 'ETH', units: '6.666666666666666667', price: '2000', value: '13333.333333333333334' },
        fee: { asset: 'ETH', units: '0.333333333333333333', value: '666.6666666666666667' },
        repaid: [{ loanId: 'loan-usdt', asset: 'USDT', units: '12666.666666' }],
      },
    ]);
  });

  it.each([
    ['USDC listed first', ['loan-usdc', 'loan-sol']],
    ['SOL listed first', ['loan-sol', 'loan-usdc']],
  ])('orders the loans by value, not by units, and converts at each loan’s own price (%s)', (_name, order) => {
    // Same sale (12666.6666666666666673 USD to repay) against SOL 150 × 100 = 15000 and USDC 3000:
    // SOL first, 12666.666…/100 = 126.666666666 SOL (rounded down at 9 decimals); the 0.0000000666… USD left buys no USDC.
    const batch = new LiquidationBatch(FEE);
    const markets = new Map([...MARKETS, ['SOL', market('SOL', 9, STABLE)]]);
    batch.liquidate({
      ...snapshot({
        positions: [position('pos-eth', 'ETH', '10', '10', '10')],
        loans: [loan('loan-usdc', 'USDC', '3000', '3000', '3000'), loan('loan-sol', 'SOL', '150', '150', '150')].sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id)),
        prices: { ETH: '2000', USDC: '1', SOL: '100' },
        debtValue: '18000',
        collateralValue: '20000',
      }),
      markets,
    });
    expect(batch.liquidated.get('acc-1')!.steps[0]).toMatchObject({ repaid: [{ loanId: 'loan-sol', asset: 'SOL', units: '126.666666666' }] });
  });

  it('repays the next loan with a remainder of less than a dollar', () => {
    // 12666.6666666666666673 USD: USDT 12666.2 in full, then 0.4666666666666666673 → 0.466666 USDC.
    const batch = new LiquidationBatch(FEE);
    batch.liquidate(
      snapshot({
        positions: [position('pos-eth', 'ETH', '10', '10', '10')],
        loans: [loan('loan-usdc', 'USDC', '5333.8', '5333.8', '5333.8'), loan('loan-usdt', 'USDT', '12666.2', '12666.2', '12666.2')],
        prices: { ETH: '2000', USDC: '1', USDT: '1' },
        debtValue: '18000',
        collateralValue: '20000',
      }),
    );
    expect(batch.liquidated.get('acc-1')!.steps[0]).toMatchObject({
      repaid: [
        { loanId: 'loan-usdt', units: '12666.200000' },
        { loanId: 'loan-usdc', units: '0.466666' },
      ],
    });
  });

  it('moves on to the next loan when the first is repaid in full', () => {
    // Same sale against USDT 10000 + USDC 8000: 10000 to USDT (all of it), 2666.666666 to USDC.
    const batch = new LiquidationBatch(FEE);
    batch.liquidate(
      snapshot({
        positions: [position('pos-eth', 'ETH', '10', '10', '10')],
        loans: [loan('loan-usdc', 'USDC', '8000', '8000', '8000'), loan('loan-usdt', 'USDT', '10000', '10000', '10000')],
        prices: { ETH: '2000', USDC: '1', USDT: '1' },
        debtValue: '18000',
        collateralValue: '20000',
      }),
    );
    expect(batch.liquidated.get('acc-1')!.steps[0]).toMatchObject({
      repaid: [
        { loanId: 'loan-usdt', units: '10000.000000' },
        { loanId: 'loan-usdc', units: '2666.666666' },
      ],
    });
    expect(batch.loans.map((l) => [l.id, l.scaledAfter.toFixed(), l.principalAfter.toFixed()])).toEqual([
      ['loan-usdt', '0', '0'],
      ['loan-usdc', '5333.333334', '5333.333334'],
    ]);
    balancedPerAsset(batch);
  });
});

describe('writing off debt in several assets', () => {
  // 0.01 BTC × 30000 = 300 against USDT 1000 + USDC 500 + USDC 200 (1700): the sale repays 300 of USDT (the
  // largest loan), then 700 USDT and 700 USDC (500 + 200) are written off, one transaction per asset.
  it('books one write-off per debt asset, in asset order (not loan order), with its units and value', () => {
    const batch = new LiquidationBatch(FEE);
    batch.liquidate(
      snapshot({
        positions: [position('pos-btc', 'BTC', '0.01', '0.01', '0.01')],
        loans: [loan('loan-usdt', 'USDT', '1000', '1000', '1000'), loan('loan-usdc-a', 'USDC', '500', '500', '500'), loan('loan-usdc-b', 'USDC', '200', '200', '200')],
        prices: { BTC: '30000', USDC: '1', USDT: '1' },
        debtValue: '1700',
        collateralValue: '300',
      }),
    );
    expect(batch.postings.map((p) => p.type)).toEqual(['liquidation', 'bad_debt', 'bad_debt']);
    expect(batch.postings[1].metadata).toMatchObject({
      asset: 'USDC',
      amount: '700.000000',
      value: '700',
      writtenOff: [
        { loanId: 'loan-usdc-a', asset: 'USDC', units: '500.000000' },
        { loanId: 'loan-usdc-b', asset: 'USDC', units: '200.000000' },
      ],
    });
    expect(batch.postings[1].description).toBe('700.000000 USDC of debt left after all collateral was sold, written off as the platform’s loss');
    expect(batch.postings[2].metadata).toMatchObject({ asset: 'USDT', amount: '700.000000', value: '700', writtenOff: [{ loanId: 'loan-usdt', units: '700.000000' }] });
    expect(entriesOf(batch, 2)).toEqual([
      ['platform:bad_debt', 'USDT', '700'],
      ['platform:funds', 'USDT', '-700'],
      ['market:cash', 'USDT', '700'],
      ['account:acc-1:debt', 'USDT', '-700'],
    ]);
    balancedPerAsset(batch);
    expect(batch.liquidated.get('acc-1')!.badDebt.toFixed()).toBe('1400'); // 700 × 1 + 700 × 1
    expect(batch.loans.filter((l) => l.kind === 'bad_debt').map((l) => [l.id, l.scaledAfter.toFixed()])).toEqual([
      ['loan-usdc-a', '0'],
      ['loan-usdc-b', '0'],
      ['loan-usdt', '0'],
    ]);
  });

  it('writes off nothing for a loan the sale repaid in full', () => {
    // 0.04 BTC × 30000 = 1200 against USDT 1000 + USDC 500 + USDC 200: USDT (largest) is repaid in full, USDC-a by 200;
    // left: USDC-a 300 + USDC-b 200 = 500, written off in one USDC transaction; no USDT write-off at all.
    const batch = new LiquidationBatch(FEE);
    batch.liquidate(
      snapshot({
        positions: [position('pos-btc', 'BTC', '0.04', '0.04', '0.04')],
        loans: [loan('loan-usdt', 'USDT', '1000', '1000', '1000'), loan('loan-usdc-a', 'USDC', '500', '500', '500'), loan('loan-usdc-b', 'USDC', '200', '200', '200')],
        prices: { BTC: '30000', USDC: '1', USDT: '1' },
        debtValue: '1700',
        collateralValue: '1200',
      }),
    );
    expect(batch.postings.map((p) => p.type)).toEqual(['liquidation', 'bad_debt']);
    expect(batch.postings[1].metadata).toMatchObject({
      asset: 'USDC',
      amount: '500.000000',
      writtenOff: [
        { loanId: 'loan-usdc-a', units: '300.000000' },
        { loanId: 'loan-usdc-b', units: '200.000000' },
      ],
    });
    expect(entriesOf(batch, 1)).toHaveLength(8); // 4 per loan written off
    expect(batch.liquidated.get('acc-1')!.badDebt.toFixed()).toBe('500');
    balancedPerAsset(batch);
  });
});

describe('writing off a loan whose borrow index is not 1', () => {
  it('writes off scaled debt × borrow index, rounded up to the unit', () => {
    // USDC loan: 1000 scaled at borrow index 1.1 = 1100 owed (1000 principal, 100 interest). 0.01 BTC × 30000 = 300 sold:
    // interest 100 first, then 200 of principal; scaled after = 1000 − 300 / 1.1 = 727.2727… (30 decimals, down);
    // written off: 727.272727272727272727272727272727 × 1.1 = 799.99999999999999999999999999999997 → 800.000000.
    const batch = new LiquidationBatch(FEE);
    batch.liquidate(
      snapshot({
        positions: [position('pos-btc', 'BTC', '0.01', '0.01', '0.01')],
        loans: [loan('loan-usdc', 'USDC', '1000', '1000', '1100')],
        prices: { BTC: '30000', USDC: '1' },
        borrowIndex: { USDC: '1.1' },
        debtValue: '1100',
        collateralValue: '300',
      }),
    );
    expect(batch.loans.map((l) => [l.scaledAfter.toFixed(), l.principalAfter.toFixed(), l.kind])).toEqual([
      ['727.272727272727272727272727272727', '800', 'liquidation'],
      ['0', '0', 'bad_debt'],
    ]);
    expect(batch.postings[1].metadata).toMatchObject({ asset: 'USDC', amount: '800.000000', value: '800' });
    expect(batch.liquidated.get('acc-1')!.badDebt.toFixed()).toBe('800');
    balancedPerAsset(batch);
  });
});

describe('a liquidation with several sales', () => {
  // BTC 0.5 × 30000 = 15000 (mc 0.7, level 0.8) and ETH 10 × 2000 (mc 0.8, level 0.9): M = 26500; D = 31000.
  // BTC first, all of it: repays 14250; then D' = 16750, M' = 16000: ETH X = 750 / 0.15 = 5000 → 2.5 ETH, repays 4750.
  // Loans (31000): USDT 14250, USDC 14000, SOL 27.5 × 100 = 2750.
  it('skips a loan an earlier sale repaid in full and repays the next largest', () => {
    const batch = new LiquidationBatch(FEE);
    const markets = new Map([...MARKETS, ['BTC', market('BTC', 8, levels('0.6', '0.7', '0.8'))], ['SOL', market('SOL', 9, STABLE)]]);
    batch.liquidate({
      ...snapshot({
        positions: [position('pos-btc', 'BTC', '0.5', '0.5', '0.5'), position('pos-eth', 'ETH', '10', '10', '10')],
        loans: [loan('loan-sol', 'SOL', '27.5', '27.5', '27.5'), loan('loan-usdc', 'USDC', '14000', '14000', '14000'), loan('loan-usdt', 'USDT', '14250', '14250', '14250')],
        prices: { BTC: '30000', ETH: '2000', USDC: '1', USDT: '1', SOL: '100' },
        debtValue: '31000',
        collateralValue: '35000',
      }),
      markets,
    });
    const steps = batch.liquidated.get('acc-1')!.steps as { sold: { asset: string; units: string }; repaid: unknown[] }[];
    expect(steps.map((s) => [s.sold.asset, s.sold.units])).toEqual([
      ['BTC', '0.50000000'],
      ['ETH', '2.500000000000000000'],
    ]);
    expect(steps.map((s) => s.repaid)).toEqual([
      [{ loanId: 'loan-usdt', asset: 'USDT', units: '14250.000000' }],
      [{ loanId: 'loan-usdc', asset: 'USDC', units: '4750.000000' }],
    ]);
    expect(batch.postings.map((p) => p.type)).toEqual(['liquidation', 'liquidation']);
    balancedPerAsset(batch);
  });
});

describe('the fee in the sold asset', () => {
  it('is rounded down to the asset’s unit, even when the fraction is above half a unit', () => {
    // 1 BTC at 30000 (mc 0.714): D = 21420 + 7080 × 0.123456785 = 22294.0740378 → x = 0.123456785 rounded up = 0.12345679
    // fee = 0.12345679 × 30000 × 0.05 = 185.1851850 USD = 0.0061728395 BTC → 0.00617283 (not …84)
    const batch = new LiquidationBatch(FEE);
    batch.liquidate(
      snapshot({
        positions: [position('pos-btc', 'BTC', '1', '1', '1')],
        loans: [loan('loan-usdc', 'USDC', '22294.074038', '22294.074038', '22294.074038')],
        prices: { BTC: '30000', USDC: '1' },
        debtValue: '22294.0740378',
        collateralValue: '30000',
      }),
    );
    expect(entriesOf(batch, 0).slice(0, 3)).toEqual([
      ['account:acc-1:position', 'BTC', '0.12345679'],
      ['platform:liquidation_fees', 'BTC', '-0.00617283'],
      ['platform:liquidation_desk', 'BTC', '-0.11728396'], // 0.12345679 − 0.00617283
    ]);
  });
});
