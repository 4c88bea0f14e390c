import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CLOSE_CODE_LABELS } from '../../src/protocol/close-codes.ts';
import { sinkFactsOf } from '../../src/checks/registry.ts';
import { DEGRADATIONS, PHASES, REASON_NAMES, RESULTS } from '../../src/result/reasons.ts';
import type { CheckResult } from '../../src/result/types.ts';
import { goldenPathCheck, target } from '../support/fixtures.ts';
import { VERSION } from '../../src/version.ts';
import { DURATION_BUCKETS_SECONDS, PHASE_BUCKETS_SECONDS, SCHEDULE_LAG_BUCKETS_SECONDS } from '../../src/metrics/families.ts';
import { Gauge } from 'prom-client';
import { createMetrics, type CanaryMetrics } from '../../src/metrics/sink.ts';
import {
  CHECK,
  TARGET,
  close1011Result,
  familiesWithPrefix,
  oneCheckConfig,
  parseSamples,
  samplesOf,
  seriesKey,
  seriesMap,
  successResult,
  valueOf,
} from './test-helpers.ts';

const L = { check: CHECK, target: TARGET } as const;
const EVENTS = ['agent_started', 'agent_thinking', 'tool_executing', 'tool_completed', 'agent_completed'];

function metrics(): CanaryMetrics {
  return createMetrics(oneCheckConfig(), { revision: 'r1', defaultMetrics: false });
}

async function plain(m: CanaryMetrics): Promise<string> {
  return (await m.render(undefined)).chunks.join('');
}

