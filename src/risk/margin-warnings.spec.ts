import { describe, expect, it } from '@jest/globals';
import { dec } from '../common/money/decimal.js';
import { warningLevelSeen, warningLevelsCrossed } from './margin-warnings.js';

const LEVELS = ['0.714', '0.741', '0.769'].map((l) => dec(l));
const shown = (levels: { toFixed(): string }[]) => levels.map((l) => l.toFixed());

describe('margin-call warning levels', () => {
  it('crosses every level reached from below the level last seen, each once', () => {
    expect(shown(warningLevelsCrossed(LEVELS, null, dec('0.75')))).toEqual(['0.714', '0.741']);
    expect(shown(warningLevelsCrossed(LEVELS, dec('0.741'), dec('0.76')))).toEqual([]);
    expect(shown(warningLevelsCrossed(LEVELS, dec('0.741'), dec('0.769')))).toEqual(['0.769']);
    expect(shown(warningLevelsCrossed(LEVELS, null, dec('0.7')))).toEqual([]);
    expect(warningLevelsCrossed(LEVELS, null, null)).toEqual([]);
  });

  it('sees the account at the highest level at or below its LTV, so a level fallen below warns again', () => {
    expect(warningLevelSeen(LEVELS, dec('0.75'))?.toFixed()).toBe('0.741');
    expect(warningLevelSeen(LEVELS, dec('0.72'))?.toFixed()).toBe('0.714');
    expect(warningLevelSeen(LEVELS, dec('0.5'))).toBeNull();
    expect(shown(warningLevelsCrossed(LEVELS, warningLevelSeen(LEVELS, dec('0.72')), dec('0.745')))).toEqual(['0.741']);
  });
});
