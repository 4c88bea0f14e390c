import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BackendLogsReader } from '../../src/backend-logs/index.ts';
import { startLoggingApi } from './logging-api.ts';

test('without usable credentials the read is an error note, the API is not called and nothing is thrown unhandled', async (t) => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  process.on('unhandledRejection', onUnhandled);
  t.after(() => process.off('unhandledRejection', onUnhandled));
  // Application Default Credentials read this file first; the test's own process only.
  process.env['GOOGLE_APPLICATION_CREDENTIALS'] = '/nonexistent/canary-test-key.json';
  const logging = await startLoggingApi(t, () => ({ body: { entries: [] } }));
  const { authClient: _fixed, ...withoutCredentials } = logging.api;
  const reader = new BackendLogsReader({ api: withoutCredentials });
  const config = { project: 'backend-project', filter: 'severity>=ERROR', maxEntries: 5, timeoutMs: 2000, beforeMs: 1000, afterMs: 1000 };
  const run = { runId: 'r1', startedAt: '2026-12-02T10:00:00.000Z', durationSeconds: 1 };
  const first = await reader.read(config, run, []);
  const second = await reader.read(config, run, []);
  await new Promise((resolve) => setTimeout(resolve, 100));
  for (const logs of [first, second]) {
    assert.equal(logs.note?.code, 'error');
    assert.match(logs.note?.message ?? '', /^The file at \/nonexistent\/canary-test-key\.json does not exist, or it is not a file\./);
    assert.deepEqual(logs.entries, []);
  }
  assert.deepEqual(logging.calls, []);
  assert.deepEqual(unhandled, []);
});
