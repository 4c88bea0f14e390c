import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { loadLibraryClients, type BackendLogs } from '../../src/backend-logs/index.ts';
import type { BackendLogsConfig, Config, GoldenPathCheck, TargetConfig } from '../../src/config/types.ts';
import { createLogger, type LogResource } from '../../src/logging/index.ts';
import { REFERENCE_SECRET } from '../../src/reference/index.ts';
import { SHUTDOWN_BACKEND_LOGS_MS, startService, type RunningService } from '../../src/service/service.ts';
import { startBackend } from '../support/backend.ts';
import { goldenPathCheck, jwtAuth, target, withFault } from '../support/fixtures.ts';
import { until } from '../support/net.ts';
import { MemoryDestination } from '../logging/test-helpers.ts';
import { valueOf } from '../metrics/test-helpers.ts';
import { startLoggingApi, type Answer, type ListCall, type LoggingApi } from './logging-api.ts';

/** Runs come from the admin endpoint only. */
const NEVER: GoldenPathCheck['schedule'] = { kind: 'cron', cron: '0 0 1 1 *' };
const ADMIN = 'backend-logs-test-admin-token';
const FILTER = 'resource.type="cloud_run_revision" AND resource.labels.service_name="agent-backend"';
const BACKEND_LOGS: BackendLogsConfig = { project: 'backend-project', filter: FILTER, maxEntries: 20, timeoutMs: 3000, beforeMs: 30_000, afterMs: 30_000 };

/** The canary's own Cloud Run resource, for the trace field of its log entries. */
const CANARY_RESOURCE: LogResource = {
  type: 'cloud_run_revision',
  labels: { service_name: 'canary', project_id: 'canary-project' },
  projectId: 'canary-project',
  serviceContext: { service: 'canary' },
  metadata: 'not_asked',
};

/** The library, loaded once for the file: the lookups' deadlines then measure the API alone. */
const makeClient = await loadLibraryClients();

/** The related query's trace id, echoed in the entry the stand-in returns for it. */
function traceIn(call: ListCall): string | null {
  return /trace="(projects\/[^"]+)"/.exec(call.body.filter ?? '')?.[1] ?? null;
}

/** Answers the related query with the run's crash (carrying the run's trace and the signing secret) and the window with a warning. */
function backendAnswers(call: ListCall): Answer {
  const trace = traceIn(call);
  if (trace !== null) {
    return { body: { entries: [{ insertId: 'c1', timestamp: new Date().toISOString(), severity: 'ERROR', logName: 'projects/backend-project/logs/run.googleapis.com%2Fstderr', trace, textPayload: `websocket handler crashed (secret ${REFERENCE_SECRET})` }] } };
  }
  return { body: { entries: [{ insertId: 'w1', timestamp: new Date().toISOString(), severity: 'WARNING', logName: 'projects/backend-project/logs/app', jsonPayload: { message: 'pool nearly exhausted' } }] } };
}

async function serve(t: TestContext, targets: TargetConfig[], logging: LoggingApi): Promise<{ service: RunningService; logs: MemoryDestination }> {
  const logs = new MemoryDestination();
  const config: Config = { targets, service: { adminToken: null } };
  const service = await startService({
    config,
    port: 0,
    host: '127.0.0.1',
    logger: createLogger({ destination: logs, pretty: false, env: {}, resource: CANARY_RESOURCE }),
    adminToken: ADMIN,
    env: {},
    runAtStart: false,
    backendLogs: { api: logging.api, load: () => Promise.resolve(makeClient) },
  });
  t.after(() => service.close());
  return { service, logs };
}

async function runNow(service: RunningService, targetName: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${service.url}/checks/golden_path/run?target=${targetName}`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}` } });
  assert.equal(response.status, 200);
  return (await response.json()) as Record<string, unknown>;
}

