import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cronProblem, intervalSeconds } from '../../src/config/schedule.ts';

test('cron expressions are checked by node-cron itself', () => {
  assert.equal(cronProblem('*/5 * * * *'), null);
  assert.equal(cronProblem('61 * * * *'), 'minute: 61 is a invalid expression for minute');
});

test('the nominal interval is the every period, or the shortest gap of the cron expression', () => {
  assert.equal(intervalSeconds({ kind: 'every', everySeconds: 30 }), 30);
  assert.equal(intervalSeconds({ kind: 'every', everySeconds: 420 }), 420);
  assert.equal(intervalSeconds({ kind: 'cron', cron: '*/5 * * * *' }), 300);
  assert.equal(intervalSeconds({ kind: 'cron', cron: '*/10 * * * * *' }), 10);
});
