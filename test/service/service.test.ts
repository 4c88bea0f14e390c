import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startReferenceBackend, REFERENCE_SECRET, type ReferenceBackend } from '../../src/reference/index.ts';
import { createLogger } from '../../src/logging/index.ts';
import { MemoryDestination } from '../logging/test-helpers.ts';
import { valueOf } from '../metrics/test-helpers.ts';
import type { Config, GoldenPathCheck, TargetConfig } from '../../src/config/types.ts';
import { goldenPathCheck, jwtAuth, target, withFault } from '../support/fixtures.ts';
import { until } from '../support/net.ts';
import { startService, type RunningService } from '../../src/service/service.ts';

/** A schedule that never fires during a test: runs come from the admin endpoint only. */
const NEVER: GoldenPathCheck['schedule'] = { kind: 'cron', cron: '0 0 1 1 *' };
const ADMIN = 'service-test-admin-token-5b7e';

function config(targets: TargetConfig[]): Config {
  return { targets, service: { adminToken: null } };
}

async function serve(cfg: Config, options: { runAtStart?: boolean } = {}): Promise<{ service: RunningService; logs: MemoryDestination }> {
  const logs = new MemoryDestination();
  const logger = createLogger({ destination: logs, pretty: false, env: {} });
  const service = await startService({
    config: cfg,
    port: 0,
    host: '127.0.0.1',
    logger,
    adminToken: ADMIN,
    env: {},
    runAtStart: options.runAtStart ?? false,
  });
  return { service, logs };
}

