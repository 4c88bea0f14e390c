import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agentEventNames, parseServerFrame } from '../../src/protocol/frames.ts';
import { describeAgentTimeout, handshakeAcknowledgement } from '../../src/protocol/lifecycle.ts';

const WELCOME = [{ type: 'connection_established', event: null }] as const;
const EVENTS = agentEventNames(['agent_started', 'agent_completed']);
const parse = (frame: unknown) => parseServerFrame(JSON.stringify(frame), WELCOME, EVENTS);

test('handshake_response becomes a proposal with its thread, run, request and session token', () => {
  assert.deepEqual(
    parse({ type: 'handshake_response', thread_id: 'thread_1', run_id: 'run_1', request_id: 'req_1', session_token: 'sess', timestamp: 1, message: 'Handshake complete' }),
    { kind: 'handshake', proposal: { threadId: 'thread_1', runId: 'run_1', requestId: 'req_1', sessionToken: 'sess' } },
  );
  assert.deepEqual(parse({ type: 'handshake_response', payload: { thread_id: 'thread_2' } }), {
    kind: 'handshake',
    proposal: { threadId: 'thread_2', runId: null, requestId: null, sessionToken: null },
  });
});

test('a handshake_response without a thread id cannot be acknowledged: it is another frame', () => {
  assert.deepEqual(parse({ type: 'handshake_response', run_id: 'run_1' }), { kind: 'other', type: 'handshake_response' });
});

test('handshake_complete, and the acknowledgement echoing the proposed thread', () => {
  assert.deepEqual(parse({ type: 'handshake_complete' }), { kind: 'handshake_complete' });
  assert.equal(
    handshakeAcknowledgement({ threadId: 'thread_1', runId: null, requestId: null, sessionToken: null }, Date.UTC(2025, 9, 9, 19, 37, 19, 500)),
    '{"type":"handshake_acknowledged","thread_id":"thread_1","timestamp":"2025-10-09T19:37:19.500Z"}',
  );
});

test('agent timeout notices carry their seconds', () => {
  const warning = parse({ type: 'agent_timeout_warning', run_id: 'r', payload: { elapsed_seconds: 96, total_timeout_seconds: 120, remaining_seconds: 24 } });
  assert.deepEqual(warning, { kind: 'agent_timeout', notice: { final: false, elapsedSeconds: 96, limitSeconds: 120, error: null }, runId: 'r', threadId: null });
  const failure = parse({ type: 'agent_timeout_failure', data: { timeout_seconds: 120, final_status: 'TIMEOUT', error: 'Agent execution timed out after 120 seconds' } });
  assert.deepEqual(failure, {
    kind: 'agent_timeout',
    notice: { final: true, elapsedSeconds: 120, limitSeconds: 120, error: 'Agent execution timed out after 120 seconds' },
    runId: null,
    threadId: null,
  });
  assert.equal(failure.kind === 'agent_timeout' ? describeAgentTimeout(failure.notice) : '', '120 of 120 s');
});

test('events carry their agent name and the whole frame', () => {
  const frame = { type: 'agent_completed', run_id: 'run_1', agent_name: 'netra-assistant', payload: { status: 'done', result: { answer: 'hi' } } };
  const parsed = parse(frame);
  assert.equal(parsed.kind, 'event');
  if (parsed.kind !== 'event') return;
  assert.equal(parsed.agentName, 'netra-assistant');
  assert.equal(parsed.status, 'done');
  assert.deepEqual(parsed.body, frame);
});

test("the third generation's informational frames are other frames, never unknown", () => {
  for (const type of ['thread_created', 'agent_progress', 'thread_ready_for_chunks', 'chunk_response_immediate', 'agent_aggregation_complete']) {
    assert.deepEqual(parse({ type, payload: {} }), { kind: 'other', type });
  }
});
