import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startReferenceBackend, REFERENCE_SECRET, type ReferenceBackend } from '../../../src/reference/index.ts';
import type { AuthConfig, GoldenPathCheck } from '../../../src/config/types.ts';
import type { CheckResult } from '../../../src/result/types.ts';
import { FIVE_EVENTS, goldenPathCheck, jwtAuth, withFault } from '../../support/fixtures.ts';
import { freePort } from '../../support/net.ts';
import { outcome as runOutcome, runOnce } from '../../support/run.ts';
import { TEARDOWN_MS } from '../../../src/walk/teardown.ts';

/** The fields every fault test asserts exactly: a run's outcome and its missing event. */
function outcome(result: CheckResult): Record<string, unknown> {
  return { ...runOutcome(result), missingEvent: result.missingEvent };
}

const SHORT = { timeoutMs: 2500, handshakeTimeoutMs: 1000, welcomeTimeoutMs: 1000 };

interface FaultCase {
  readonly fault: string;
  readonly check?: Partial<GoldenPathCheck>;
  readonly expect: Record<string, unknown>;
  readonly closeReason?: string | null;
  /** The result's message, when the case is about its words. */
  readonly message?: string;
}

const started = ['agent_started'];
const two = ['agent_started', 'agent_thinking'];

const FAULT_CASES: readonly FaultCase[] = [
  {
    fault: 'close_1011_after=2',
    expect: { result: 'failure', phase: 'events', reason: 'close_1011', closeCode: 1011, httpStatus: null, missingEvent: null, events: two },
    closeReason: 'Internal error',
  },
  {
    fault: 'close_1011_handshake',
    expect: { result: 'failure', phase: 'welcome', reason: 'close_1011', closeCode: 1011, httpStatus: null, missingEvent: null, events: [] },
    closeReason: 'Factory SSOT validation failed',
  },
  {
    fault: 'drop_event=tool_executing',
    expect: {
      result: 'failure', phase: 'events', reason: 'event_missing', closeCode: null, httpStatus: null, missingEvent: 'tool_executing',
      events: ['agent_started', 'agent_thinking', 'tool_completed', 'agent_completed'],
    },
  },
  {
    fault: 'reorder',
    expect: {
      result: 'failure', phase: 'events', reason: 'event_order', closeCode: null, httpStatus: null, missingEvent: null,
      events: ['agent_started', 'tool_executing', 'agent_thinking', 'tool_completed', 'agent_completed'],
    },
  },
  {
    fault: 'agent_error',
    expect: { result: 'failure', phase: 'events', reason: 'agent_error', closeCode: null, httpStatus: null, missingEvent: null, events: [...two, 'agent_error'] },
  },
  {
    fault: 'completed_error',
    expect: { result: 'failure', phase: 'events', reason: 'agent_error', closeCode: null, httpStatus: null, missingEvent: null, events: [...FIVE_EVENTS] },
  },
  {
    fault: 'error_frame',
    expect: { result: 'failure', phase: 'events', reason: 'server_error', closeCode: null, httpStatus: null, missingEvent: null, events: [] },
  },
  {
    fault: 'error_frame_1011',
    expect: { result: 'failure', phase: 'events', reason: 'close_1011', closeCode: 1011, httpStatus: null, missingEvent: null, events: [] },
  },
  {
    fault: 'close_1000_early',
    expect: { result: 'failure', phase: 'events', reason: 'close_unexpected', closeCode: 1000, httpStatus: null, missingEvent: null, events: started },
  },
  {
    fault: 'drop_socket_after=1',
    expect: { result: 'failure', phase: 'events', reason: 'close_abnormal', closeCode: 1006, httpStatus: null, missingEvent: null, events: started },
    message:
      'the connection dropped without a close frame (1006) in phase events: an exception in the handler after accept (uvicorn drops the socket), an instance killed, a server restart (Cloud Run scale-in, a new revision), or the network in between (a proxy or load balancer timing out)',
  },
  {
    fault: 'drop_socket_handshake',
    expect: { result: 'failure', phase: 'welcome', reason: 'close_abnormal', closeCode: 1006, httpStatus: null, missingEvent: null, events: [] },
  },
  {
    fault: 'auth_frame',
    expect: { result: 'failure', phase: 'welcome', reason: 'auth_rejected', closeCode: 1008, httpStatus: null, missingEvent: null, events: [] },
  },
  {
    fault: 'auth_http=401',
    expect: { result: 'failure', phase: 'upgrade', reason: 'auth_rejected', closeCode: null, httpStatus: 401, missingEvent: null, events: [] },
  },
  {
    fault: 'auth_http=403',
    expect: { result: 'failure', phase: 'upgrade', reason: 'auth_rejected', closeCode: null, httpStatus: 403, missingEvent: null, events: [] },
  },
  {
    fault: 'upgrade_status=503',
    expect: { result: 'failure', phase: 'upgrade', reason: 'upgrade_rejected', closeCode: null, httpStatus: 503, missingEvent: null, events: [] },
  },
  {
    fault: 'upgrade_hang',
    check: SHORT,
    expect: { result: 'failure', phase: 'upgrade', reason: 'handshake_timeout', closeCode: null, httpStatus: null, missingEvent: null, events: [] },
  },
  {
    fault: 'no_welcome',
    check: SHORT,
    expect: { result: 'failure', phase: 'welcome', reason: 'welcome_timeout', closeCode: null, httpStatus: null, missingEvent: null, events: [] },
    message: 'no welcome within welcome_timeout (1s) in phase welcome',
  },
  {
    fault: 'bad_welcome',
    expect: { result: 'failure', phase: 'welcome', reason: 'welcome_invalid', closeCode: null, httpStatus: null, missingEvent: null, events: [] },
  },
  {
    fault: 'wrong_welcome',
    expect: { result: 'failure', phase: 'welcome', reason: 'welcome_invalid', closeCode: null, httpStatus: null, missingEvent: null, events: [] },
  },
  {
    fault: 'stall_after=2',
    check: SHORT,
    expect: { result: 'failure', phase: 'events', reason: 'event_missing', closeCode: null, httpStatus: null, missingEvent: 'tool_executing', events: two },
  },
  {
    fault: 'giant_frame',
    check: { maxPayloadBytes: 64 * 1024 },
    expect: { result: 'failure', phase: 'events', reason: 'frame_too_large', closeCode: null, httpStatus: null, missingEvent: null, events: started },
  },
  {
    fault: 'delay_ms=40',
    check: { slowAfterMs: 100 },
    expect: { result: 'degraded', phase: null, reason: null, closeCode: null, httpStatus: null, missingEvent: null, events: [...FIVE_EVENTS] },
  },
  {
    fault: 'unknown_shape',
    expect: { result: 'degraded', phase: null, reason: null, closeCode: null, httpStatus: null, missingEvent: null, events: [...FIVE_EVENTS] },
  },
  {
    fault: 'pong_required',
    expect: { result: 'success', phase: null, reason: null, closeCode: null, httpStatus: null, missingEvent: null, events: [...FIVE_EVENTS] },
  },
];

