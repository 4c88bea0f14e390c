import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Config, DependencyHealthCheck } from '../../src/config/types.ts';
import { REFERENCE_SECRET, startReferenceBackend, type ReferenceBackend } from '../../src/reference/index.ts';
import { goldenPathCheck, jwtAuth, target, withFault } from '../support/fixtures.ts';
import { runOnce } from '../support/run.ts';
import { startBackend } from '../support/backend.ts';
import { createMetrics } from '../../src/metrics/sink.ts';
import { samplesOf, valueOf } from './test-helpers.ts';

const check = goldenPathCheck();
const auth = jwtAuth(REFERENCE_SECRET);

describe('metrics of real runs against the reference backend', { concurrency: true }, () => {
  let backend: ReferenceBackend;
  before(async () => {
    backend = await startReferenceBackend();
  });
  after(() => backend.close());

  it('scrapes exact values after a success and a close_1011_after=2 failure', async () => {
    const config: Config = { targets: [target(backend.url, auth, { checks: [check] })], service: { adminToken: null } };
    const metrics = createMetrics(config, { revision: 'test', defaultMetrics: false });
    const success = await runOnce(backend.url, check, auth);
    const failure = await runOnce(withFault(backend.url, 'close_1011_after=2'), check, auth);
    assert.deepEqual([success.result, failure.result, failure.reason], ['success', 'failure', 'close_1011']);
    metrics.record(success);
    metrics.record(failure);

    const text = (await metrics.render('text/plain')).chunks.join('');
    const L = { check: 'golden_path', target: 'test' };
    const v = (name: string, labels: Record<string, string> = {}): number | undefined => valueOf(text, name, { ...L, ...labels });
    assert.deepEqual(
      {
        success: v('canary_check_runs_total', { result: 'success' }),
        failure: v('canary_check_runs_total', { result: 'failure' }),
        degraded: v('canary_check_runs_total', { result: 'degraded' }),
        close1011: v('canary_check_failures_total', { phase: 'events', reason: 'close_1011' }),
        code1011: v('canary_ws_close_total', { code: '1011' }),
        code1000: v('canary_ws_close_total', { code: '1000' }),
        missingStarted: v('canary_events_missing_total', { event: 'agent_started' }),
        missingThinking: v('canary_events_missing_total', { event: 'agent_thinking' }),
        missingExecuting: v('canary_events_missing_total', { event: 'tool_executing' }),
        missingCompleted: v('canary_events_missing_total', { event: 'tool_completed' }),
        missingAgentCompleted: v('canary_events_missing_total', { event: 'agent_completed' }),
        up: v('canary_check_up'),
        durations: v('canary_check_duration_seconds_count'),
        welcomePhases: v('canary_phase_duration_seconds_count', { phase: 'welcome' }),
        upgradePhases: v('canary_phase_duration_seconds_count', { phase: 'upgrade' }),
        eventsPhases: v('canary_phase_duration_seconds_count', { phase: 'events' }),
        startedLatencies: v('canary_event_latency_seconds_count', { event: 'agent_started' }),
        completedLatencies: v('canary_event_latency_seconds_count', { event: 'agent_completed' }),
        protocolChanges: valueOf(text, 'canary_protocol_changes_total', { target: 'test' }),
      },
      {
        success: 1,
        failure: 1,
        degraded: 0,
        close1011: 1,
        code1011: 1,
        code1000: 0,
        missingStarted: 0,
        missingThinking: 0,
        missingExecuting: 1,
        missingCompleted: 1,
        missingAgentCompleted: 1,
        up: 0,
        durations: 2,
        welcomePhases: 2,
        upgradePhases: 2,
        eventsPhases: undefined,
        startedLatencies: undefined,
        completedLatencies: 1,
        protocolChanges: 0,
      },
    );
    const successEnd = Date.parse(success.startedAt) / 1000 + success.durationSeconds;
    const failureEnd = Date.parse(failure.startedAt) / 1000 + failure.durationSeconds;
    assert.equal(v('canary_last_success_timestamp_seconds'), successEnd);
    assert.equal(v('canary_last_run_timestamp_seconds'), failureEnd);
    assert.deepEqual(samplesOf(text, 'canary_protocol_info'), [
      { name: 'canary_protocol_info', labels: { target: 'test', welcome: 'system_message', envelope: 'payload', subprotocol: 'jwt-auth', handshake: 'none' }, value: 1 },
    ]);

    const om = (await metrics.render('application/openmetrics-text')).chunks.join('');
    assert.ok(om.includes(`# {run_id="${failure.runId}"}`), 'the failed run is an exemplar');
  });

  it("sets canary_dependency_health from a real dependency_health run's typed health states (health=starting)", async (t) => {
    const sick = await startBackend(t, { faults: 'health=starting' });
    const deps: DependencyHealthCheck = { ...check, name: 'deps', type: 'dependency_health', endpoints: ['/health', '/health/ready'], healthTimeoutMs: 1000 };
    const config: Config = { targets: [target(sick.url, auth, { checks: [deps] })], service: { adminToken: null } };
    const metrics = createMetrics(config, { revision: 'test', defaultMetrics: false });
    const result = await runOnce(sick.url, deps, auth);
    assert.deepEqual([result.result, result.health], ['degraded', [{ endpoint: '/health', state: 'starting' }, { endpoint: '/health/ready', state: 'starting' }]]);
    metrics.record(result);

    const text = (await metrics.render('text/plain')).chunks.join('');
    const health = samplesOf(text, 'canary_dependency_health').filter((s) => s.value === 1).map((s) => `${s.labels['endpoint'] ?? ''} ${s.labels['state'] ?? ''}`);
    assert.deepEqual(health, ['/health starting', '/health/ready starting']);
  });
});
