import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backendLogsQueries } from '../../src/backend-logs/index.ts';

const CONFIG = { project: 'backend-project', filter: 'resource.labels.service_name="agent-backend" -- the chat service', maxEntries: 20, timeoutMs: 3000, beforeMs: 5000, afterMs: 10_000 };

test('the queries: the user filter kept whole (a trailing -- comment included), the window around the run, the run\'s trace or thread', () => {
  assert.deepEqual(backendLogsQueries(CONFIG, { runId: 'abc123', startedAt: '2026-12-02T10:00:00.000Z', durationSeconds: 1.2345, traceId: '0af7651916cd43dd8448eb211c80319c' }), {
    resourceNames: ['projects/backend-project'],
    window:
      '(resource.labels.service_name="agent-backend" -- the chat service\n) AND severity>=WARNING AND timestamp>="2026-12-02T09:59:55.000Z" AND timestamp<="2026-12-02T10:00:11.235Z"',
    related:
      '(resource.labels.service_name="agent-backend" -- the chat service\n) AND severity>=WARNING AND timestamp>="2026-12-02T09:59:55.000Z" AND timestamp<="2026-12-02T10:00:11.235Z" AND (trace="projects/backend-project/traces/0af7651916cd43dd8448eb211c80319c" OR "canary_abc123")',
    fromIso: '2026-12-02T09:59:55.000Z',
    toIso: '2026-12-02T10:00:11.235Z',
  });
});

test('a run without a trace id is found by its thread alone', () => {
  const queries = backendLogsQueries(CONFIG, { runId: 'abc123', startedAt: '2026-12-02T10:00:00.000Z', durationSeconds: 0 });
  assert.equal(queries.related, `${queries.window} AND ("canary_abc123")`);
  assert.equal(queries.toIso, '2026-12-02T10:00:10.000Z');
});