describe('metrics sink', { concurrency: true }, () => {
  it('creates every configured series at zero and neither up nor the last-run timestamps', async () => {
    const text = await plain(createMetrics(oneCheckConfig(), { revision: 'r1', defaultMetrics: false, loadedAtSeconds: 1_700_000_000 }));
    const expected = new Map<string, number>([
      [seriesKey('canary_build_info', { version: VERSION, revision: 'r1' }), 1],
      [seriesKey('canary_config_last_reload_successful', {}), 1],
      [seriesKey('canary_config_last_reload_success_timestamp_seconds', {}), 1_700_000_000],
      [seriesKey('canary_config_reloads_total', { result: 'success' }), 0],
      [seriesKey('canary_config_reloads_total', { result: 'failure' }), 0],
      [seriesKey('canary_config_info', { ...L, type: 'golden_path' }), 1],
      [seriesKey('canary_check_timeout_seconds', L), 5],
      [seriesKey('canary_check_interval_seconds', L), 60],
      [seriesKey('canary_protocol_changes_total', { target: TARGET }), 0],
      [seriesKey('canary_runs_skipped_total', { ...L, reason: 'overlap' }), 0],
      [seriesKey('canary_check_duration_seconds_count', L), 0],
      [seriesKey('canary_schedule_lag_seconds_count', L), 0],
    ]);
    for (const result of ['success', 'degraded', 'failure']) expected.set(seriesKey('canary_check_runs_total', { ...L, result }), 0);
    for (const code of ['1000', '1006', '1008', '1011']) expected.set(seriesKey('canary_ws_close_total', { ...L, code }), 0);
    for (const degradation of ['slow', 'unknown_frame', 'agent_timeout_warning']) expected.set(seriesKey('canary_check_degraded_total', { ...L, degradation }), 0);
    for (const phase of ['upgrade', 'welcome']) expected.set(seriesKey('canary_phase_duration_seconds_count', { ...L, phase }), 0);
    for (const event of EVENTS) expected.set(seriesKey('canary_events_missing_total', { ...L, event }), 0);
    expected.set(seriesKey('canary_event_latency_seconds_count', { ...L, event: 'agent_completed' }), 0);
    const facts = sinkFactsOf(oneCheckConfig().targets[0] ?? assert.fail('no target'), goldenPathCheck());
    assert.equal(facts.failures.length, 41);
    for (const { phase, reason } of facts.failures) expected.set(seriesKey('canary_check_failures_total', { ...L, phase, reason }), 0);
    const actual = [...seriesMap(text)].filter(([key]) => !/_(bucket|sum)\{/.test(key));
    assert.deepEqual(new Map(actual), expected);
    for (const sample of parseSamples(text)) {
      if (/_(bucket|sum)$/.test(sample.name)) assert.equal(sample.value, 0, seriesKey(sample.name, sample.labels));
    }
    assert.equal(samplesOf(text, 'canary_check_up').length, 0);
    assert.equal(samplesOf(text, 'canary_last_run_timestamp_seconds').length, 0);
    assert.equal(samplesOf(text, 'canary_last_success_timestamp_seconds').length, 0);
    assert.equal(samplesOf(text, 'canary_protocol_info').length, 0);
    assert.equal(samplesOf(text, 'canary_tls_cert_expiry_timestamp_seconds').length, 0);
  });

  it('records a success and a close_1011 failure with exact values', async () => {
    const m = metrics();
    m.record(successResult());
    m.record(close1011Result({ startedAt: '2025-01-01T00:01:00.000Z' }));
    const text = await plain(m);
    const v = (name: string, labels: Record<string, string> = {}): number | undefined => valueOf(text, name, { ...L, ...labels });

    assert.equal(v('canary_check_runs_total', { result: 'success' }), 1);
    assert.equal(v('canary_check_runs_total', { result: 'failure' }), 1);
    assert.equal(v('canary_check_runs_total', { result: 'degraded' }), 0);
    assert.equal(v('canary_check_failures_total', { phase: 'events', reason: 'close_1011' }), 1);
    assert.equal(v('canary_check_failures_total', { phase: 'welcome', reason: 'close_1011' }), 0);
    assert.equal(samplesOf(text, 'canary_check_failures_total').reduce((sum, s) => sum + s.value, 0), 1);
    assert.equal(v('canary_ws_close_total', { code: '1011' }), 1);
    assert.equal(v('canary_ws_close_total', { code: '1000' }), 0);
    assert.equal(v('canary_events_missing_total', { event: 'agent_started' }), 0);
    assert.equal(v('canary_events_missing_total', { event: 'agent_thinking' }), 0);
    assert.equal(v('canary_events_missing_total', { event: 'tool_executing' }), 1);
    assert.equal(v('canary_events_missing_total', { event: 'tool_completed' }), 1);
    assert.equal(v('canary_events_missing_total', { event: 'agent_completed' }), 1);
    assert.equal(v('canary_check_up'), 0);
    assert.equal(v('canary_last_success_timestamp_seconds'), Date.UTC(2025, 0, 1) / 1000 + 0.75);
    assert.equal(v('canary_last_run_timestamp_seconds'), Date.UTC(2025, 0, 1, 0, 1) / 1000 + 0.3);
    assert.deepEqual(samplesOf(text, 'canary_protocol_info'), [
      { name: 'canary_protocol_info', labels: { target: TARGET, welcome: 'system_message', envelope: 'payload', subprotocol: 'jwt-auth', handshake: 'none' }, value: 1 },
    ]);
    assert.equal(valueOf(text, 'canary_protocol_changes_total', { target: TARGET }), 0);

    assert.equal(v('canary_check_duration_seconds_count'), 2);
    assert.equal(v('canary_check_duration_seconds_bucket', { le: '1' }), 2);
    assert.equal(v('canary_check_duration_seconds_sum'), 1.05);
    assert.equal(v('canary_phase_duration_seconds_count', { phase: 'welcome' }), 2);
    assert.equal(v('canary_phase_duration_seconds_count', { phase: 'events' }), undefined);
    assert.equal(v('canary_phase_duration_seconds_count', { phase: 'tls' }), undefined);
    assert.equal(v('canary_phase_duration_seconds_count', { phase: 'token' }), undefined);
    assert.equal(v('canary_phase_duration_seconds_bucket', { phase: 'upgrade', le: '0.05' }), 2);
    assert.equal(v('canary_phase_duration_seconds_sum', { phase: 'upgrade' }), 0.04);
    assert.equal(v('canary_event_latency_seconds_count', { event: 'agent_completed' }), 1);
    assert.equal(v('canary_event_latency_seconds_sum', { event: 'agent_completed' }), 0.5);
    assert.equal(v('canary_event_latency_seconds_count', { event: 'agent_started' }), undefined);
  });

  it('sets up to 1 and the last success after a failure is followed by a success', async () => {
    const m = metrics();
    m.record(close1011Result());
    m.record(successResult({ startedAt: '2025-01-01T00:01:00.000Z', durationSeconds: 2 }));
    const text = await plain(m);
    assert.equal(valueOf(text, 'canary_check_up', L), 1);
    assert.equal(valueOf(text, 'canary_last_run_timestamp_seconds', L), Date.UTC(2025, 0, 1, 0, 1) / 1000 + 2);
    assert.equal(valueOf(text, 'canary_last_success_timestamp_seconds', L), Date.UTC(2025, 0, 1, 0, 1) / 1000 + 2);
  });

  it('counts a degraded run as up with one count per degradation', async () => {
    const m = metrics();
    m.record(successResult({ result: 'degraded', degradations: ['slow', 'unknown_frame'] }));
    const text = await plain(m);
    assert.equal(valueOf(text, 'canary_check_runs_total', { ...L, result: 'degraded' }), 1);
    assert.equal(valueOf(text, 'canary_check_runs_total', { ...L, result: 'success' }), 0);
    assert.equal(valueOf(text, 'canary_check_degraded_total', { ...L, degradation: 'slow' }), 1);
    assert.equal(valueOf(text, 'canary_check_degraded_total', { ...L, degradation: 'unknown_frame' }), 1);
    assert.equal(valueOf(text, 'canary_check_up', L), 1);
    assert.equal(valueOf(text, 'canary_last_success_timestamp_seconds', L), Date.UTC(2025, 0, 1) / 1000 + 0.75);
    assert.equal(samplesOf(text, 'canary_check_failures_total').reduce((sum, s) => sum + s.value, 0), 0);
  });

  it('ignores a cancelled result entirely', async () => {
    const m = metrics();
    m.record(successResult());
    const before = await plain(m);
    m.record(close1011Result({ reason: 'cancelled', closeCode: null, protocol: { welcome: 'connection_established', envelope: 'data', subprotocol: 'jwt' } }));
    assert.equal(await plain(m), before);
  });

  it('measures the completion event once, at its first arrival, and no other event', async () => {
    const m = metrics();
    const events = [
      { name: 'agent_started', seconds: 0.1 },
      { name: 'agent_thinking', seconds: 0.2 },
      { name: 'tool_executing', seconds: 3.5 },
      { name: 'tool_completed', seconds: 4.5 },
      { name: 'agent_completed', seconds: 5 },
      { name: 'agent_completed', seconds: 7 },
    ];
    m.record(successResult({ events }));
    const text = await plain(m);
    assert.equal(valueOf(text, 'canary_event_latency_seconds_count', { ...L, event: 'agent_completed' }), 1);
    assert.equal(valueOf(text, 'canary_event_latency_seconds_sum', { ...L, event: 'agent_completed' }), 5);
    assert.equal(valueOf(text, 'canary_event_latency_seconds_bucket', { ...L, event: 'agent_completed', le: '1' }), 0);
    assert.equal(valueOf(text, 'canary_event_latency_seconds_bucket', { ...L, event: 'agent_completed', le: '10' }), 1);
    assert.deepEqual([...new Set(samplesOf(text, 'canary_event_latency_seconds_count').map((s) => s.labels['event']))], ['agent_completed']);
  });

  it('counts missing events only for failed runs whose user message was sent', async () => {
    const m = metrics();
    const welcomeFailure = close1011Result({ phase: 'welcome', events: [], phases: { token: 0.001, dns: 0.001, tcp: 0.001, upgrade: 0.01 } });
    m.record(welcomeFailure);
    m.record(successResult({ events: [] }));
    const afterNone = await plain(m);
    for (const event of EVENTS) assert.equal(valueOf(afterNone, 'canary_events_missing_total', { ...L, event }), 0, event);
    assert.equal(valueOf(afterNone, 'canary_check_failures_total', { ...L, phase: 'welcome', reason: 'close_1011' }), 1);

    m.record(close1011Result({ reason: 'event_missing', closeCode: null, missingEvent: 'tool_executing' }));
    const text = await plain(m);
    assert.deepEqual(
      EVENTS.map((event) => valueOf(text, 'canary_events_missing_total', { ...L, event })),
      [0, 0, 1, 1, 1],
    );
  });

  it('keeps exactly one protocol series per target and counts a change of welcome', async () => {
    const m = metrics();
    m.record(successResult({ protocol: { welcome: 'system_message', envelope: 'payload', subprotocol: 'jwt-auth' } }));
    m.record(successResult({ protocol: { welcome: 'connection_established', envelope: 'payload', subprotocol: 'jwt-auth' } }));
    const text = await plain(m);
    assert.deepEqual(samplesOf(text, 'canary_protocol_info'), [
      {
        name: 'canary_protocol_info',
        labels: { target: TARGET, welcome: 'connection_established', envelope: 'payload', subprotocol: 'jwt-auth', handshake: 'none' },
        value: 1,
      },
    ]);
    assert.equal(valueOf(text, 'canary_protocol_changes_total', { target: TARGET }), 1);
  });

  it('keeps the protocol series of runs without a welcome and counts no change for them', async () => {
    const m = metrics();
    m.record(successResult({ protocol: { welcome: 'system_message', envelope: 'data', subprotocol: 'jwt' } }));
    m.record(close1011Result({ phase: 'upgrade', events: [], protocol: { welcome: 'none', envelope: 'none', subprotocol: 'none' } }));
    m.record(successResult({ protocol: { welcome: 'system_message', envelope: 'data', subprotocol: 'jwt' } }));
    const text = await plain(m);
    assert.deepEqual(
      samplesOf(text, 'canary_protocol_info').map((s) => s.labels),
      [{ target: TARGET, welcome: 'system_message', envelope: 'data', subprotocol: 'jwt', handshake: 'none' }],
    );
    assert.equal(valueOf(text, 'canary_protocol_changes_total', { target: TARGET }), 0);
  });

  it('keeps the known envelope through a run that saw no event, and counts no change', async () => {
    const m = metrics();
    m.record(successResult({ protocol: { welcome: 'system_message', envelope: 'data', subprotocol: 'jwt' } }));
    m.record(close1011Result({ events: [], protocol: { welcome: 'system_message', envelope: 'none', subprotocol: 'jwt' } }));
    const during = await plain(m);
    assert.deepEqual(
      samplesOf(during, 'canary_protocol_info').map((s) => s.labels),
      [{ target: TARGET, welcome: 'system_message', envelope: 'data', subprotocol: 'jwt', handshake: 'none' }],
    );
    m.record(successResult({ protocol: { welcome: 'system_message', envelope: 'flat', subprotocol: 'jwt' } }));
    const text = await plain(m);
    assert.deepEqual(
      samplesOf(text, 'canary_protocol_info').map((s) => s.labels),
      [{ target: TARGET, welcome: 'system_message', envelope: 'flat', subprotocol: 'jwt', handshake: 'none' }],
    );
    assert.equal(valueOf(text, 'canary_protocol_changes_total', { target: TARGET }), 1);
  });

  it('does not count the first protocol seen after runs that saw no event as a change', async () => {
    const m = metrics();
    m.record(close1011Result({ events: [], protocol: { welcome: 'system_message', envelope: 'none', subprotocol: 'jwt-auth' } }));
    m.record(successResult());
    const text = await plain(m);
    assert.deepEqual(
      samplesOf(text, 'canary_protocol_info').map((s) => s.labels),
      [{ target: TARGET, welcome: 'system_message', envelope: 'payload', subprotocol: 'jwt-auth', handshake: 'none' }],
    );
    assert.equal(valueOf(text, 'canary_protocol_changes_total', { target: TARGET }), 0);
  });

  it('labels the handshake and counts a backend switching to the lifecycle handshake as a change', async () => {
    const m = metrics();
    m.record(successResult({ protocol: { welcome: 'connection_established', envelope: 'payload', subprotocol: 'jwt' } }));
    m.record(successResult({ protocol: { welcome: 'connection_established', envelope: 'payload', subprotocol: 'jwt', handshake: 'lifecycle' } }));
    const text = await plain(m);
    assert.deepEqual(
      samplesOf(text, 'canary_protocol_info').map((s) => s.labels),
      [{ target: TARGET, welcome: 'connection_established', envelope: 'payload', subprotocol: 'jwt', handshake: 'lifecycle' }],
    );
    assert.equal(valueOf(text, 'canary_protocol_changes_total', { target: TARGET }), 1);
  });

  it("creates the third generation's series at zero: the handshake phase, its reasons and the timeout warning", async () => {
    const text = await plain(metrics());
    for (const [phase, reason] of [
      ['handshake', 'handshake_incomplete'],
      ['handshake', 'close_1011'],
      ['handshake', 'close_abnormal'],
      ['events', 'answer_mismatch'],
      ['events', 'agent_timeout'],
    ] as const) {
      assert.equal(valueOf(text, 'canary_check_failures_total', { ...L, phase, reason }), 0, `${phase}/${reason}`);
    }
    assert.equal(valueOf(text, 'canary_check_failures_total', { ...L, phase: 'events', reason: 'handshake_incomplete' }), undefined);
    assert.equal(valueOf(text, 'canary_check_degraded_total', { ...L, degradation: 'agent_timeout_warning' }), 0);
    assert.equal(valueOf(text, 'canary_phase_duration_seconds_count', { ...L, phase: 'handshake' }), undefined);
  });

  it('times the handshake phase from the first third-generation run on', async () => {
    const m = metrics();
    m.record(successResult({ phases: { token: 0.002, upgrade: 0.02, welcome: 0.01, handshake: 0.7, events: 0.5 } }));
    const text = await plain(m);
    assert.equal(valueOf(text, 'canary_phase_duration_seconds_count', { ...L, phase: 'handshake' }), 1);
    assert.equal(valueOf(text, 'canary_phase_duration_seconds_bucket', { ...L, phase: 'handshake', le: '0.5' }), 0);
    assert.equal(valueOf(text, 'canary_phase_duration_seconds_bucket', { ...L, phase: 'handshake', le: '5' }), 1);
  });

  it('counts skipped runs and observes schedule lag in seconds', async () => {
    const m = metrics();
    m.skipped(TARGET, CHECK, 'overlap');
    m.skipped(TARGET, CHECK, 'overlap');
    m.started(TARGET, CHECK, 0.2);
    m.started(TARGET, CHECK, -0.01);
    const text = await plain(m);
    assert.equal(valueOf(text, 'canary_runs_skipped_total', { ...L, reason: 'overlap' }), 2);
    assert.equal(valueOf(text, 'canary_schedule_lag_seconds_count', L), 2);
    assert.equal(valueOf(text, 'canary_schedule_lag_seconds_sum', L), 0.2);
    assert.equal(valueOf(text, 'canary_schedule_lag_seconds_bucket', { ...L, le: '0.01' }), 1);
    assert.equal(valueOf(text, 'canary_schedule_lag_seconds_bucket', { ...L, le: '0.1' }), 1);
    assert.equal(valueOf(text, 'canary_schedule_lag_seconds_bucket', { ...L, le: '1' }), 2);
  });

  it('labels close codes it does not know as other', async () => {
    const m = metrics();
    m.record(close1011Result({ reason: 'close_unexpected', closeCode: 4321 }));
    m.record(close1011Result({ reason: 'close_unexpected', closeCode: 1013 }));
    const text = await plain(m);
    assert.equal(valueOf(text, 'canary_ws_close_total', { ...L, code: 'other' }), 1);
    assert.equal(valueOf(text, 'canary_ws_close_total', { ...L, code: '1013' }), 1);
    assert.equal(valueOf(text, 'canary_ws_close_total', { ...L, code: '1011' }), 0);
  });

  it('sets the certificate expiry of a wss target in seconds', async () => {
    const m = metrics();
    m.record(successResult({ tlsCertExpiresAt: '2026-03-01T12:00:00.000Z' }));
    const text = await plain(m);
    assert.equal(valueOf(text, 'canary_tls_cert_expiry_timestamp_seconds', { target: TARGET }), Date.UTC(2026, 2, 1, 12) / 1000);
  });

  it('records a result of an unconfigured check with the labels of the result and no expected events', async () => {
    const m = metrics();
    m.record(close1011Result({ target: 'elsewhere', check: 'other_check' }));
    const text = await plain(m);
    const labels = { check: 'other_check', target: 'elsewhere' };
    assert.equal(valueOf(text, 'canary_check_runs_total', { ...labels, result: 'failure' }), 1);
    assert.equal(valueOf(text, 'canary_check_failures_total', { ...labels, phase: 'events', reason: 'close_1011' }), 1);
    assert.equal(valueOf(text, 'canary_check_up', labels), 0);
    assert.deepEqual(parseSamples(text).filter((s) => s.name === 'canary_events_missing_total' && s.labels['target'] === 'elsewhere'), []);
    m.record(successResult({ target: 'elsewhere', check: 'other_check' }));
    const after = await plain(m);
    assert.equal(valueOf(after, 'canary_event_latency_seconds_count', { ...labels, event: 'agent_completed' }), 1);
    assert.equal(valueOf(after, 'canary_event_latency_seconds_count', { ...labels, event: 'agent_started' }), undefined);
  });

  it('keeps every label value within the closed sets and the config whatever the server and messages say', async () => {
    const junk = (): string => `ignore "previous" {instructions} \\ ${Math.random().toString(36)}\nline two`;
    const config = { targets: [target('ws://127.0.0.1:1/ws', { type: 'none' }, { checks: [goldenPathCheck()] })], service: { adminToken: null } };
    const m = createMetrics(config, { revision: 'r1', defaultMetrics: false });
    let failures = 0;
    for (let i = 0; i < 20; i++) {
      const hostile: CheckResult = close1011Result({
        result: 'failure',
        reason: REASON_NAMES[i % REASON_NAMES.length] ?? 'close_1011',
        phase: PHASES[i % PHASES.length] ?? 'events',
        message: junk(),
        closeReason: junk(),
        closeCode: 3000 + i,
        httpStatus: 500 + i,
        missingEvent: junk(),
        events: [
          { name: junk(), seconds: 0.1 },
          { name: 'agent_started', seconds: 0.2 },
        ],
        runId: `run-${i}`,
      });
      m.record(hostile);
      if (hostile.reason !== 'cancelled') failures += 1;
      m.record(successResult({ result: 'degraded', degradations: ['unknown_frame'], message: junk() }));
    }
    const allowed: Readonly<Record<string, ReadonlySet<string>>> = {
      check: new Set([CHECK]),
      target: new Set([TARGET]),
      result: new Set(RESULTS),
      phase: new Set(PHASES),
      reason: new Set([...REASON_NAMES, 'overlap']),
      degradation: new Set(Object.keys(DEGRADATIONS)),
      event: new Set([...EVENTS, 'agent_error']),
      code: new Set(CLOSE_CODE_LABELS),
      welcome: new Set(['system_message', 'connection_established', 'custom']),
      envelope: new Set(['payload', 'data', 'flat', 'system_message', 'mixed', 'none']),
      subprotocol: new Set(['jwt-auth', 'jwt', 'none', 'other']),
      handshake: new Set(['lifecycle', 'none']),
      type: new Set(['golden_path']),
      version: new Set([VERSION]),
      revision: new Set(['r1']),
      le: new Set([...DURATION_BUCKETS_SECONDS, ...PHASE_BUCKETS_SECONDS, ...SCHEDULE_LAG_BUCKETS_SECONDS].map(String).concat('+Inf')),
    };
    const samples = parseSamples(await plain(m));
    assert.ok(samples.length > 100);
    for (const sample of samples) {
      for (const [name, value] of Object.entries(sample.labels)) {
        assert.ok(allowed[name]?.has(value), `${sample.name}: label ${name}="${value}" is outside its closed set`);
      }
    }
    assert.equal(valueOf(await plain(m), 'canary_ws_close_total', { ...L, code: 'other' }), failures);
  });

  it('sets build info to the version and revision', async () => {
    const text = await plain(metrics());
    assert.deepEqual(samplesOf(text, 'canary_build_info'), [{ name: 'canary_build_info', labels: { version: VERSION, revision: 'r1' }, value: 1 }]);
  });

  it('includes the Node process metrics unless told not to', async () => {
    const withDefaults = await plain(createMetrics(oneCheckConfig(), { revision: 'r1' }));
    assert.match(withDefaults, /^# TYPE process_cpu_seconds_total counter$/m);
    assert.match(withDefaults, /^process_cpu_seconds_total \d/m);
    assert.match(withDefaults, /^nodejs_eventloop_lag_seconds /m);
    const without = await plain(metrics());
    assert.equal(parseSamples(without).filter((s) => !s.name.startsWith('canary_')).length, 0);
  });

  it('serves OpenMetrics with run_id exemplars to a scraper that asks for it, and plain text without', async () => {
    const m = metrics();
    const result = successResult({ runId: 'exemplar0run0001' });
    m.record(result);
    const om = await m.render('application/openmetrics-text; version=1.0.0').then((page) => ({ contentType: page.contentType, body: page.chunks.join('') }));
    assert.ok(om.contentType.startsWith('application/openmetrics-text'), om.contentType);
    assert.match(om.body, /^canary_check_duration_seconds_bucket\{le="1",check="golden_path",target="test"\} 1 # \{run_id="exemplar0run0001"\} 0\.75 \d+(\.\d+)?$/m);
    assert.match(om.body, /^canary_phase_duration_seconds_bucket\{[^}]*phase="welcome"[^}]*\} 1 # \{run_id="exemplar0run0001"\} 0\.01 /m);
    assert.match(om.body, /^canary_event_latency_seconds_bucket\{[^}]*event="agent_completed"[^}]*\} 1 # \{run_id="exemplar0run0001"\} 0\.5 /m);
    assert.match(om.body, /^# TYPE canary_check_runs counter$/m);
    assert.match(om.body, /^canary_check_runs_total\{check="golden_path",target="test",result="success"\} 1$/m);
    assert.ok(om.body.endsWith('# EOF\n'));

    const text = await m.render('text/plain;version=0.0.4').then((page) => ({ contentType: page.contentType, body: page.chunks.join('') }));
    assert.equal(text.contentType, 'text/plain; version=0.0.4; charset=utf-8');
    assert.equal(text.body.includes('# {'), false);
    assert.equal(text.body.includes('# EOF'), false);
    assert.match(text.body, /^# TYPE canary_check_runs_total counter$/m);
    assert.equal(familiesWithPrefix(text.body, 'canary_').length > 0, true);
    assert.equal(valueOf(text.body, 'canary_check_duration_seconds_bucket', { ...L, le: '1' }), 1);
  });

  it('never throws on a result with values prom-client would refuse', async () => {
    const m = metrics();
    m.record(successResult({ durationSeconds: Number.NaN, startedAt: 'not a date', runId: 'x'.repeat(300), phases: { upgrade: -1 } }));
    m.started(TARGET, CHECK, Number.POSITIVE_INFINITY);
    const text = await plain(m);
    assert.equal(valueOf(text, 'canary_check_runs_total', { ...L, result: 'success' }), 1);
    assert.equal(valueOf(text, 'canary_check_duration_seconds_count', L), 0);
    assert.equal(valueOf(text, 'canary_phase_duration_seconds_count', { ...L, phase: 'upgrade' }), 0);
    assert.equal(valueOf(text, 'canary_event_latency_seconds_count', { ...L, event: 'agent_completed' }), 1);
    assert.equal(valueOf(text, 'canary_last_run_timestamp_seconds', L), undefined);
    assert.equal(valueOf(text, 'canary_schedule_lag_seconds_count', L), 0);
  });

  it('serves every change from the next scrape in both formats: a run, a start, a skip, a reload, a reconfiguration and foreign metrics', async () => {
    const m = metrics();
    const foreign = new Gauge({ name: 'foreign_gauge', help: 'Registered by someone else.', registers: [m.registry] });
    const OM = 'application/openmetrics-text; version=1.0.0';
    const both = async (): Promise<readonly [string, string]> => [(await m.render(undefined)).chunks.join(''), (await m.render(OM)).chunks.join('')];
    const values = async (name: string, labels: Readonly<Record<string, string>>): Promise<readonly (number | undefined)[]> => {
      const [text, om] = await both();
      return [valueOf(text, name, labels), valueOf(om.replace(/ # \{[^}]*\} \S+ \S+$/gm, '').replace(/^# EOF$/m, ''), name, labels)];
    };
    foreign.set(1);
    assert.deepEqual(await values('canary_check_runs_total', { ...L, result: 'success' }), [0, 0]);
    m.record(successResult());
    assert.deepEqual(await values('canary_check_runs_total', { ...L, result: 'success' }), [1, 1]);
    m.started(TARGET, CHECK, 0.5);
    assert.deepEqual(await values('canary_schedule_lag_seconds_count', L), [1, 1]);
    m.skipped(TARGET, CHECK, 'overlap');
    assert.deepEqual(await values('canary_runs_skipped_total', { ...L, reason: 'overlap' }), [1, 1]);
    m.reloaded(false, 1_800_000_000);
    assert.deepEqual(await values('canary_config_last_reload_successful', {}), [0, 0]);
    assert.deepEqual(await values('canary_config_reloads_total', { result: 'failure' }), [1, 1]);
    foreign.set(7);
    assert.deepEqual(await values('foreign_gauge', {}), [7, 7]);
    await m.reconfigure(oneCheckConfig(goldenPathCheck({ name: 'renamed' })));
    assert.deepEqual(await values('canary_check_runs_total', { ...L, result: 'success' }), [undefined, undefined]);
    assert.deepEqual(await values('canary_check_runs_total', { check: 'renamed', target: TARGET, result: 'success' }), [0, 0]);
  });

  it('shows what each kind of run changes in the scrape after a cached one: failure, close code, missing events, degradation, certificate', async () => {
    const m = metrics();
    const scrape = async (): Promise<string> => plain(m);
    m.record(successResult());
    await scrape();
    m.record(close1011Result());
    const afterFailure = await scrape();
    assert.equal(valueOf(afterFailure, 'canary_check_failures_total', { ...L, phase: 'events', reason: 'close_1011' }), 1);
    assert.equal(valueOf(afterFailure, 'canary_ws_close_total', { ...L, code: '1011' }), 1);
    assert.equal(valueOf(afterFailure, 'canary_events_missing_total', { ...L, event: 'agent_completed' }), 1);
    assert.equal(valueOf(afterFailure, 'canary_check_up', L), 0);
    m.record(successResult({ result: 'degraded', degradations: ['slow'], tlsCertExpiresAt: '2026-03-01T12:00:00.000Z' }));
    const afterDegraded = await scrape();
    assert.equal(valueOf(afterDegraded, 'canary_check_degraded_total', { ...L, degradation: 'slow' }), 1);
    assert.equal(valueOf(afterDegraded, 'canary_tls_cert_expiry_timestamp_seconds', { target: TARGET }), Date.UTC(2026, 2, 1, 12) / 1000);
    assert.equal(valueOf(afterDegraded, 'canary_check_up', L), 1);
    assert.equal(valueOf(afterDegraded, 'canary_check_runs_total', { ...L, result: 'degraded' }), 1);
  });
});
