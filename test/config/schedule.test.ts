import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cronProblem, everyPattern, intervalSeconds } from '../../src/config/schedule.ts';

test('every maps to a spread node-cron pattern, or null when cron cannot express it', () => {
  const cases: readonly [number, number, string | null][] = [
    [10, 3, '3,13,23,33,43,53 * * * * *'],
    [15, 20, '5,20,35,50 * * * * *'],
    [1, 7, '* * * * * *'],
    [60, 125, '5 * * * * *'],
    [300, 125, '5 2,7,12,17,22,27,32,37,42,47,52,57 * * * *'],
    [3600, 3725, '5 2 * * * *'],
    [6 * 3600, 7 * 3600 + 65, '5 1 1,7,13,19 * * *'],
    [86400, 5 * 3600 + 65, '5 1 5 * * *'],
    [45, 0, null],
    [90, 0, null],
    [7 * 60, 0, null],
    [5 * 3600, 0, null],
    [1.5, 0, null],
  ];
  for (const [seconds, seed, pattern] of cases) assert.equal(everyPattern(seconds, seed), pattern, `every ${seconds}s seed ${seed}`);
});

test('cron expressions are checked by node-cron itself', () => {
  assert.equal(cronProblem('*/5 * * * *'), null);
  assert.equal(cronProblem('61 * * * *'), 'minute: 61 is a invalid expression for minute');
});

test('the nominal interval is the every period, or the shortest gap of the cron expression', () => {
  assert.equal(intervalSeconds({ kind: 'every', everySeconds: 30 }), 30);
  assert.equal(intervalSeconds({ kind: 'cron', cron: '*/5 * * * *' }), 300);
  assert.equal(intervalSeconds({ kind: 'cron', cron: '*/10 * * * * *' }), 10);
});
