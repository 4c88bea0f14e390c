import assert from 'node:assert/strict';
import { suite, test } from 'node:test';
import { BackendLogsReader, MAX_BACKEND_LOGS_BYTES, type BackendLogEntry } from '../../src/backend-logs/index.ts';
import type { BackendLogsConfig } from '../../src/config/types.ts';
import { apiError, assertListCalls, startLoggingApi, type ListCall } from './logging-api.ts';

const FILTER = 'resource.type="cloud_run_revision" AND resource.labels.service_name="agent-backend"';
const CONFIG: BackendLogsConfig = { project: 'backend-project', filter: FILTER, maxEntries: 5, timeoutMs: 1000, beforeMs: 30_000, afterMs: 30_000 };
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const RUN = { runId: 'r1a2b3c4', startedAt: '2026-12-02T10:00:00.000Z', durationSeconds: 2.5, traceId: TRACE_ID };
const SECRET = 's3cr3t-value-of-the-run';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjYW5hcnkifQ.c2lnbmF0dXJl';

const WINDOW_FILTER = `(${FILTER}\n) AND severity>=WARNING AND timestamp>="2026-12-02T09:59:30.000Z" AND timestamp<="2026-12-02T10:00:32.500Z"`;
const RELATED_FILTER = `${WINDOW_FILTER} AND (trace="projects/backend-project/traces/${TRACE_ID}" OR "canary_r1a2b3c4")`;
const STDERR = 'projects/backend-project/logs/run.googleapis.com%2Fstderr';

const CRASH = {
  insertId: 'r2',
  timestamp: '2026-12-02T10:00:02.250Z',
  severity: 'ERROR',
  logName: STDERR,
  trace: `projects/backend-project/traces/${TRACE_ID}`,
  textPayload: `agent crashed with token ${JWT} and key ${SECRET}`,
};
const SLOW = {
  insertId: 'r1',
  timestamp: '2026-12-02T10:00:01Z',
  severity: 400,
  logName: 'projects/backend-project/logs/app',
  jsonPayload: { message: 'thread canary_r1a2b3c4 slow', thread_id: 'canary_r1a2b3c4' },
};
const BIG = { insertId: 'w1', timestamp: '2026-12-02T09:59:40Z', severity: 'ERROR', logName: STDERR, textPayload: 'x'.repeat(3000) };
const DB = { insertId: 'w2', timestamp: '2026-12-02T10:00:20Z', severity: 'CRITICAL', logName: STDERR, textPayload: 'database unreachable' };

/** The related query gets the run's entries; the window query every entry (one of the run's among them). */
function byQuery(related: readonly unknown[], window: readonly unknown[]) {
  return (call: ListCall) => ({ body: { entries: call.body.filter?.includes(' AND (trace=') === true ? related : window, nextPageToken: 'more' } });
}

function sortedBodies(calls: readonly ListCall[]): ListCall['body'][] {
  return calls.map((call) => call.body).sort((a, b) => (a.filter ?? '').length - (b.filter ?? '').length);
}

const SHAPED_SLOW: BackendLogEntry = {
  timestamp: '2026-12-02T10:00:01.000Z',
  severity: 'WARNING',
  log: 'app',
  trace: null,
  related: true,
  text: '{"message":"thread canary_r1a2b3c4 slow","thread_id":"canary_r1a2b3c4"}',
  omittedChars: 0,
};
const SHAPED_CRASH: BackendLogEntry = {
  timestamp: '2026-12-02T10:00:02.250Z',
  severity: 'ERROR',
  log: 'run.googleapis.com/stderr',
  trace: `projects/backend-project/traces/${TRACE_ID}`,
  related: true,
  text: 'agent crashed with token [REDACTED] and key [REDACTED]',
  omittedChars: 0,
};

