import { describe, expect, it } from '@jest/globals';
import { ScenarioError, parseScenario } from './scenario-format.js';
import { forPreset } from './scenario-comparison.js';

const STORY = `name: presets
days: 2
presets: [lendlab, aave-v3]
users: { alice: {} }
steps:
  - { day: 0, deposit: { user: alice, asset: BTC, amount: "1" } }
  - { day: 1, expect: { user: alice, status: healthy, preset: aave-v3 } }
expect:
  - { user: alice, position: BTC, amount: "1" }
  - { user: alice, notices: liquidation, count: 0, preset: lendlab }
  - { user: alice, notices: liquidation, count: 1, preset: [aave-v3] }
`;

function problemsOf(text: string): string[] {
  try {
    parseScenario(text, 'broken.yaml');
  } catch (error) {
    if (error instanceof ScenarioError) return error.problems;
    throw error;
  }
  throw new Error('the file was accepted');
}

describe('presets in a scenario file', () => {
  it('reads preset: and presets:, and an expectation scoped to some of them', () => {
    expect(parseScenario(STORY.replace('presets: [lendlab, aave-v3]', 'preset: nexo').replace(/, preset: [^}]*}/g, ' }'), 'one.yaml').presets).toEqual(['nexo']);
    expect(parseScenario('name: plain\ndays: 1\nusers: { alice: {} }\n', 'none.yaml').presets).toEqual([]);
    const scenario = parseScenario(STORY, 'two.yaml');
    expect(scenario.presets).toEqual(['lendlab', 'aave-v3']);
    expect(scenario.expect[2]).toEqual({ kind: 'notices', where: { user: 'alice', account: 'main' }, type: 'liquidation', count: 1, presets: ['aave-v3'] });
  });

  it('names every problem: unknown preset, both keys, a scope outside the scenario\u2019s presets, a name twice', () => {
    expect(problemsOf(STORY.replace('[lendlab, aave-v3]', '[lendlab, robinhood]'))).toEqual([
      'line 3: presets[1]: no preset "robinhood"; known presets are: lendlab, nexo, backpack-jp, aave-v3, compound-v3',
      'line 7: steps[1].expect.preset: no preset "aave-v3"; the scenario names: lendlab',
      'line 11: expect[2].preset[0]: no preset "aave-v3"; the scenario names: lendlab',
    ]);
    expect(problemsOf(STORY.replace('presets: [lendlab, aave-v3]', 'preset: nexo\npresets: [nexo]'))[0]).toMatch(/name one preset .* not both/);
    expect(problemsOf(STORY.replace('[lendlab, aave-v3]', '[lendlab, lendlab, aave-v3]'))).toEqual(['line 3: presets[1]: "lendlab" is named twice']);
  });

  it('plays each preset with its own expectations only', () => {
    const scenario = parseScenario(STORY, 'two.yaml');
    const lendlab = forPreset(scenario, 'lendlab');
    expect(lendlab.presets).toEqual(['lendlab']);
    expect(lendlab.steps.map((s) => s.action.kind)).toEqual(['deposit']);
    expect(lendlab.expect.map((e) => (e.kind === 'notices' ? e.count : e.kind))).toEqual(['position', 0]);
    const aave = forPreset(scenario, 'aave-v3');
    expect(aave.steps.map((s) => s.action.kind)).toEqual(['deposit', 'expect']);
    expect(aave.expect.map((e) => (e.kind === 'notices' ? e.count : e.kind))).toEqual(['position', 1]);
  });
});