async function storedRun(service: RunningService, runId: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${service.url}/runs/${runId}`);
  assert.equal(response.status, 200);
  return (await response.json()) as Record<string, unknown>;
}

function backendLogsOf(run: Record<string, unknown>): BackendLogs | null {
  return (run['backendLogs'] as BackendLogs | undefined) ?? null;
}

describe('the service reads the backend logs of failed runs', { concurrency: true }, () => {
  it('a failed run shows its backend entries on runs/:id, the run page and a second log entry; a passing run asks nothing', async (t) => {
    const backend = await startBackend(t);
    const logging = await startLoggingApi(t, backendAnswers);
    const auth = jwtAuth(REFERENCE_SECRET);
    const check = goldenPathCheck({ schedule: NEVER });
    const { service, logs } = await serve(
      t,
      [
        target(backend.url, auth, { target: 'healthy', checks: [check], backendLogs: BACKEND_LOGS }),
        target(withFault(backend.url, 'close_1011_after=2'), auth, { target: 'crashing', checks: [check], backendLogs: BACKEND_LOGS }),
      ],
      logging,
    );

    const passed = await runNow(service, 'healthy');
    assert.equal(passed['result'], 'success');
    const failed = await runNow(service, 'crashing');
    assert.deepEqual([failed['result'], failed['reason'], failed['backendLogs']], ['failure', 'close_1011', undefined]);
    const runId = String(failed['runId']);
    const traceId = String(failed['traceId']);

    const attached = await until('the backend entries on runs/:id', async () => backendLogsOf(await storedRun(service, runId)), 8000, 50);
    assert.equal(logging.calls.length, 2, 'two entries.list calls, both for the failed run');
    assert.deepEqual(
      logging.calls.map((call) => call.body.filter?.includes(`"canary_${runId}"`) ?? false).sort(),
      [false, true],
    );
    assert.equal(backendLogsOf(await storedRun(service, String(passed['runId']))), null);
    assert.deepEqual(
      attached.entries.map((entry) => [entry.severity, entry.log, entry.trace, entry.related, entry.text]),
      [
        ['ERROR', 'run.googleapis.com/stderr', `projects/backend-project/traces/${traceId}`, true, 'websocket handler crashed (secret [REDACTED])'],
        ['WARNING', 'app', null, false, '{"message":"pool nearly exhausted"}'],
      ],
    );
    assert.deepEqual([attached.project, attached.note, attached.omitted], ['backend-project', null, 0]);

    const page = await (await fetch(`${service.url}/runs/${runId}/view`)).text();
    assert.ok(page.includes('<h2>Backend logs</h2>'));
    assert.ok(page.includes('websocket handler crashed (secret [REDACTED])'));
    assert.ok(page.includes('pool nearly exhausted'));
    assert.equal(page.includes(REFERENCE_SECRET), false);

    const entry = await until('the second log entry', async () => logs.entries().find((e) => e['message'] === `backend logs for run ${runId}: 2 entries`) ?? null, 2000, 20);
    assert.equal(entry['severity'], 'INFO');
    assert.equal(entry['logging.googleapis.com/trace'], `projects/canary-project/traces/${traceId}`);
    assert.deepEqual((entry['backendLogs'] as BackendLogs).entries.map((e) => e.text), attached.entries.map((e) => e.text));
    assert.equal(logs.text().includes(REFERENCE_SECRET), false);
  });

  it('a slow Logging API: the verdict and metrics come first, then the note timeout within the timeout plus a second', async (t) => {
    const backend = await startBackend(t);
    const logging = await startLoggingApi(t, () => ({ body: { entries: [] }, delayMs: 5000 }));
    const { service, logs } = await serve(
      t,
      [target(withFault(backend.url, 'close_1011_after=2'), jwtAuth(REFERENCE_SECRET), { target: 'crashing', checks: [goldenPathCheck({ schedule: NEVER })], backendLogs: { ...BACKEND_LOGS, timeoutMs: 500 } })],
      logging,
    );
    const failed = await runNow(service, 'crashing');
    const ranAtMs = performance.now();
    const runId = String(failed['runId']);
    assert.equal(failed['reason'], 'close_1011');
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    assert.equal(valueOf(metrics, 'canary_check_failures_total', { check: 'golden_path', target: 'crashing', phase: 'events', reason: 'close_1011' }), 1);
    assert.equal(backendLogsOf(await storedRun(service, runId)), null, 'nothing attached while the API has not answered');
    assert.ok(logs.entries().some((e) => e['message'] === 'run failed: close_1011 in events'));

    const attached = await until('the timeout note', async () => backendLogsOf(await storedRun(service, runId)), 3000, 20);
    const waitedMs = performance.now() - ranAtMs;
    assert.ok(waitedMs < 1500, `waited ${waitedMs} ms`);
    assert.deepEqual([attached.note, attached.entries], [{ code: 'timeout', message: 'the Logging API did not answer within 500ms' }, []]);
    const entry = await until('the second log entry', async () => logs.entries().find((e) => e['message'] === `backend logs for run ${runId}: timeout`) ?? null, 2000, 20);
    assert.equal(entry['severity'], 'WARNING');
  });

  it('shutdown waits at most a second for a lookup still in flight', async (t) => {
    const backend = await startBackend(t);
    const logging = await startLoggingApi(t, () => ({ body: { entries: [] }, delayMs: 5000 }));
    const { service, logs } = await serve(
      t,
      [target(withFault(backend.url, 'close_1011_after=2'), jwtAuth(REFERENCE_SECRET), { target: 'crashing', checks: [goldenPathCheck({ schedule: NEVER })], backendLogs: { ...BACKEND_LOGS, timeoutMs: 5000 } })],
      logging,
    );
    const failed = await runNow(service, 'crashing');
    await until('the lookup reaching the API', async () => (logging.calls.length === 2 ? true : null), 3000, 20);
    const started = performance.now();
    await service.close();
    const closedMs = performance.now() - started;
    assert.ok(closedMs >= SHUTDOWN_BACKEND_LOGS_MS - 5 && closedMs < SHUTDOWN_BACKEND_LOGS_MS + 1000, `closed in ${closedMs} ms`);
    assert.equal(logs.entries().some((e) => String(e['message']).startsWith(`backend logs for run ${String(failed['runId'])}`)), false);
  });
});