const SUCCESS = { result: 'success', phase: null, reason: null, closeCode: null, httpStatus: null, missingEvent: null, events: [...FIVE_EVENTS] };

describe('golden path against the reference backend', { concurrency: true }, () => {
  let backend: ReferenceBackend;
  before(async () => {
    backend = await startReferenceBackend();
  });
  after(() => backend.close());

  it('succeeds with the five events in order and every phase timed', async () => {
    const result = await runOnce(backend.url);
    assert.deepEqual(outcome(result), SUCCESS);
    assert.deepEqual(Object.keys(result.phases), ['token', 'dns', 'tcp', 'upgrade', 'welcome', 'events']);
    assert.deepEqual(result.protocol, { welcome: 'system_message', envelope: 'payload', subprotocol: 'jwt-auth' });
    assert.deepEqual(result.degradations, []);
    const latencies = result.events.map((e) => e.seconds);
    assert.deepEqual([...latencies].sort((a, b) => a - b), latencies, 'event latencies grow from the message send');
    assert.ok(Object.isFrozen(result) && Object.isFrozen(result.events) && Object.isFrozen(result.transcript.entries));
  });

  for (const { fault, check, expect, closeReason, message } of FAULT_CASES) {
    it(`classifies fault ${fault} as ${String(expect['result'])} ${String(expect['reason'] ?? '')}`, async () => {
      const result = await runOnce(withFault(backend.url, fault), goldenPathCheck(check));
      assert.deepEqual(outcome(result), expect);
      if (closeReason !== undefined) assert.equal(result.closeReason, closeReason);
      if (message !== undefined) assert.equal(result.message, message);
    });
  }

  it('reports degraded slow with the slow degradation only', async () => {
    const result = await runOnce(withFault(backend.url, 'delay_ms=40'), goldenPathCheck({ slowAfterMs: 100 }));
    assert.deepEqual(result.degradations, ['slow']);
  });

  it('reports an unknown frame shape as the unknown_frame degradation', async () => {
    const result = await runOnce(withFault(backend.url, 'unknown_shape'));
    assert.deepEqual(result.degradations, ['unknown_frame']);
  });

  const variants: readonly [string, Record<string, string>][] = [
    ['welcome=new', { welcome: 'connection_established', envelope: 'payload', subprotocol: 'jwt-auth' }],
    ['envelope=data', { welcome: 'system_message', envelope: 'data', subprotocol: 'jwt-auth' }],
    ['envelope=flat', { welcome: 'system_message', envelope: 'flat', subprotocol: 'jwt-auth' }],
    ['envelope=system_message', { welcome: 'system_message', envelope: 'system_message', subprotocol: 'jwt-auth' }],
    ['subprotocol=new', { welcome: 'system_message', envelope: 'payload', subprotocol: 'jwt' }],
    ['welcome=new,envelope=data,subprotocol=new', { welcome: 'connection_established', envelope: 'data', subprotocol: 'jwt' }],
    ['extra_frames', { welcome: 'system_message', envelope: 'payload', subprotocol: 'jwt-auth' }],
    ['repeat', { welcome: 'system_message', envelope: 'payload', subprotocol: 'jwt-auth' }],
  ];
  for (const [fault, protocol] of variants) {
    it(`accepts protocol variant ${fault} and records it`, async () => {
      const result = await runOnce(withFault(backend.url, fault));
      assert.equal(result.result, 'success', result.message ?? '');
      assert.deepEqual(result.protocol, protocol);
      assert.deepEqual([...new Set(result.events.map((e) => e.name))], [...FIVE_EVENTS]);
    });
  }

  it('counts repeated thinking and tool events in order', async () => {
    const result = await runOnce(withFault(backend.url, 'repeat'));
    assert.equal(result.result, 'success');
    assert.ok(result.events.filter((e) => e.name === 'agent_thinking').length >= 2);
    assert.ok(result.events.filter((e) => e.name === 'tool_executing').length >= 2);
  });

  it('fails auth_rejected when the token is signed with another key', async () => {
    const result = await runOnce(backend.url, goldenPathCheck(), jwtAuth('not-the-backend-secret'));
    assert.deepEqual(outcome(result), { ...SUCCESS, result: 'failure', phase: 'welcome', reason: 'auth_rejected', closeCode: 1008, events: [] });
  });

  it('keeps the upgrade budget and the run deadline', async () => {
    const check = goldenPathCheck({ timeoutMs: 400, handshakeTimeoutMs: 10_000, welcomeTimeoutMs: 10_000 });
    const result = await runOnce(withFault(backend.url, 'upgrade_hang'), check);
    assert.deepEqual([result.result, result.phase, result.reason], ['failure', 'upgrade', 'handshake_timeout']);
    assert.ok(result.durationSeconds < 0.4 + TEARDOWN_MS / 1000, `took ${result.durationSeconds}s`);
  });

  it('fails tcp_connect when nothing listens on the port', async () => {
    const port = await freePort();
    const result = await runOnce(`ws://127.0.0.1:${port}/ws`);
    assert.deepEqual(outcome(result), { ...SUCCESS, result: 'failure', phase: 'tcp', reason: 'tcp_connect', events: [] });
  });

  it('fails dns when the host does not resolve', async () => {
    const result = await runOnce('ws://canary-no-such-host.invalid/ws', goldenPathCheck(SHORT));
    assert.deepEqual(outcome(result), { ...SUCCESS, result: 'failure', phase: 'dns', reason: 'dns', events: [] });
  });

  it('fails tls when a wss URL reaches a server that does not speak TLS', async () => {
    const result = await runOnce(backend.url.replace('ws://', 'wss://'));
    assert.deepEqual(outcome(result), { ...SUCCESS, result: 'failure', phase: 'tls', reason: 'tls', events: [] });
  });

  it('fails token_error when the bearer variable is unset', async () => {
    const auth: AuthConfig = { type: 'bearer', tokenEnv: 'CANARY_TEST_UNSET_TOKEN_VARIABLE', sendAs: ['header'] };
    const result = await runOnce(backend.url, goldenPathCheck(), auth);
    assert.deepEqual(outcome(result), { ...SUCCESS, result: 'failure', phase: 'token', reason: 'token_error', events: [] });
  });

  it('is cancelled by the outside signal and says so', async () => {
    const controller = new AbortController();
    const check = goldenPathCheck();
    const auth = jwtAuth(REFERENCE_SECRET);
    const pending = runOnce(withFault(backend.url, 'stall_after=1'), check, auth, { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const result = await pending;
    assert.deepEqual([result.result, result.reason], ['failure', 'cancelled']);
  });

  it('never puts the token or the signing secret in the transcript', async () => {
    const result = await runOnce(withFault(backend.url, 'close_1011_after=1,subprotocol=new'));
    const text = JSON.stringify(result);
    assert.equal(text.includes(REFERENCE_SECRET), false);
    assert.equal(/eyJ[A-Za-z0-9_-]+\.eyJ/.test(text), false);
    const upgrade = result.transcript.entries.find((e) => e.kind === 'upgrade' && e.dir === 'out');
    assert.equal(upgrade?.text, 'GET /ws (auth: header+subprotocol)');
  });

  it('records a bounded transcript with direction, time, type and size', async () => {
    const result = await runOnce(backend.url);
    const types = result.transcript.entries.filter((e) => e.kind === 'text').map((e) => `${e.dir}:${e.type ?? ''}`);
    assert.deepEqual(types, [
      'in:ping', 'out:pong', 'in:system_message', 'out:user_message',
      ...FIVE_EVENTS.map((name) => `in:${name}`),
    ]);
    for (const entry of result.transcript.entries) assert.ok(entry.size >= 0 && entry.tMs >= 0);
  });
});
