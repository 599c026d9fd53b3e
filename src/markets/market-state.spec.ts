import { describe, expect, it } from '@jest/globals';
import { Decimal, dec } from '../common/money/decimal.js';
import { TIERS, type Tier } from './tier-lanes.js';
import { closeDay, dayAverageScaled, laneOfDayAt, liveAt, marketFromRow, rollTo, type Lane, type MarketState } from './market-state.js';

// Expected figures below come from the contract's formulas (api-contract, Time and interest),
// computed with Python's decimal module at 120 digits, never by calling the code under test:
//   index(00:00 of D+1) = index(00:00 of D) × (1 + APR_D / 365), rounded half-even at 40 decimals
//   index(t on D)       = index(00:00 of D) × (1 + APR_D × elapsed / 365 days)
//   U = borrowed / supplied (all lanes, with interest) at 30 decimals; borrow R(U) on the kinked curve
//   (U ≤ Uopt: base + slope1 × U / Uopt), supply = R × U × (1 − rf), both at 30 decimals.
// Lane rates: silver +0.5 % / −1 %, gold +1 % / −5 %, platinum +2 % / −8 % (borrow never below 0).

const lane = (supplyIndex: string, borrowIndex: string, supplyScaled: string, borrowScaled: string, supplyMs = '0', borrowMs = '0'): Lane => ({
  supplyIndex: dec(supplyIndex),
  borrowIndex: dec(borrowIndex),
  totalSupplyScaled: dec(supplyScaled),
  totalBorrowScaled: dec(borrowScaled),
  supplyScaledMs: dec(supplyMs),
  borrowScaledMs: dec(borrowMs),
});

const STATE: MarketState = {
  asset: 'BTC',
  decimals: 8,
  model: { baseRate: dec('0'), optimalUtilization: dec('0.45'), slope1: dec('0.04'), slope2: dec('3'), reserveFactor: dec('0.2') },
  risk: { maxLtv: dec('0.5'), marginCallLtv: dec('0.714'), liquidationLtv: dec('0.833') },
  indexDay: '2026-03-01',
  lanes: {
    base: lane('1.2', '1.5', '1000', '400', '3600000', '7200000'),
    silver: lane('1.1', '1.3', '100', '50'),
    gold: lane('1', '1', '0', '0'),
    platinum: lane('1.05', '1.4', '200', '0'),
  },
  dayUtilization: dec('0.5'),
  supplyApr: dec('0.02'),
  borrowApr: dec('0.05'),
  supplyPrincipal: dec('1300'),
  borrowPrincipal: dec('600'),
};

const fixedMap = (lanes: Record<Tier, { supplyIndex: Decimal; borrowIndex: Decimal }>) =>
  Object.fromEntries(Object.entries(lanes).map(([tier, l]) => [tier, [l.supplyIndex.toFixed(), l.borrowIndex.toFixed()]]));
const near = (actual: Decimal, expected: string, places = 55) => {
  if (actual.minus(expected).abs().gt(dec(10).pow(-places))) throw new Error(`${actual.toFixed()} is not ${expected} to ${places} places`);
};

// Day 1 (2026-03-01) ends: each lane's indexes × (1 + its APR / 365), 40 decimals half-even.
const DAY1_ENDS = {
  base: ['1.2000657534246575342465753424657534246575', '1.5002054794520547945205479452054794520548'], //  1.2 × (1 + 0.02/365), 1.5 × (1 + 0.05/365)
  silver: ['1.1000753424657534246575342465753424657534', '1.3001424657534246575342465753424657534247'], // 0.025, 0.04
  gold: ['1.0000821917808219178082191780821917808219', '1'], //                                             0.03, 0 (0.05 − 0.05)
  platinum: ['1.0501150684931506849315068493150684931507', '1.4'], //                                      0.04, 0 (0.05 − 0.08 → 0)
};
// U at 00:00 of day 2 = Σ borrowScaled × borrow end / Σ supplyScaled × supply end
//   = 665.08931506849315068493150684931506849315500 / 1520.09630136986301369863013698630136986298 at 30 decimals
const DAY2_U = '0.437531039625012943033619986045';
const DAY2_BORROW = '0.03889164796666781715854399876'; // 0.04 × U / 0.45 (U below the kink), 30 decimals
const DAY2_SUPPLY = '0.013613042534068952611451470778'; // R × U × (1 − 0.2), 30 decimals

