/**
 * The golden path against the third wire generation (protocol.md, "Third generation"): the
 * lifecycle handshake, sub-agents, agent timeouts, the answer check and the token forms, one row
 * per reference-backend fault, each asserting the exact outcome against the real backend.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startReferenceBackend, REFERENCE_SECRET, type ReferenceBackend } from '../../../src/reference/index.ts';
import type { AnswerExpectation, GoldenPathCheck, MessageBurstCheck, UserIsolationCheck } from '../../../src/config/types.ts';
import type { CheckResult } from '../../../src/result/types.ts';
import { FIVE_EVENTS, goldenPathCheck, jwtAuth, withFault } from '../../support/fixtures.ts';
import { outcome as runOutcome, runOnce } from '../../support/run.ts';

function outcome(result: CheckResult): Record<string, unknown> {
  return { ...runOutcome(result), missingEvent: result.missingEvent, handshake: result.protocol.handshake ?? 'none', degradations: result.degradations };
}

/** The events of a default third-generation run: the orchestrator, three sub-agents started and completed, then the rest. */
const THIRD_EVENTS = [
  'agent_started', 'agent_thinking',
  'agent_started', 'agent_completed', 'agent_started', 'agent_completed', 'agent_started', 'agent_completed',
  'tool_executing', 'tool_completed', 'agent_completed',
];
const OK = { result: 'success', phase: null, reason: null, closeCode: null, httpStatus: null, missingEvent: null, degradations: [] };
const ANSWER: AnswerExpectation = { field: 'result.answer', notEmpty: true, contains: 'Reference answer to', matches: null, ignoreCase: false };

interface Row {
  readonly name: string;
  readonly fault: string;
  readonly check?: Partial<GoldenPathCheck>;
  readonly expect: Record<string, unknown>;
}

