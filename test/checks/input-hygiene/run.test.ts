import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { InputHygieneCheck } from '../../../src/config/types.ts';
import type { CheckResult } from '../../../src/result/types.ts';
import { startBackend } from '../../support/backend.ts';
import { FIVE_EVENTS, goldenPathCheck, withFault } from '../../support/fixtures.ts';
import { runOnce } from '../../support/run.ts';
import { malformedJson, oversizedMessage } from '../../../src/checks/input-hygiene/run.ts';

function hygieneCheck(overrides: Partial<InputHygieneCheck> = {}): InputHygieneCheck {
  return {
    ...goldenPathCheck({ name: 'hygiene' }),
    type: 'input_hygiene',
    accept: ['error_frame', 'silent_drop', 'close_1009'],
    answerWindowMs: 300,
    ...overrides,
  };
}

function hygiene(url: string, check: InputHygieneCheck = hygieneCheck()): Promise<CheckResult> {
  return runOnce(url, check, undefined, { runId: 'hyg1' });
}

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
    events: result.events.map((e) => e.name),
    details: result.details,
  };
}

const BASE = { check: 'hygiene', type: 'input_hygiene', runId: 'hyg1' };
const SUCCESS = { ...BASE, result: 'success', phase: null, reason: null, message: null, closeCode: null, closeReason: null, events: [...FIVE_EVENTS] };

describe('input_hygiene bad inputs', () => {
  it('malformed JSON does not parse; the oversized message is valid JSON of exactly max + 1 bytes', () => {
    const check = hygieneCheck();
    assert.throws(() => JSON.parse(malformedJson(check)) as unknown);
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const text = oversizedMessage(check, 8192, 'canary_x', traceId);
    assert.equal(Buffer.byteLength(text, 'utf8'), 8193);
    const parsed = JSON.parse(text) as { type: string; payload: { trace_id: string; thread_id: string } };
    assert.equal(parsed.type, 'user_message');
    assert.equal(parsed.payload.trace_id, traceId);
    assert.equal(parsed.payload.thread_id, 'canary_x');
  });
});

describe('input_hygiene against the reference backend', { concurrency: true }, () => {
  it('default backend: FORMAT_ERROR for malformed JSON, silent drop of the oversized message, then the golden path on the same connection', async (t) => {
    const backend = await startBackend(t);
    const result = await hygiene(backend.url);
    assert.deepEqual(verdict(result), {
      ...SUCCESS,
      details: { malformed_json: 'error_frame', oversized: 'silent_drop', max_message_size: 8192, reconnected: false },
    });
    assert.equal(backend.connections().length, 1);
    const out = result.transcript.entries.filter((e) => e.dir === 'out' && e.kind === 'text').map((e) => e.type);
    assert.deepEqual(out, ['pong', 'malformed_json', 'oversized', 'user_message']);
    // the oversized message carries the run's trace id ahead of its filler, so the transcript shows it
    const oversized = result.transcript.entries.find((e) => e.dir === 'out' && e.type === 'oversized');
    assert.match(result.traceId ?? '', /^[0-9a-f]{32}$/);
    assert.ok(oversized?.text?.includes(`"trace_id":"${result.traceId}"`), oversized?.text?.slice(0, 200));
  });

  it('hygiene_1011: close 1011 after malformed JSON fails close_1011 in phase send', async (t) => {
    const backend = await startBackend(t);
    const result = await hygiene(withFault(backend.url, 'hygiene_1011'));
    assert.deepEqual(verdict(result), {
      ...BASE,
      result: 'failure',
      phase: 'send',
      reason: 'close_1011',
      message: 'the server closed with 1011 "Internal error" after malformed JSON',
      closeCode: 1011,
      closeReason: 'Internal error',
      events: [],
      details: { malformed_json: 'close_1011', oversized: null, max_message_size: 8192, reconnected: false },
    });
  });

  it('hygiene_events: agent events in answer to malformed JSON fail bad_input_mishandled', async (t) => {
    const backend = await startBackend(t);
    const result = await hygiene(withFault(backend.url, 'hygiene_events'));
    assert.deepEqual(verdict(result), {
      ...BASE,
      result: 'failure',
      phase: 'send',
      reason: 'bad_input_mishandled',
      message: 'the server answered malformed JSON with agent events (agent_started)',
      closeCode: null,
      closeReason: null,
      events: [],
      details: { malformed_json: 'agent_events', oversized: null, max_message_size: 8192, reconnected: false },
    });
  });

  it('oversize_1009: an accepted close 1009 is followed by the golden path on a new connection', async (t) => {
    const backend = await startBackend(t);
    const result = await hygiene(withFault(backend.url, 'oversize_1009'));
    assert.deepEqual(verdict(result), {
      ...SUCCESS,
      details: { malformed_json: 'error_frame', oversized: 'close_1009', max_message_size: 8192, reconnected: true },
    });
    assert.equal(backend.connections().length, 2);
    const closes = result.transcript.entries.filter((e) => e.kind === 'close').map((e) => `${e.dir} ${e.text ?? ''}`);
    assert.equal(closes[0], 'in 1009 Message too big', 'the first connection ended with the server\'s 1009');
  });

  it('oversize_1009 with close_1009 not accepted fails bad_input_mishandled', async (t) => {
    const backend = await startBackend(t);
    const result = await hygiene(withFault(backend.url, 'oversize_1009'), hygieneCheck({ accept: ['error_frame', 'silent_drop'] }));
    assert.deepEqual(verdict(result), {
      ...BASE,
      result: 'failure',
      phase: 'send',
      reason: 'bad_input_mishandled',
      message: 'the server closed with 1009 "Message too big" after the oversized message (accepted: error_frame, silent_drop)',
      closeCode: 1009,
      closeReason: 'Message too big',
      events: [],
      details: { malformed_json: 'error_frame', oversized: 'close_1009', max_message_size: 8192, reconnected: false },
    });
    assert.equal(backend.connections().length, 1);
  });

  it('an error frame the config does not accept fails bad_input_mishandled', async (t) => {
    const backend = await startBackend(t);
    const result = await hygiene(backend.url, hygieneCheck({ accept: ['silent_drop', 'close_1009'] }));
    assert.deepEqual(verdict(result), {
      ...BASE,
      result: 'failure',
      phase: 'send',
      reason: 'bad_input_mishandled',
      message: 'the server answered malformed JSON with error_frame (accepted: silent_drop, close_1009)',
      closeCode: null,
      closeReason: null,
      events: [],
      details: { malformed_json: 'error_frame', oversized: null, max_message_size: 8192, reconnected: false },
    });
  });

  it('a backend that never runs the agent after the bad inputs fails with the golden path reason', async (t) => {
    const backend = await startBackend(t);
    const result = await hygiene(withFault(backend.url, 'silent_agent'), hygieneCheck({ timeoutMs: 1500, slowAfterMs: 1000 }));
    assert.deepEqual(verdict(result), {
      ...BASE,
      result: 'failure',
      phase: 'events',
      reason: 'event_missing',
      message: 'the run deadline passed while waiting for agent_started',
      closeCode: null,
      closeReason: null,
      events: [],
      details: { malformed_json: 'error_frame', oversized: 'silent_drop', max_message_size: 8192, reconnected: false },
    });
  });
});