describe('closing a market day', () => {
  const closed = closeDay(STATE);

  it('compounds every lane by its own day rates: index × (1 + APR / 365), 40 decimals half-even', () => {
    expect(closed.lanes.map((l) => l.tier)).toEqual(['base', 'silver', 'gold', 'platinum']);
    expect(Object.fromEntries(closed.lanes.map((l) => [l.tier, [l.supplyIndexEnd.toFixed(), l.borrowIndexEnd.toFixed()]]))).toEqual(DAY1_ENDS);
    expect(closed.lanes.map((l) => [l.supplyApr.toFixed(), l.borrowApr.toFixed()])).toEqual([
      ['0.02', '0.05'],
      ['0.025', '0.04'],
      ['0.03', '0'],
      ['0.04', '0'],
    ]);
    expect(closed.lanes[1].start).toBe(STATE.lanes.silver);
  });

  it("records the closed day's own utilisation and rates, and its date", () => {
    expect(closed.date).toBe('2026-03-01');
    expect(closed.utilization.toFixed()).toBe('0.5');
    expect(closed.supplyApr.toFixed()).toBe('0.02');
    expect(closed.borrowApr.toFixed()).toBe('0.05');
  });

  it('sets the next day from the utilisation of all lanes at 00:00 on the kinked curve', () => {
    const next = closed.next;
    expect(next.indexDay).toBe('2026-03-02');
    expect(next.dayUtilization.toFixed()).toBe(DAY2_U);
    expect(next.borrowApr.toFixed()).toBe(DAY2_BORROW);
    expect(next.supplyApr.toFixed()).toBe(DAY2_SUPPLY);
    expect(fixedMap(next.lanes)).toEqual(DAY1_ENDS);
  });

  it('keeps the scaled totals and the parameters, and starts the new day with no intraday movements', () => {
    const next = closed.next;
    expect(next.lanes.base.totalSupplyScaled.toFixed()).toBe('1000');
    expect(next.lanes.base.totalBorrowScaled.toFixed()).toBe('400');
    expect(next.lanes.platinum.totalSupplyScaled.toFixed()).toBe('200');
    for (const tier of ['base', 'silver', 'gold', 'platinum'] as const) {
      expect(next.lanes[tier].supplyScaledMs.isZero()).toBe(true);
      expect(next.lanes[tier].borrowScaledMs.isZero()).toBe(true);
    }
    expect(next).toMatchObject({ asset: 'BTC', decimals: 8, model: STATE.model, risk: STATE.risk, supplyPrincipal: STATE.supplyPrincipal });
    expect(STATE.indexDay).toBe('2026-03-01'); // the state closed is left as it was
    expect(STATE.lanes.base.supplyIndex.toFixed()).toBe('1.2');
  });

  it('calls an empty market 0 % utilised and prices it at the base rate', () => {
    const empty = { ...STATE, lanes: { base: lane('1', '1', '0', '0'), silver: lane('1', '1', '0', '0'), gold: lane('1', '1', '0', '0'), platinum: lane('1', '1', '0', '0') } };
    const next = closeDay(empty).next;
    expect(next.dayUtilization.toFixed()).toBe('0');
    expect(next.borrowApr.toFixed()).toBe('0');
    expect(next.supplyApr.toFixed()).toBe('0');
  });
});

describe('rolling a market forward', () => {
  it('closes each day up to the date asked for, each with the rates set at its own 00:00', () => {
    const rolled = rollTo(STATE, '2026-03-03');
    expect(rolled.indexDay).toBe('2026-03-03');
    // Day 2 at the rates above: base supply 1.2000657… × (1 + 0.013613…/365), borrow 1.5002054… × (1 + 0.038891…/365)
    expect(fixedMap(rolled.lanes)).toEqual({
      base: ['1.2001105110853289023749197104074765447326', '1.5003653300366699052728886449999700281479'],
      silver: ['1.1001314404086027275013675705042808286357', '1.3002453787902111326400316860326481930569'],
      gold: ['1.0001468903652933847984369159720630012385', '1'],
      platinum: ['1.0502117741437340465902371811382056008707', '1.4'],
    });
    expect(rolled.dayUtilization.toFixed()).toBe('0.437556422521180149378995328274');
    expect(rolled.borrowApr.toFixed()).toBe('0.038893904224104902167021806958');
    expect(rolled.supplyApr.toFixed()).toBe('0.013614622072144606366650750841');
  });

  it('leaves a state already at (or past) the date as it is', () => {
    expect(rollTo(STATE, '2026-03-01')).toBe(STATE);
    expect(rollTo(STATE, '2026-02-27')).toBe(STATE);
    expect(rollTo(STATE, '2026-03-02').indexDay).toBe('2026-03-02');
  });
});