const ROWS: readonly Row[] = [
  { name: 'an earlier generation, handshake auto', fault: '', expect: { ...OK, handshake: 'none', events: [...FIVE_EVENTS] } },
  { name: 'the lifecycle handshake', fault: 'lifecycle', expect: { ...OK, handshake: 'lifecycle', events: THIRD_EVENTS } },
  { name: 'handshake_response before the welcome', fault: 'handshake_first', expect: { ...OK, handshake: 'lifecycle', events: THIRD_EVENTS } },
  {
    name: 'a third-generation server that sends no handshake (read at once), auto',
    fault: 'handshake_missing',
    expect: { ...OK, handshake: 'none', events: THIRD_EVENTS },
  },
  {
    name: 'no handshake, and the check requires one',
    fault: 'handshake_missing',
    check: { handshake: 'require' },
    expect: { ...OK, result: 'failure', phase: 'handshake', reason: 'handshake_incomplete', handshake: 'none', events: [] },
  },
  {
    name: 'a handshake that never completes is the connection, not the agent',
    fault: 'handshake_incomplete',
    check: { welcomeTimeoutMs: 400 },
    expect: { ...OK, result: 'failure', phase: 'handshake', reason: 'handshake_incomplete', handshake: 'none', events: [] },
  },
  {
    name: 'handshake off against a third-generation server: its proposal says the message was lost',
    fault: 'lifecycle',
    check: { handshake: 'off', timeoutMs: 1500 },
    expect: { ...OK, result: 'failure', phase: 'handshake', reason: 'handshake_incomplete', handshake: 'none', events: [] },
  },
  {
    name: 'a processing phase later than processing_wait: the message is lost',
    fault: 'lifecycle,processing_delay_ms=600',
    check: { processingWaitMs: 50, timeoutMs: 1500 },
    expect: { ...OK, result: 'failure', phase: 'events', reason: 'event_missing', missingEvent: 'agent_started', handshake: 'lifecycle', events: [] },
  },
  {
    name: 'processing_wait long enough for a slow processing phase',
    fault: 'lifecycle,processing_delay_ms=300',
    check: { processingWaitMs: 400 },
    expect: { ...OK, handshake: 'lifecycle', events: THIRD_EVENTS },
  },
  {
    name: 'no sub-agents',
    fault: 'lifecycle,sub_agents=0',
    expect: { ...OK, handshake: 'lifecycle', events: [...FIVE_EVENTS] },
  },
  {
    name: 'no tool events, and the check requires them',
    fault: 'lifecycle,sub_agents=0,no_tools',
    expect: {
      ...OK, result: 'failure', phase: 'events', reason: 'event_missing', missingEvent: 'tool_executing', handshake: 'lifecycle',
      events: ['agent_started', 'agent_thinking', 'agent_completed'],
    },
  },
  {
    name: 'no tool events, and the check does not require them',
    fault: 'lifecycle,sub_agents=0,no_tools',
    check: { expectedEvents: ['agent_started', 'agent_thinking', 'agent_completed'] },
    expect: { ...OK, handshake: 'lifecycle', events: ['agent_started', 'agent_thinking', 'agent_completed'] },
  },
  {
    name: 'chunking events are neither unknown nor missing',
    fault: 'lifecycle,sub_agents=0,chunking',
    expect: { ...OK, handshake: 'lifecycle', events: [...FIVE_EVENTS] },
  },
  {
    name: 'an agent timeout warning degrades the run',
    fault: 'lifecycle,sub_agents=0,timeout_warning',
    expect: {
      ...OK, result: 'degraded', handshake: 'lifecycle', degradations: ['agent_timeout_warning'],
      events: ['agent_started', 'agent_thinking', 'tool_executing', 'tool_completed', 'agent_timeout_warning', 'agent_completed'],
    },
  },
  {
    name: 'an agent timeout failure fails the run as agent_timeout',
    fault: 'lifecycle,sub_agents=0,timeout_failure',
    expect: {
      ...OK, result: 'failure', phase: 'events', reason: 'agent_timeout', handshake: 'lifecycle',
      events: ['agent_started', 'agent_thinking', 'tool_executing', 'tool_completed', 'agent_timeout_failure'],
    },
  },
  {
    name: 'a close 1011 after the handshake keeps its own reason',
    fault: 'lifecycle,sub_agents=0,close_1011_after=2',
    // thread_created is the run's first event on the wire, not an agent event the check expects
    expect: { ...OK, result: 'failure', phase: 'events', reason: 'close_1011', closeCode: 1011, handshake: 'lifecycle', events: ['agent_started'] },
  },
  {
    name: 'the answer as expected',
    fault: 'lifecycle',
    check: { expectAnswer: ANSWER } as Partial<GoldenPathCheck>,
    expect: { ...OK, handshake: 'lifecycle', events: THIRD_EVENTS },
  },
  {
    name: 'the answer is not what is expected',
    fault: 'lifecycle',
    check: { expectAnswer: { ...ANSWER, contains: 'GPU spend is $42' } } as Partial<GoldenPathCheck>,
    expect: { ...OK, result: 'failure', phase: 'events', reason: 'answer_mismatch', handshake: 'lifecycle', events: THIRD_EVENTS },
  },
  {
    name: 'the answer of an earlier generation, checked the same way',
    fault: '',
    check: { expectAnswer: { ...ANSWER, field: 'result', contains: null, matches: '\\S' } } as Partial<GoldenPathCheck>,
    expect: { ...OK, handshake: 'none', events: [...FIVE_EVENTS] },
  },
];

