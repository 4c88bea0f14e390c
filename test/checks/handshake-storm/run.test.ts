import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { HandshakeStormCheck } from '../../../src/config/types.ts';
import type { CheckResult } from '../../../src/result/types.ts';
import { startBackend } from '../../support/backend.ts';
import { goldenPathCheck, target, withFault } from '../../support/fixtures.ts';
import { runOnce } from '../../support/run.ts';
import { TEARDOWN_MS } from '../../../src/walk/teardown.ts';
import { checkResult, failedResult } from '../../support/results.ts';
import { stormOffsetMs } from '../../../src/checks/handshake-storm/run.ts';
import { stormResult } from '../../../src/checks/handshake-storm/verdict.ts';

function stormCheck(overrides: Partial<HandshakeStormCheck> = {}): HandshakeStormCheck {
  return { ...goldenPathCheck({ name: 'storm' }), type: 'handshake_storm', connections: 5, windowMs: 200, ...overrides };
}

function storm(url: string, check: HandshakeStormCheck = stormCheck(), runId = 'storm1'): Promise<CheckResult> {
  return runOnce(url, check, undefined, { runId });
}

/** The fields every storm test asserts exactly. */
function verdict(result: CheckResult): Record<string, unknown> {
  return {
    check: result.check,
    type: result.type,
    runId: result.runId,
    result: result.result,
    phase: result.phase,
    reason: result.reason,
    message: result.message,
    closeCode: result.closeCode,
    closeReason: result.closeReason,
    httpStatus: result.httpStatus,
    events: result.events,
    details: result.details,
  };
}

const BASE = { check: 'storm', type: 'handshake_storm', runId: 'storm1', events: [] };

describe('handshake_storm against the reference backend', { concurrency: true }, () => {
  it('succeeds when all 5 connections reach the welcome, each with its own token', async (t) => {
    const backend = await startBackend(t);
    const result = await storm(backend.url);
    assert.deepEqual(verdict(result), {
      ...BASE,
      result: 'success',
      phase: null,
      reason: null,
      message: null,
      closeCode: null,
      closeReason: null,
      httpStatus: null,
      details: { connections: 5, welcomed: 5, failed: 0 },
    });
    assert.deepEqual(Object.keys(result.phases), ['token', 'dns', 'tcp', 'upgrade', 'welcome']);
    assert.deepEqual(result.protocol, { welcome: 'system_message', envelope: 'none', subprotocol: 'jwt-auth' });
    assert.ok(result.durationSeconds >= 0.2, `the storm spans its 200 ms window, took ${result.durationSeconds} s`);
    const records = backend.connections();
    assert.equal(records.length, 5);
    assert.deepEqual(records.map((r) => r.authOk), [true, true, true, true, true]);
    assert.equal(new Set(records.map((r) => r.claims?.['jti'])).size, 5, 'a fresh token per connection');
    assert.deepEqual(records.map((r) => r.messagesReceived.filter((type) => type !== 'pong')), [[], [], [], [], []], 'no chat message sent');
  });

  it('storm_1011=2 fails the 3 connections beyond the burst limit with close_1011 in phase welcome', async (t) => {
    const backend = await startBackend(t, { faults: 'storm_1011=2' });
    const result = await storm(backend.url);
    assert.deepEqual(verdict(result), {
      ...BASE,
      result: 'failure',
      phase: 'welcome',
      reason: 'close_1011',
      message: '3 of 5 connections failed: close_1011 (3)',
      closeCode: 1011,
      closeReason: 'Factory SSOT validation failed',
      httpStatus: null,
      details: { connections: 5, welcomed: 2, failed: 3, failed_close_1011: 3 },
    });
    assert.deepEqual(result.protocol, { welcome: 'system_message', envelope: 'none', subprotocol: 'jwt-auth' });
    assert.equal(result.transcript.entries.at(-1)?.text, '1011 Factory SSOT validation failed');
  });

  it('auth_http=401 on every connection fails with auth_rejected, HTTP 401 and none welcomed', async (t) => {
    const backend = await startBackend(t);
    const result = await storm(withFault(backend.url, 'auth_http=401'));
    assert.deepEqual(verdict(result), {
      ...BASE,
      result: 'failure',
      phase: 'upgrade',
      reason: 'auth_rejected',
      message: '5 of 5 connections failed: auth_rejected (5)',
      closeCode: null,
      closeReason: null,
      httpStatus: 401,
      details: { connections: 5, welcomed: 0, failed: 5, failed_auth_rejected: 5 },
    });
    assert.deepEqual(result.protocol, { welcome: 'none', envelope: 'none', subprotocol: 'none' });
  });

  it('ends within its timeout plus teardown when no connection gets a welcome', async (t) => {
    const backend = await startBackend(t);
    const check = stormCheck({ timeoutMs: 600, welcomeTimeoutMs: 600, handshakeTimeoutMs: 600 });
    const startedAt = performance.now();
    const result = await storm(withFault(backend.url, 'no_welcome'), check);
    const elapsedMs = performance.now() - startedAt;
    assert.deepEqual(verdict(result), {
      ...BASE,
      result: 'failure',
      phase: 'welcome',
      reason: 'welcome_timeout',
      message: '5 of 5 connections failed: welcome_timeout (5)',
      closeCode: null,
      closeReason: null,
      httpStatus: null,
      details: { connections: 5, welcomed: 0, failed: 5, failed_welcome_timeout: 5 },
    });
    assert.ok(elapsedMs < 600 + TEARDOWN_MS, `took ${elapsedMs} ms`);
    assert.ok(result.durationSeconds >= 0.6, `every connection waited out the storm's deadline, took ${result.durationSeconds} s`);
  });
});