describe('a market at any instant', () => {
  it('grows each index pro rata within the day: index × (1 + APR × elapsed / 365 days)', () => {
    const live = liveAt(STATE, new Date('2026-03-01T12:00:00.000Z'));
    // half a day: base supply 1.2 × (1 + 0.02 × 0.5 / 365) = 1.2000328767…, borrow 1.5 × (1 + 0.05 × 0.5 / 365)
    near(live.supplyIndex, '1.200032876712328767123287671232876712328767123287671232876712329');
    near(live.borrowIndex, '1.500102739726027397260273972602739726027397260273972602739726027');
    near(live.lanes.silver.supplyIndex, '1.100037671232876712328767123287671232876712328767123287671232877');
    near(live.lanes.silver.borrowIndex, '1.300071232876712328767123287671232876712328767123287671232876712');
    near(live.lanes.gold.supplyIndex, '1.000041095890410958904109589041095890410958904109589041095890411');
    expect(live.lanes.gold.borrowIndex.toFixed()).toBe('1');
    near(live.lanes.platinum.supplyIndex, '1.050057534246575342465753424657534246575342465753424657534246575');
    expect(live.lanes.platinum.borrowIndex.toFixed()).toBe('1.4');
    expect(live.today).toBe(STATE);
  });

  it('sums every lane: supplied rounded down, borrowed rounded up to the asset decimals; U exact at 30 decimals', () => {
    const live = liveAt(STATE, new Date('2026-03-01T12:00:00.000Z'));
    // supplied = 1000 × 1.2000328767… + 100 × 1.1000376712… + 200 × 1.0500575342… = 1520.048150684… → 1520.04815068
    expect(live.totalSupplied.toFixed()).toBe('1520.04815068');
    // borrowed = 400 × 1.5001027397… + 50 × 1.3000712328… = 665.044657534… → 665.04465754
    expect(live.totalBorrowed.toFixed()).toBe('665.04465754');
    expect(live.utilization.toFixed()).toBe('0.437515520304128794045502253601');
  });

  it('is the stored index at 00:00 exactly, and rolls stored days forward first', () => {
    const midnight = liveAt(STATE, new Date('2026-03-01T00:00:00.000Z'));
    expect(midnight.supplyIndex.toFixed()).toBe('1.2');
    expect(midnight.borrowIndex.toFixed()).toBe('1.5');
    // 06:00 of day 3: two days closed, then a quarter of day 3 at day 3's rates
    const later = liveAt(STATE, new Date('2026-03-03T06:00:00.000Z'));
    expect(later.today.indexDay).toBe('2026-03-03');
    near(later.supplyIndex, '1.200121702216187282555173299818546003911911359338876141342151989');
    near(later.borrowIndex, '1.500405299259579229780613324533400651125504074895300573669152674');
    expect(later.totalSupplied.toFixed()).toBe('1520.18343967');
    expect(later.totalBorrowed.toFixed()).toBe('665.17567526');
    expect(later.utilization.toFixed()).toBe('0.437562769002822756069886308062');
  });
});