async function runViaAdmin(service: RunningService, check: string, targetName: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${service.url}/checks/${check}/run?target=${targetName}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN}` },
  });
  assert.equal(response.status, 200);
  return (await response.json()) as Record<string, unknown>;
}

async function scrape(service: RunningService): Promise<string> {
  const response = await fetch(`${service.url}/metrics`);
  assert.equal(response.status, 200);
  return response.text();
}

/** How long a test waits for the service to get somewhere. */
const WAIT_MS = 8000;

describe('the service against the reference backend', { concurrency: true }, () => {
  let backend: ReferenceBackend;
  before(async () => {
    backend = await startReferenceBackend();
  });
  after(() => backend.close());

  it('scrapes exact metric values after runs under several faults', async (t) => {
    const auth = jwtAuth(REFERENCE_SECRET);
    const check = goldenPathCheck({ schedule: NEVER });
    const { service } = await serve(
      config([
        target(backend.url, auth, { target: 'healthy', checks: [check] }),
        target(withFault(backend.url, 'close_1011_after=2'), auth, { target: 'crashing', checks: [check] }),
        target(withFault(backend.url, 'auth_http=401'), auth, { target: 'locked', checks: [check] }),
        target(withFault(backend.url, 'drop_event=tool_completed'), auth, { target: 'lossy', checks: [check] }),
      ]),
    );
    t.after(() => service.close());

    const before = await scrape(service);
    for (const name of ['healthy', 'crashing', 'locked', 'lossy']) {
      assert.equal(valueOf(before, 'canary_check_runs_total', { check: 'golden_path', target: name, result: 'failure' }), 0);
      assert.equal(valueOf(before, 'canary_check_up', { check: 'golden_path', target: name }), undefined);
    }
    assert.equal(valueOf(before, 'canary_ws_close_total', { check: 'golden_path', target: 'crashing', code: '1011' }), 0);

    await runViaAdmin(service, 'golden_path', 'healthy');
    await runViaAdmin(service, 'golden_path', 'healthy');
    const crashed = await runViaAdmin(service, 'golden_path', 'crashing');
    assert.deepEqual([crashed['result'], crashed['phase'], crashed['reason'], crashed['closeCode']], ['failure', 'events', 'close_1011', 1011]);
    await runViaAdmin(service, 'golden_path', 'locked');
    await runViaAdmin(service, 'golden_path', 'lossy');

    const text = await scrape(service);
    const labels = (targetName: string, extra: Record<string, string> = {}): Record<string, string> => ({
      check: 'golden_path',
      target: targetName,
      ...extra,
    });
    assert.equal(valueOf(text, 'canary_check_up', labels('healthy')), 1);
    assert.equal(valueOf(text, 'canary_check_runs_total', labels('healthy', { result: 'success' })), 2);
    assert.equal(valueOf(text, 'canary_check_duration_seconds_count', labels('healthy')), 2);
    assert.equal(valueOf(text, 'canary_event_latency_seconds_count', labels('healthy', { event: 'agent_completed' })), 2);

    assert.equal(valueOf(text, 'canary_check_up', labels('crashing')), 0);
    assert.equal(valueOf(text, 'canary_check_failures_total', labels('crashing', { phase: 'events', reason: 'close_1011' })), 1);
    assert.equal(valueOf(text, 'canary_ws_close_total', labels('crashing', { code: '1011' })), 1);
    assert.equal(valueOf(text, 'canary_events_missing_total', labels('crashing', { event: 'agent_started' })), 0);
    assert.equal(valueOf(text, 'canary_events_missing_total', labels('crashing', { event: 'tool_executing' })), 1);
    assert.equal(valueOf(text, 'canary_events_missing_total', labels('crashing', { event: 'agent_completed' })), 1);

    assert.equal(valueOf(text, 'canary_check_failures_total', labels('locked', { phase: 'upgrade', reason: 'auth_rejected' })), 1);
    assert.equal(valueOf(text, 'canary_ws_close_total', labels('locked', { code: '1011' })), 0);
    assert.equal(valueOf(text, 'canary_events_missing_total', labels('locked', { event: 'agent_started' })), 0);

    assert.equal(valueOf(text, 'canary_check_failures_total', labels('lossy', { phase: 'events', reason: 'event_missing' })), 1);
    assert.equal(valueOf(text, 'canary_events_missing_total', labels('lossy', { event: 'tool_completed' })), 1);
    assert.equal(valueOf(text, 'canary_events_missing_total', labels('lossy', { event: 'agent_completed' })), 0);

    assert.equal(valueOf(text, 'canary_protocol_info', { target: 'healthy', welcome: 'system_message', envelope: 'payload', subprotocol: 'jwt-auth', handshake: 'none' }), 1);
  });

  it('makes a backend protocol change visible: a change counted and canary_protocol_info flipped', async (t) => {
    const own = await startReferenceBackend();
    t.after(() => own.close());
    const { service } = await serve(
      config([target(own.url, jwtAuth(REFERENCE_SECRET), { target: 'drifting', checks: [goldenPathCheck({ schedule: NEVER })] })]),
    );
    t.after(() => service.close());
    await runViaAdmin(service, 'golden_path', 'drifting');
    own.setFaults('welcome=new,envelope=data,subprotocol=new');
    await runViaAdmin(service, 'golden_path', 'drifting');
    const text = await scrape(service);
    assert.equal(valueOf(text, 'canary_protocol_changes_total', { target: 'drifting' }), 1);
    assert.equal(valueOf(text, 'canary_protocol_info', { target: 'drifting', welcome: 'system_message', envelope: 'payload', subprotocol: 'jwt-auth', handshake: 'none' }), undefined);
    assert.equal(valueOf(text, 'canary_protocol_info', { target: 'drifting', welcome: 'connection_established', envelope: 'data', subprotocol: 'jwt', handshake: 'none' }), 1);
    assert.equal(valueOf(text, 'canary_check_runs_total', { check: 'golden_path', target: 'drifting', result: 'success' }), 2);
  });

  it('runs checks on their schedule, measures lag, and reports them in /status.json', async (t) => {
    const auth = jwtAuth(REFERENCE_SECRET);
    const every = goldenPathCheck({ schedule: { kind: 'every', everySeconds: 1 } });
    const { service } = await serve(config([target(backend.url, auth, { target: 'scheduled', checks: [every] })]));
    t.after(() => service.close());
    const labels = { check: 'golden_path', target: 'scheduled' };
    await until('two scheduled runs', async () => {
      const text = await scrape(service);
      return (valueOf(text, 'canary_check_runs_total', { ...labels, result: 'success' }) ?? 0) >= 2 ? text : null;
    }, WAIT_MS);
    const text = await scrape(service);
    assert.ok((valueOf(text, 'canary_schedule_lag_seconds_count', labels) ?? 0) >= 2);
    const status = (await (await fetch(`${service.url}/status.json`)).json()) as { checks: Record<string, unknown>[] };
    const row = status.checks[0] ?? {};
    assert.equal(row['state'], 'success');
    assert.equal(row['schedule'], 'every 1s');
    assert.equal(typeof row['nextRunAt'], 'string');
    assert.equal(typeof row['lastSuccessAt'], 'string');
  });

  it('skips and counts a due run while the previous one is still going, never stacking them', async (t) => {
    const auth = jwtAuth(REFERENCE_SECRET);
    const slow = goldenPathCheck({ schedule: { kind: 'every', everySeconds: 1 }, timeoutMs: 2500 });
    const url = withFault(backend.url, 'stall_after=2');
    const { service } = await serve(config([target(url, auth, { target: 'stalled', checks: [slow] })]));
    t.after(() => service.close());
    const labels = { check: 'golden_path', target: 'stalled' };
    const text = await until('a skipped run', async () => {
      const body = await scrape(service);
      return (valueOf(body, 'canary_runs_skipped_total', { ...labels, reason: 'overlap' }) ?? 0) >= 1 ? body : null;
    }, WAIT_MS);
    const connections = backend.connections().filter((c) => c.faults.includes('stall_after=2')).length;
    const runs = valueOf(text, 'canary_check_runs_total', { ...labels, result: 'failure' }) ?? 0;
    assert.ok(connections <= runs + 1, `${connections} connections for ${runs} finished runs: runs stacked`);
    const status = (await (await fetch(`${service.url}/status.json`)).json()) as { checks: Record<string, unknown>[] };
    assert.ok(Number(status.checks[0]?.['runsSkipped']) >= 1);
  });

  it('keeps each check history and shows the target URL without credentials or query, and the region, in /status.json', async (t) => {
    const auth = jwtAuth(REFERENCE_SECRET);
    const secretUrl = withFault(backend.url, 'close_1011_after=2').replace('ws://', 'ws://probe:hunter2@');
    const logger = createLogger({
      destination: new MemoryDestination(), pretty: false, env: {},
      resource: { type: 'cloud_run_revision', labels: { service_name: 'canary', location: 'europe-west1' }, projectId: null, serviceContext: { service: 'canary' }, metadata: 'not_asked' },
    });
    const service = await startService({
      config: config([target(secretUrl, auth, { target: 'crashing', checks: [goldenPathCheck({ schedule: NEVER })] })]),
      port: 0, host: '127.0.0.1', logger, adminToken: ADMIN, env: {}, runAtStart: false,
    });
    t.after(() => service.close());
    const first = await runViaAdmin(service, 'golden_path', 'crashing');
    const second = await runViaAdmin(service, 'golden_path', 'crashing');
    assert.deepEqual([first['reason'], second['reason'], first['url']], ['close_1011', 'close_1011', backend.url]);
    const text = await (await fetch(`${service.url}/status.json`)).text();
    for (const secret of ['hunter2', 'probe', 'fault=']) assert.equal(text.includes(secret), false, secret);
    const status = JSON.parse(text) as { region: unknown; uptimeSeconds: unknown; checks: Record<string, unknown>[] };
    assert.equal(status.region, 'europe-west1');
    assert.equal(typeof status.uptimeSeconds, 'number');
    const row = status.checks[0] ?? {};
    assert.equal(row['url'], backend.url);
    assert.deepEqual(row['streak'], { failing: true, runs: 2, since: first['startedAt'], firstRunId: first['runId'], fromStart: true });
    const ratio = { runs: 2, ok: 0, ratio: 0 };
    assert.deepEqual(row['successRatio'], { hour: ratio, day: ratio });
    assert.deepEqual(
      row['recent'],
      [first, second].map((run) => ({ runId: run['runId'], result: 'failure', reason: 'close_1011', startedAt: run['startedAt'] })),
    );
  });

  it('runs every check once at start-up', async (t) => {
    const auth = jwtAuth(REFERENCE_SECRET);
    const { service } = await serve(config([target(backend.url, auth, { target: 'eager', checks: [goldenPathCheck({ schedule: NEVER })] })]), {
      runAtStart: true,
    });
    t.after(() => service.close());
    await until('the start-up run', async () => {
      const text = await scrape(service);
      return valueOf(text, 'canary_check_up', { check: 'golden_path', target: 'eager' }) === 1 ? true : null;
    }, WAIT_MS);
  });

  it('cancels an in-flight run at shutdown within the grace bound', async () => {
    const auth = jwtAuth(REFERENCE_SECRET);
    const hung = goldenPathCheck({ schedule: NEVER, timeoutMs: 60_000 });
    const { service, logs } = await serve(config([target(withFault(backend.url, 'stall_after=1'), auth, { target: 'hung', checks: [hung] })]));
    const pending = service.runNow('golden_path', 'hung');
    await until('the run to start', async () => (backend.connections().some((c) => c.faults.includes('stall_after=1') && c.messagesReceived.length > 0) ? true : null), WAIT_MS);
    const started = Date.now();
    await service.close();
    const outcome = await pending;
    assert.equal(outcome.kind, 'ran');
    if (outcome.kind === 'ran') assert.deepEqual([outcome.result.result, outcome.result.reason], ['failure', 'cancelled']);
    assert.ok(Date.now() - started < 8000);
    assert.ok(logs.lines().some((line) => line.includes('"message":"stopped"')));
  });
});
