import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_PRICES, ScenarioError, assetsOf, parseScenario } from './scenario-format.js';
import { resultsFolderName } from './scenario-app.js';

function problemsOf(text: string): string[] {
  try {
    parseScenario(text, 'broken.yaml');
  } catch (error) {
    if (error instanceof ScenarioError) return error.problems;
    throw error;
  }
  throw new Error('the file was accepted');
}

const GOOD = `name: ok
days: 3
prices: { BTC: "50000" }
users:
  alice: { accounts: [trading] }
steps:
  - day: 1
    deposit: { user: alice, account: trading, asset: BTC, amount: "1" }
  - day: 2
    price: { asset: BTC, gbm: { days: 1, drift: "0", volatility: "0.8", seed: 7 } }
expect:
  - { user: alice, account: trading, position: BTC, amount: "1" }
`;

describe('scenario files', () => {
  it('reads a good file: defaults filled in, steps and expectations typed', () => {
    const scenario = parseScenario(GOOD, 'good.yaml');
    expect(scenario).toMatchObject({ name: 'ok', start: '2026-01-01T00:00:00Z', days: 3, users: { alice: { kyc: 'approved', accounts: ['trading'] } } });
    expect(scenario.steps.map((s) => [s.day, s.hour, s.action.kind, s.line])).toEqual([
      [1, 0, 'deposit', 7],
      [2, 0, 'price', 9],
    ]);
    expect(scenario.expect).toEqual([{ kind: 'position', where: { user: 'alice', account: 'trading' }, asset: 'BTC', amount: '1', tolerance: '0' }]);
  });

  it('names the line and the path of every problem, all of them at once', () => {
    const text = GOOD.replace('amount: "1" }\n  - day: 2', 'amount: 1.5 }\n  - day: 9').replace('account: trading, position', 'account: savings, position');
    expect(problemsOf(text)).toEqual([
      'line 8: steps[0].deposit.amount: must be a decimal written as a quoted string, like "1.5" (got 1.5)',
      'line 9: steps[1].day: must be a whole number from 0 to 3 (got 9)',
      'line 12: expect[0].account: alice has no account "savings" (main, or one listed under users.alice.accounts)',
    ]);
  });

  it('refuses unknown keys, unknown users and steps with no action or two', () => {
    const text = `name: x
days: 2
prices: { BTC: "1" }
colour: blue
users: { bob: {} }
steps:
  - day: 1
  - day: 1
    deposit: { user: carol, asset: BTC, amount: "1" }
  - day: 1
    withdraw: { user: bob, asset: BTC }
    borrow: { user: bob, asset: BTC, amount: "1" }
`;
    expect(problemsOf(text)).toEqual([
      'line 4: colour: unknown key "colour"; expected one of: name, description, start, days, preset, presets, settings, markets, prices, users, steps, expect',
      'line 7: steps[0]: a step has exactly one action (deposit, withdraw, borrow, repay, price, market, expect); found none',
      'line 9: steps[1].deposit.user: no user "carol" in users',
      'line 10: steps[2]: a step has exactly one action (deposit, withdraw, borrow, repay, price, market, expect); found withdraw, borrow',
    ]);
  });

  it('reports YAML that does not parse with its line', () => {
    expect(problemsOf('name: x\ndays: [1, 2\n')[0]).toMatch(/^line \d: /);
  });
});