describe("one lane on its market's day", () => {
  const laneOf = (tier: Tier) => ({ indexDay: STATE.indexDay, supplyApr: STATE.supplyApr, borrowApr: STATE.borrowApr, ...STATE.lanes[tier] });

  it('has the indexes the whole market gives that lane, at 00:00, at hours and at the last millisecond', () => {
    for (const at of ['2026-03-01T00:00:00.000Z', '2026-03-01T01:00:00.000Z', '2026-03-01T12:00:00.000Z', '2026-03-01T23:59:59.999Z']) {
      const live = liveAt(STATE, new Date(at));
      for (const tier of TIERS) {
        const own = laneOfDayAt(laneOf(tier), tier, new Date(at));
        expect([at, tier, own.supplyIndex.toFixed(), own.borrowIndex.toFixed()]).toEqual([at, tier, live.lanes[tier].supplyIndex.toFixed(), live.lanes[tier].borrowIndex.toFixed()]);
      }
    }
    // half a day, silver: 1.1 × (1 + 0.025 × 0.5 / 365), as above
    near(laneOfDayAt(laneOf('silver'), 'silver', new Date('2026-03-01T12:00:00.000Z')).supplyIndex, '1.100037671232876712328767123287671232876712328767123287671232877');
  });

  it('refuses an instant of another day (the market must first be rolled to it)', () => {
    expect(() => laneOfDayAt(laneOf('base'), 'base', new Date('2026-03-02T00:00:00.000Z'))).toThrow('the base lane of 2026-03-01 cannot price 2026-03-02T00:00:00.000Z');
    expect(() => laneOfDayAt(laneOf('base'), 'base', new Date('2026-02-28T23:59:59.999Z'))).toThrow(/cannot price/);
  });
});

describe('day-average scaled balance', () => {
  it('takes each movement for the part of the day after it: S_end − Σ Δs·t / day', () => {
    // 50 supplied at 12:00 onto 50 held all day: 100 at the end, 75 on average; 20 borrowed at 18:00 onto 80: 85.
    const l = lane('1', '1', '100', '100', String(50 * 43_200_000), String(20 * 64_800_000));
    expect(dayAverageScaled(l.totalSupplyScaled, l.supplyScaledMs).toFixed()).toBe('75');
    expect(dayAverageScaled(l.totalBorrowScaled, l.borrowScaledMs).toFixed()).toBe('85');
  });
});

describe('reading a markets row', () => {
  const laneRow = (s: string, supplyPrincipal = '0', borrowPrincipal = '0') => ({
    supply_index: s,
    borrow_index: '1.5',
    total_supply_scaled: '10',
    total_borrow_scaled: '4',
    supply_scaled_ms: '7',
    borrow_scaled_ms: '8',
    supply_principal: supplyPrincipal,
    borrow_principal: borrowPrincipal,
  });
  const row = {
    asset: 'ETH',
    decimals: 18,
    base_rate: '0.01',
    optimal_utilization: '0.45',
    slope1: '0.04',
    slope2: '3',
    reserve_factor: '0.2',
    max_ltv: '0.5',
    margin_call_ltv: '0.7',
    liquidation_ltv: '0.8',
    index_day: '2026-03-01',
    // The market's principal totals are its lanes' shares added up: 1000.5 and 250.25.
    lanes: { base: laneRow('1.1', '1000', '250'), silver: laneRow('1.2', '0.25'), gold: laneRow('1.3', '0.25', '0.25'), platinum: laneRow('1.4') },
    day_utilization: '0.25',
    supply_apr: '0.002',
    borrow_apr: '0.03',
  };

  it('reads every numeric from its text exactly', () => {
    const m = marketFromRow(row);
    expect(m.asset).toBe('ETH');
    expect(m.decimals).toBe(18);
    expect(m.indexDay).toBe('2026-03-01');
    expect(Object.values(m.model).map((v) => v.toFixed())).toEqual(['0.01', '0.45', '0.04', '3', '0.2']);
    expect(Object.keys(m.model)).toEqual(['baseRate', 'optimalUtilization', 'slope1', 'slope2', 'reserveFactor']);
    expect([m.risk.maxLtv, m.risk.marginCallLtv, m.risk.liquidationLtv].map((v) => v.toFixed())).toEqual(['0.5', '0.7', '0.8']);
    expect([m.dayUtilization, m.supplyApr, m.borrowApr, m.supplyPrincipal, m.borrowPrincipal].map((v) => v.toFixed())).toEqual([
      '0.25',
      '0.002',
      '0.03',
      '1000.5',
      '250.25',
    ]);
    expect(Object.keys(m.lanes)).toEqual(['base', 'silver', 'gold', 'platinum']);
    expect(Object.values(m.lanes.gold).map((v) => v.toFixed())).toEqual(['1.3', '1.5', '10', '4', '7', '8']);
    expect(m.lanes.platinum.supplyIndex.toFixed()).toBe('1.4');
  });

  it('refuses a row missing a lane, naming the market and the tier', () => {
    const { gold: _gold, ...lanes } = row.lanes;
    expect(() => marketFromRow({ ...row, lanes })).toThrow('market ETH has no gold lane');
  });
});