describe('the storm verdict', () => {
  const welcomed = (i: number): CheckResult => checkResult({ runId: `s-${i}`, events: [], phases: { token: 0.001 * (i + 1), welcome: 0.01 } });
  const dropped = (i: number): CheckResult =>
    failedResult({ runId: `s-${i}`, phase: 'welcome', reason: 'close_abnormal', closeCode: 1006, closeReason: null, events: [], phases: { token: 0.02 } });
  const closed1011 = (i: number): CheckResult =>
    failedResult({ runId: `s-${i}`, phase: 'welcome', reason: 'close_1011', closeReason: 'Factory SSOT validation failed', events: [], phases: { token: 0.003 } });
  const timing = { startedAtMs: Date.parse('2025-01-02T03:04:05.000Z'), durationSeconds: 0.25 };

  it('reports the 1011 before a dropped socket, counts each reason and takes the slowest time per phase', () => {
    const result = stormResult(target('ws://127.0.0.1:1/ws', { type: 'none' }), stormCheck(), 'storm1', [welcomed(0), dropped(1), closed1011(2), dropped(3), closed1011(4)], timing);
    assert.deepEqual(verdict(result), {
      ...BASE,
      result: 'failure',
      phase: 'welcome',
      reason: 'close_1011',
      message: '4 of 5 connections failed: close_1011 (2), close_abnormal (2)',
      closeCode: 1011,
      closeReason: 'Factory SSOT validation failed',
      httpStatus: null,
      details: { connections: 5, welcomed: 1, failed: 4, failed_close_1011: 2, failed_close_abnormal: 2 },
    });
    assert.deepEqual(result.phases, { token: 0.02, welcome: 0.01 });
    assert.equal(result.durationSeconds, 0.25);
    assert.equal(result.startedAt, '2025-01-02T03:04:05.000Z');
    assert.deepEqual(result.protocol, welcomed(0).protocol);
  });

  it('reports a dropped socket before other failures, and the first such connection', () => {
    const timeout = failedResult({ runId: 's-0', phase: 'welcome', reason: 'welcome_timeout', closeCode: null, closeReason: null, events: [] });
    const result = stormResult(target('ws://127.0.0.1:1/ws', { type: 'none' }), stormCheck(), 'storm1', [timeout, dropped(1), dropped(2)], timing);
    assert.equal(result.reason, 'close_abnormal');
    assert.equal(result.message, '3 of 3 connections failed: close_abnormal (2), welcome_timeout (1)');
    assert.deepEqual(result.transcript, dropped(1).transcript);
  });
});

describe('stormOffsetMs', () => {
  it('spreads K connections evenly over the window, the first at once and the last at its end', () => {
    assert.deepEqual([0, 1, 2, 3, 4].map((i) => stormOffsetMs(i, 5, 200)), [0, 50, 100, 150, 200]);
    assert.deepEqual([0, 1].map((i) => stormOffsetMs(i, 2, 200)), [0, 200]);
  });
});
