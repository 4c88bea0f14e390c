import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MessageBurstCheck } from '../../../src/config/types.ts';
import type { CheckResult } from '../../../src/result/types.ts';
import { startBackend } from '../../support/backend.ts';
import { goldenPathCheck } from '../../support/fixtures.ts';
import { runOnce } from '../../support/run.ts';

const EVENTS = ['agent_started', 'agent_thinking', 'tool_executing', 'tool_completed', 'agent_completed'];

function burstCheck(overrides: Partial<MessageBurstCheck> = {}): MessageBurstCheck {
  return { ...goldenPathCheck({ name: 'burst' }), type: 'message_burst', messages: 5, timeoutMs: 1500, ...overrides };
}

function burst(url: string, check: MessageBurstCheck = burstCheck()): Promise<CheckResult> {
  return runOnce(url, check, undefined, { runId: 'burst1' });
}

/** The fields every burst test asserts exactly; `last_completion_seconds` is checked against the events. */
function verdict(result: CheckResult): Record<string, unknown> {
  const { last_completion_seconds: last, ...details } = result.details;
  const completions = result.events.filter((e) => e.name === 'agent_completed').map((e) => e.seconds);
  return {
    check: result.check,
    type: result.type,
    result: result.result,
    phase: result.phase,
    reason: result.reason,
    message: result.message,
    missingEvent: result.missingEvent,
    closeCode: result.closeCode,
    details,
    lastCompletionIsLastCompletionEvent: details['delivered'] === 0 ? last === null : typeof last === 'number' && last > 0 && completions.includes(last),
  };
}

const BASE = { check: 'burst', type: 'message_burst', closeCode: null, lastCompletionIsLastCompletionEvent: true };

function countByName(result: CheckResult): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of result.events) out[e.name] = (out[e.name] ?? 0) + 1;
  return out;
}

describe('message_burst against the reference backend', { concurrency: true }, () => {
  it('succeeds when all 5 messages on one connection get their whole sequence', async (t) => {
    const backend = await startBackend(t);
    const result = await burst(backend.url);
    assert.deepEqual(verdict(result), {
      ...BASE,
      result: 'success',
      phase: null,
      reason: null,
      message: null,
      missingEvent: null,
      details: { messages: 5, delivered: 5, delivery_ratio: 1 },
    });
    assert.deepEqual(countByName(result), Object.fromEntries(EVENTS.map((name) => [name, 5])));
    assert.equal(result.details['last_completion_seconds'], Math.max(...result.events.map((e) => e.seconds)));
    const records = backend.connections();
    assert.equal(records.length, 1, 'one connection');
    assert.deepEqual(records[0]?.messagesReceived.filter((type) => type !== 'pong'), Array(5).fill('user_message'));
    const threads = result.transcript.entries.flatMap((entry) =>
      entry.dir === 'out' && entry.type === 'user_message' && entry.text !== null ? [JSON.parse(entry.text).payload.thread_id as string] : [],
    );
    assert.deepEqual(threads, ['canary_burst1_1', 'canary_burst1_2', 'canary_burst1_3', 'canary_burst1_4', 'canary_burst1_5']);
  });

  it('burst_drop=3 fails with event_missing: message 3 never answered, 4 of 5 delivered', async (t) => {
    const backend = await startBackend(t, { faults: 'burst_drop=3' });
    const result = await burst(backend.url);
    assert.deepEqual(verdict(result), {
      ...BASE,
      result: 'failure',
      phase: 'events',
      reason: 'event_missing',
      message: 'the run deadline passed while waiting for agent_started of message 3 (4 of 5 delivered)',
      missingEvent: 'agent_started',
      details: { messages: 5, delivered: 4, delivery_ratio: 0.8 },
    });
    assert.deepEqual(countByName(result), Object.fromEntries(EVENTS.map((name) => [name, 4])));
  });

  it('duplicate_completion fails with event_duplicate on the first run that completes', async (t) => {
    const backend = await startBackend(t, { faults: 'duplicate_completion' });
    const result = await burst(backend.url);
    assert.deepEqual(verdict(result), {
      ...BASE,
      result: 'failure',
      phase: 'events',
      reason: 'event_duplicate',
      message: 'message 1 of 5: agent_completed arrived twice',
      missingEvent: null,
      details: { messages: 5, delivered: 1, delivery_ratio: 0.2 },
    });
  });

  it('reorder fails with event_order naming the message', async (t) => {
    const backend = await startBackend(t, { faults: 'reorder' });
    const result = await burst(backend.url, burstCheck({ messages: 2 }));
    assert.deepEqual(verdict(result), {
      ...BASE,
      result: 'failure',
      phase: 'events',
      reason: 'event_order',
      message: 'message 1 of 2: tool_executing arrived before agent_thinking',
      missingEvent: null,
      details: { messages: 2, delivered: 0, delivery_ratio: 0 },
    });
  });

  it('a slow burst (last completion after slow_after) is degraded', async (t) => {
    const backend = await startBackend(t, { faults: 'delay_ms=30' });
    const result = await burst(backend.url, burstCheck({ messages: 3, slowAfterMs: 50 }));
    assert.equal(result.result, 'degraded');
    assert.deepEqual(result.degradations, ['slow']);
    assert.deepEqual(result.details['delivered'], 3);
  });

  it('the golden path ignores the fault: one message, the second completion comes after the verdict', async (t) => {
    const backend = await startBackend(t, { faults: 'duplicate_completion' });
    const result = await runOnce(backend.url);
    assert.equal(result.result, 'success');
    assert.deepEqual(result.details, {});
  });
});
