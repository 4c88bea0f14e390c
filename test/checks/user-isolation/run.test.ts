import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { AuthConfig, UserIsolationCheck } from '../../../src/config/types.ts';
import { REFERENCE_SECRET, startReferenceBackend, type ReferenceBackend, type ReferenceBackendOptions } from '../../../src/reference/index.ts';
import type { CheckResult } from '../../../src/result/types.ts';
import { FIVE_EVENTS, goldenPathCheck, jwtAuth, withFault } from '../../support/fixtures.ts';
import { outcome, runOnce } from '../../support/run.ts';

const SUBJECTS = ['canary-iso-a', 'canary-iso-b'] as const;

function isolationCheck(overrides: Partial<UserIsolationCheck> = {}): UserIsolationCheck {
  return { ...goldenPathCheck(), name: 'user_isolation', type: 'user_isolation', subjects: SUBJECTS, ...overrides };
}

function runIsolation(url: string, check: UserIsolationCheck = isolationCheck(), auth: AuthConfig = jwtAuth(REFERENCE_SECRET)): Promise<CheckResult> {
  return runOnce(url, check, auth, { runId: 'iso1' });
}

/** A backend `t.after` closes, with its log lines kept. */
async function backendForTest(t: TestContext, opts: ReferenceBackendOptions = {}): Promise<{ backend: ReferenceBackend; log: string[] }> {
  const log: string[] = [];
  const backend = await startReferenceBackend({ ...opts, log: (line) => log.push(line) });
  t.after(() => backend.close());
  return { backend, log };
}

/** Who received the leak, per the backend's log: the receiving identity and the leaked run. */
function leakSeen(backend: ReferenceBackend, log: readonly string[]): { receiver: 'a' | 'b'; owner: 'a' | 'b'; runId: string } {
  const lines = log.flatMap((line) => {
    const match = /^#(\d+) fault leak_events: sending agent_thinking of (run_[0-9a-f]+)$/.exec(line);
    return match === null ? [] : [{ id: Number(match[1]), runId: match[2] ?? '' }];
  });
  assert.equal(lines.length, 1, `one leak expected, log:\n${log.join('\n')}`);
  const leak = lines[0];
  assert.ok(leak !== undefined);
  const user = backend.connections().find((c) => c.id === leak.id)?.userId;
  const receiver = user === SUBJECTS[0] ? 'a' : 'b';
  return { receiver, owner: receiver === 'a' ? 'b' : 'a', runId: leak.runId };
}

describe('user_isolation against the reference backend', { concurrency: true }, () => {
  it('succeeds when each identity sees only its own run, thread and user', async (t) => {
    const { backend } = await backendForTest(t);
    const result = await runIsolation(backend.url);
    assert.deepEqual(
      { ...outcome(result), message: result.message, type: result.type, runId: result.runId, details: result.details },
      {
        result: 'success', phase: null, reason: null, closeCode: null, httpStatus: null, events: [...FIVE_EVENTS],
        message: null, type: 'user_isolation', runId: 'iso1', details: { violations: 0, events_a: 5, events_b: 5 },
      },
    );
    assert.deepEqual(backend.connections().map((c) => c.userId).sort(), [...SUBJECTS]);
  });

  it('succeeds with envelope B, whose events carry the user id too', async (t) => {
    const { backend } = await backendForTest(t, { faults: 'envelope=data' });
    const result = await runIsolation(backend.url);
    assert.deepEqual({ ...outcome(result), details: result.details, envelope: result.protocol.envelope }, {
      result: 'success', phase: null, reason: null, closeCode: null, httpStatus: null, events: [...FIVE_EVENTS],
      details: { violations: 0, events_a: 5, events_b: 5 }, envelope: 'data',
    });
  });

  it('fails with isolation_violation when the backend leaks a run to the other connection (server-wide leak_events)', async (t) => {
    const { backend, log } = await backendForTest(t, { faults: 'leak_events', eventDelayMs: 50 });
    const result = await runIsolation(backend.url);
    const leak = leakSeen(backend, log);
    const received = { violations: 1, events_a: leak.receiver === 'a' ? 6 : 5, events_b: leak.receiver === 'b' ? 6 : 5 };
    assert.deepEqual(
      { result: result.result, phase: result.phase, reason: result.reason, message: result.message, details: result.details },
      {
        result: 'failure', phase: 'events', reason: 'isolation_violation',
        message: `identity ${leak.receiver} received agent_thinking of identity ${leak.owner}'s run ${leak.runId}`,
        details: received,
      },
    );
    assert.equal(result.events.length, received.events_a, "the result's events are identity a's");
    const leakedFrames = result.transcript.entries.filter((e) => e.text?.includes(leak.runId) === true && e.type === 'agent_thinking');
    assert.equal(leakedFrames.length, 1, "the transcript is the receiving connection's, with the leaked frame");
  });

  it('fails with isolation_violation when both connections ask for leak_events themselves (?fault=)', async (t) => {
    const { backend, log } = await backendForTest(t);
    const result = await runIsolation(withFault(backend.url, 'leak_events,delay_ms=50,envelope=data'));
    const leak = leakSeen(backend, log);
    assert.deepEqual(
      { result: result.result, phase: result.phase, reason: result.reason, message: result.message, details: result.details },
      {
        result: 'failure', phase: 'events', reason: 'isolation_violation',
        message: `identity ${leak.receiver} received agent_thinking of identity ${leak.owner}'s run ${leak.runId}`,
        details: { violations: 1, events_a: leak.receiver === 'a' ? 6 : 5, events_b: leak.receiver === 'b' ? 6 : 5 },
      },
    );
  });

  it("fails with the failing identity's phase and reason, its message prefixed", async (t) => {
    const { backend } = await backendForTest(t, { faults: 'close_1011_after=2' });
    const result = await runIsolation(backend.url);
    assert.deepEqual(
      { ...outcome(result), message: result.message, details: result.details },
      {
        result: 'failure', phase: 'events', reason: 'close_1011', closeCode: 1011, httpStatus: null, events: ['agent_started', 'agent_thinking'],
        message: 'identity a: the server closed with 1011 "Internal error" in phase events (identity b also failed: close_1011)',
        details: { violations: 0, events_a: 2, events_b: 2 },
      },
    );
  });

  it('is degraded when either walk is', async (t) => {
    const { backend } = await backendForTest(t, { faults: 'unknown_shape' });
    const result = await runIsolation(backend.url);
    assert.deepEqual({ result: result.result, degradations: result.degradations, details: result.details }, {
      result: 'degraded', degradations: ['unknown_frame'], details: { violations: 0, events_a: 5, events_b: 5 },
    });
  });

  it('fails with token_error naming the identity when the target cannot mint per-identity tokens', async (t) => {
    const { backend } = await backendForTest(t);
    const result = await runIsolation(backend.url, isolationCheck(), { type: 'none' });
    assert.deepEqual({ ...outcome(result), message: result.message }, {
      result: 'failure', phase: 'token', reason: 'token_error', closeCode: null, httpStatus: null, events: [],
      message: 'identity a: could not get a token: user_isolation needs auth.type jwt to mint a token for canary-iso-a, got none (identity b also failed: token_error)',
    });
  });
});
