import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkResult } from '../support/results.ts';
import { checkStatusView, MAX_STATUS_EVENTS } from '../../src/http/status-json.ts';

const NO_RUNS = { runs: 0, ok: 0, ratio: null } as const;

test('/status.json shows at most the first 100 events of a check last run', () => {
  const events = Array.from({ length: 250_000 }, (_, i) => ({ name: `e${i}`, seconds: i / 1000 }));
  const view = checkStatusView({
    target: 'local', check: 'golden_path', type: 'golden_path', url: 'ws://127.0.0.1:8765/ws', schedule: 'every 60s', running: false,
    last: checkResult({ events }), lastSuccessAt: null, lastFailureRunId: null, nextRunAt: null, runsSkipped: 0,
    streak: null, ratios: { hour: NO_RUNS, day: NO_RUNS }, recent: [],
  });
  assert.equal(MAX_STATUS_EVENTS, 100);
  assert.equal(view.events.length, 100);
  assert.deepEqual([view.events[0], view.events[99]], [{ name: 'e0', seconds: 0 }, { name: 'e99', seconds: 0.099 }]);
  assert.ok(JSON.stringify(view).length < 10_000, 'the check view stays small');
});