describe('replaying real history', () => {
  const REPLAY = `name: replay
start: "2022-11-05T00:00:00Z"
days: 20
prices:
  BTC: { replay: btc-usd-daily, from: 2022-11-05, to: 2022-11-20 }
  ETH: { replay: btc-usd-daily, from: "2022-11-08", to: "2022-11-10", rescaleTo: "3000", intraday: { seed: 3, volatility: "0.8" } }
users: { alice: {} }
steps:
  - day: 16
    hour: 6
    price: { asset: BTC, replay: btc-usd-daily, from: 2020-03-12, to: 2020-03-13, rescaleTo: "16000", intraday: { seed: 9 } }
`;

  it('as a starting price: the first figure (or rescaleTo), then the window as a price step at day 0', () => {
    const scenario = parseScenario(REPLAY, 'replay.yaml');
    expect(scenario.prices).toEqual({ BTC: '21157.0', ETH: '3000' });
    expect(scenario.steps.map((s) => [s.day, s.hour, s.line, s.action])).toEqual([
      [0, 0, 5, { kind: 'price', asset: 'BTC', path: { kind: 'replay', data: 'btc-usd-daily', from: '2022-11-05', to: '2022-11-20' } }],
      [
        0,
        0,
        6,
        {
          kind: 'price',
          asset: 'ETH',
          path: { kind: 'replay', data: 'btc-usd-daily', from: '2022-11-08', to: '2022-11-10', rescaleTo: '3000', intraday: { seed: 3, volatility: '0.8' } },
        },
      ],
      [
        16,
        6,
        9,
        {
          kind: 'price',
          asset: 'BTC',
          path: { kind: 'replay', data: 'btc-usd-daily', from: '2020-03-12', to: '2020-03-13', rescaleTo: '16000', intraday: { seed: 9 } },
        },
      ],
    ]);
    expect(assetsOf(scenario)).toEqual(['BTC', 'ETH']);
  });

  it('names every problem of a window with its line: dates, order, range, length, data set, rescale, seed', () => {
    const text = `name: x
days: 5
prices:
  BTC: { replay: btc-usd-daily, from: 2016-12-31, to: 2017-01-02 }
  ETH: { replay: eth-usd-daily, from: 2022-02-30, to: "2022-03-01" }
  SOL: { replay: btc-usd-daily, from: 2022-11-10, to: 2022-11-08, rescaleTo: "0" }
  LAB: { replay: btc-usd-daily, from: 2022-11-01, to: 2022-11-30, colour: red }
users: { a: {} }
steps:
  - day: 1
    price: { asset: BTC, replay: btc-usd-daily, from: 2026-08-20, to: 2026-08-23, intraday: { seed: -1 } }
  - day: 4
    price: { asset: BTC, replay: btc-usd-daily, from: 2022-11-01, to: 2022-11-03 }
  - day: 2
    price: { asset: BTC, to: "5", from: 2022-11-01 }
  - day: 2
    price: { asset: BTC, replay: btc-usd-daily, from: 2022-11-01, to: 2022-11-02, linear: { to: "1", days: 1 } }
`;
    expect(problemsOf(text)).toEqual([
      'line 4: prices.BTC.from: 2016-12-31 is outside btc-usd-daily, which runs from 2017-01-01 to 2026-08-22',
      'line 5: prices.ETH.replay: no data set "eth-usd-daily" in data/ (there is: btc-usd-daily)',
      'line 5: prices.ETH.from: must be a date written like 2022-11-05 (got "2022-02-30")',
      'line 6: prices.SOL.to: the window must not end (2022-11-08) before it starts (2022-11-10)',
      'line 6: prices.SOL.rescaleTo: must be above 0',
      'line 7: prices.LAB.colour: unknown key "colour"; expected one of: replay, from, to, rescaleTo, intraday',
      'line 7: prices.LAB.to: the window 2022-11-01 to 2022-11-30 is 29 days long; the scenario has 5 day(s) left for it',
      'line 11: steps[0].price.to: 2026-08-23 is outside btc-usd-daily, which runs from 2017-01-01 to 2026-08-22',
      'line 11: steps[0].price.intraday.seed: must be a whole number from 0 to 2147483647 (got -1)',
      'line 13: steps[1].price.to: the window 2022-11-01 to 2022-11-03 is 2 days long; the scenario has 1 day(s) left for it',
      'line 15: steps[2].price.from: "from" goes with replay (a window of real history)',
      'line 17: steps[3].price: a price step has one of: to (a price now), linear (a straight move over days), gbm (a seeded random walk), replay (a window of real history, with from and to)',
    ]);
  });
});

describe('default prices and result folders', () => {
  it('needs no prices: stablecoins start at 1, the others at the sandbox demo prices', () => {
    expect(DEFAULT_PRICES).toEqual({ BTC: '65000', ETH: '3200', SOL: '150', USDC: '1', USDT: '1', LAB: '0.5' });
    const scenario = parseScenario('name: x\ndays: 1\nusers: { a: {} }\nsteps:\n  - day: 0\n    deposit: { user: a, asset: USDC, amount: "1" }\n', 'x.yaml');
    expect(scenario.prices).toEqual({});
    expect(assetsOf(scenario)).toEqual(['USDC']);
  });

  it('names the results folder after the shipped file, else the whole name', () => {
    const dir = path.join(process.cwd(), 'scenarios');
    const text = readFileSync(path.join(dir, 'falling-market.yaml'), 'utf8');
    expect(resultsFolderName(text, 'anything', dir)).toBe('falling-market');
    expect(resultsFolderName(text + '\n# edited\n', 'A falling market - margin call, then a partial liquidation', dir)).toBe(
      'a-falling-market-margin-call-then-a-partial-liquidation',
    );
    const long = 'word '.repeat(40);
    const slug = resultsFolderName('x', long, dir);
    expect(slug.length).toBeLessThanOrEqual(100);
    expect(slug).toMatch(/^(word-)*word$/);
    expect(resultsFolderName('x', '!!!', dir)).toBe('scenario');
  });
});
