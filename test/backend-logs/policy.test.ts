import assert from 'node:assert/strict';
import { test } from 'node:test';
import { wantsBackendLogs } from '../../src/backend-logs/index.ts';
import { checkResult, failedResult } from '../support/results.ts';

test('only a failure that is not a shutdown\'s cancellation has its backend logs read', () => {
  const table = [
    ['success', checkResult(), false],
    ['degraded', checkResult({ result: 'degraded', degradations: ['slow'] }), false],
    ['close_1011', failedResult(), true],
    ['auth_rejected', failedResult({ phase: 'upgrade', reason: 'auth_rejected' }), true],
    ['cancelled', failedResult({ phase: 'events', reason: 'cancelled' }), false],
  ] as const;
  assert.deepEqual(
    table.map(([name, result]) => [name, wantsBackendLogs(result)]),
    table.map(([name, , wanted]) => [name, wanted]),
  );
});