suite('reading the backend logs through the client library', { concurrency: true }, () => {
  test('asks for the window and for the run\'s trace or thread; related entries first, redacted, payloads cut to 2 KiB', async (t) => {
    const logging = await startLoggingApi(t, byQuery([CRASH, SLOW], [BIG, CRASH, DB]));
    const logs = await new BackendLogsReader({ api: logging.api }).read(CONFIG, RUN, [SECRET]);

    assertListCalls(logging.calls, 2);
    assert.deepEqual(sortedBodies(logging.calls), [
      { resourceNames: ['projects/backend-project'], filter: WINDOW_FILTER, orderBy: 'timestamp desc', pageSize: 5 },
      { resourceNames: ['projects/backend-project'], filter: RELATED_FILTER, orderBy: 'timestamp desc', pageSize: 5 },
    ]);
    assert.ok(logs.durationSeconds > 0 && logs.durationSeconds < 1);
    assert.deepEqual({ ...logs, durationSeconds: 0 }, {
      project: 'backend-project',
      entries: [
        SHAPED_SLOW,
        SHAPED_CRASH,
        { timestamp: '2026-12-02T09:59:40.000Z', severity: 'ERROR', log: 'run.googleapis.com/stderr', trace: null, related: false, text: 'x'.repeat(2048), omittedChars: 952 },
        { timestamp: '2026-12-02T10:00:20.000Z', severity: 'CRITICAL', log: 'run.googleapis.com/stderr', trace: null, related: false, text: 'database unreachable', omittedChars: 0 },
      ],
      omitted: 0,
      from: '2026-12-02T09:59:30.000Z',
      to: '2026-12-02T10:00:32.500Z',
      note: null,
      durationSeconds: 0,
    });
  });

  test('keeps max_entries, related ones first, and counts the rest as omitted', async (t) => {
    const logging = await startLoggingApi(t, byQuery([CRASH, SLOW], [BIG, CRASH, DB]));
    const logs = await new BackendLogsReader({ api: logging.api }).read({ ...CONFIG, maxEntries: 2 }, RUN, [SECRET]);
    assert.deepEqual(sortedBodies(logging.calls).map((body) => body.pageSize), [2, 2]);
    assert.deepEqual(logs.entries, [SHAPED_SLOW, SHAPED_CRASH]);
    assert.equal(logs.omitted, 2);
    assert.equal(logs.note, null);
  });

  test('keeps at most 64 KiB of entries in all', async (t) => {
    const many = Array.from({ length: 60 }, (_, i) => ({ ...BIG, insertId: `w${i}`, timestamp: `2026-12-02T10:00:${String(i).padStart(2, '0')}Z` }));
    const logging = await startLoggingApi(t, byQuery([], many));
    const logs = await new BackendLogsReader({ api: logging.api }).read({ ...CONFIG, maxEntries: 100 }, RUN, []);
    const entryBytes = Buffer.byteLength(JSON.stringify(logs.entries[0]));
    assert.equal(entryBytes, 2199);
    assert.equal(logs.entries.length, Math.floor(MAX_BACKEND_LOGS_BYTES / entryBytes));
    assert.equal(logs.entries.length, 29);
    assert.equal(logs.omitted, 31);
    assert.equal(logs.entries[0]?.timestamp, '2026-12-02T10:00:00.000Z');
  });

  test('an API slower than the timeout: the note timeout, within the timeout plus a second', async (t) => {
    const logging = await startLoggingApi(t, () => ({ body: { entries: [CRASH] }, delayMs: 4000 }));
    const reader = new BackendLogsReader({ api: logging.api });
    await reader.warm();
    const started = performance.now();
    const logs = await reader.read({ ...CONFIG, timeoutMs: 500 }, RUN, []);
    const waitedMs = performance.now() - started;
    assert.ok(waitedMs >= 495 && waitedMs < 1500, `waited ${waitedMs} ms`);
    assert.deepEqual(logs.note, { code: 'timeout', message: 'the Logging API did not answer within 500ms' });
    assert.deepEqual(logs.entries, []);
    assertListCalls(logging.calls, 2);
  });

  test('403: the note permission_denied names the role the service account needs', async (t) => {
    const logging = await startLoggingApi(t, () => ({ status: 403, body: apiError(403, 'PERMISSION_DENIED', 'Permission denied for all log views') }));
    const logs = await new BackendLogsReader({ api: logging.api }).read(CONFIG, RUN, []);
    assert.deepEqual(logs.note, {
      code: 'permission_denied',
      message: "the canary's service account may not read the logs of project backend-project: grant it roles/logging.viewer there",
    });
    assert.deepEqual(logs.entries, []);
    assertListCalls(logging.calls, 2);
  });

  test('500: an error note with the API\'s message, redacted, and no retry', async (t) => {
    const logging = await startLoggingApi(t, () => ({ status: 500, body: apiError(500, 'INTERNAL', `internal failure near ${SECRET}`) }));
    const logs = await new BackendLogsReader({ api: logging.api }).read(CONFIG, RUN, [SECRET]);
    assert.deepEqual(logs.note, { code: 'error', message: 'internal failure near [REDACTED]' });
    assert.deepEqual(logs.entries, []);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assertListCalls(logging.calls, 2);
  });
});