describe('the golden path against the third generation', { concurrency: true }, () => {
  let backend: ReferenceBackend;
  before(async () => {
    backend = await startReferenceBackend();
  });
  after(() => backend.close());

  for (const row of ROWS) {
    it(`${row.name} (${row.fault === '' ? 'no fault' : row.fault})`, async () => {
      const url = row.fault === '' ? backend.url : withFault(backend.url, row.fault);
      const result = await runOnce(url, goldenPathCheck(row.check), jwtAuth(REFERENCE_SECRET));
      assert.deepEqual(outcome(result), row.expect, result.message ?? '');
    });
  }

  it('acknowledges the proposed thread and sends the message with the server ids, timing the handshake apart', async (t) => {
    const own = await startReferenceBackend({ faults: 'lifecycle' });
    t.after(() => own.close());
    const result = await runOnce(own.url, goldenPathCheck(), jwtAuth(REFERENCE_SECRET));
    const [record] = own.connections();
    assert.ok(record?.handshake, 'a connection with a handshake');
    assert.equal(record.handshake.completed, true);
    const { handshake } = record;
    assert.equal(handshake.acknowledgedThreadId, handshake.threadId);
    assert.deepEqual(record.chatMessages.map((m) => [m.threadId, m.runId, m.outcome]), [[handshake.threadId, handshake.runId, 'run']]);
    assert.deepEqual(Object.keys(result.phases), ['token', 'dns', 'tcp', 'upgrade', 'welcome', 'handshake', 'events']);
    assert.ok((result.phases.handshake ?? 0) >= 0.1, 'the processing wait (100 ms in the fixture) is in the handshake phase');
    assert.ok((result.events[0]?.seconds ?? 1) < 0.1, 'event latencies start at the message, after the handshake');
  });

  it('never writes the session token anywhere: the result and its transcript', async () => {
    const result = await runOnce(withFault(backend.url, 'lifecycle,sub_agents=0'), goldenPathCheck(), jwtAuth(REFERENCE_SECRET));
    const tokens = backend.connections().flatMap((c) => (c.handshake === null ? [] : [c.handshake.sessionToken]));
    assert.ok(tokens.length > 0);
    const json = JSON.stringify(result);
    assert.match(json, /handshake_response/);
    for (const token of tokens) assert.equal(json.includes(token), false, 'session token in the result');
  });

  it('a mismatched answer says what came back, in a short excerpt', async () => {
    const check = goldenPathCheck({ expectAnswer: { ...ANSWER, contains: 'GPU spend is $42' } } as Partial<GoldenPathCheck>);
    const result = await runOnce(withFault(backend.url, 'lifecycle,sub_agents=0'), check, jwtAuth(REFERENCE_SECRET));
    assert.equal(result.reason, 'answer_mismatch');
    assert.equal(result.message, 'the answer in result.answer does not contain "GPU spend is $42": "Reference answer to: What is my GPU spend?"');
  });

  it('an agent timeout says the elapsed and limit seconds', async () => {
    const result = await runOnce(withFault(backend.url, 'lifecycle,sub_agents=0,timeout_failure'), goldenPathCheck(), jwtAuth(REFERENCE_SECRET));
    assert.equal(result.reason, 'agent_timeout');
    assert.match(result.message ?? '', /^the agent timed out after \d+(\.\d+)? of \d+(\.\d+)? s/);
  });

  it('message_burst and user_isolation against the third generation: each connection on its own server-assigned thread', async () => {
    const url = withFault(backend.url, 'lifecycle');
    const burst: MessageBurstCheck = { ...goldenPathCheck({ name: 'burst' }), type: 'message_burst', messages: 3 };
    const isolation: UserIsolationCheck = { ...goldenPathCheck({ name: 'isolation' }), type: 'user_isolation', subjects: ['iso-a', 'iso-b'] };
    const results = await Promise.all([runOnce(url, burst, jwtAuth(REFERENCE_SECRET)), runOnce(url, isolation, jwtAuth(REFERENCE_SECRET))]);
    assert.deepEqual(results.map((r) => [r.type, r.result, r.reason, r.protocol.handshake]), [
      ['message_burst', 'success', null, 'lifecycle'],
      ['user_isolation', 'success', null, 'lifecycle'],
    ]);
  });
});

describe("the third generation's token forms", { concurrency: true }, () => {
  let backend: ReferenceBackend;
  before(async () => {
    backend = await startReferenceBackend({ faults: 'lifecycle,sub_agents=0' });
  });
  after(() => backend.close());

  const FORMS = [
    { name: 'query string with the environment', auth: { sendAs: ['query'], environment: 'staging' }, source: 'query', offered: 0 },
    { name: 'Authorization with X-Environment', auth: { sendAs: ['header'], environment: 'staging' }, source: 'header', offered: 0 },
    { name: 'jwt.<env>.<token> subprotocol', auth: { sendAs: ['subprotocol'], environment: 'staging', subprotocolForm: 'jwt' }, source: 'subprotocol', offered: 1 },
    { name: 'staging-auth.<token> subprotocol', auth: { sendAs: ['subprotocol'], subprotocolForm: 'staging-auth' }, source: 'subprotocol', offered: 1 },
  ] as const;

  for (const form of FORMS) {
    it(`${form.name}: accepted, and the token written nowhere`, async () => {
      const before = backend.connections().length;
      const result = await runOnce(backend.url, goldenPathCheck(), jwtAuth(REFERENCE_SECRET, form.auth));
      assert.deepEqual([result.result, result.reason, result.protocol.handshake], ['success', null, 'lifecycle'], result.message ?? '');
      const record = backend.connections().slice(before).find((c) => c.authOk === true && c.tokenSource === form.source);
      assert.ok(record, `a connection authenticated by its ${form.source}`);
      assert.equal(record.environment, 'staging');
      assert.equal(record.offeredSubprotocols.length, form.offered);
      const json = JSON.stringify(result);
      assert.doesNotMatch(json, /eyJ[\w-]+\.eyJ/, 'no token in the result or its transcript');
      assert.doesNotMatch(json, /token=/, 'no URL with its token');
    });
  }
});
