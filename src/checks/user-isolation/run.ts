/**
 * user_isolation: two canary identities walk the golden path at the same time on separate
 * connections, each with a token of its own `sub` and a thread of its own; every agent event each
 * connection receives must belong to its own run, thread and user. Catches a backend that routes
 * one user's agent events to another user's socket.
 */
import { createTokenProvider, type TokenProvider } from '../../auth/provider.ts';
import { TokenError } from '../../auth/token-error.ts';
import type { TargetConfig, UserIsolationCheck } from '../../config/types.ts';
import type { Degradation } from '../../result/reasons.ts';
import type { CheckResult } from '../../result/types.ts';
import { freezeResult } from '../../walk/result.ts';
import { runWalk } from '../../walk/engine.ts';
import { walkPlan } from '../../walk/plan.ts';
import { subRunDeps } from '../combine.ts';
import type { RunDeps } from '../types.ts';
import { findViolations, type IdentityName, type SeenEvent, type Side } from './violations.ts';

/** One identity's walk, finished. */
interface Walk extends Side {
  readonly result: CheckResult;
}

/** The thread id identity `identity` sends in run `runId`: `canary_<runId>_a`. */
export function isolationThreadId(runId: string, identity: IdentityName): string {
  return `canary_${runId}_${identity}`;
}

/** The target's token provider with `sub` replaced; a provider that always fails when the auth is not jwt. */
function identityTokens(target: TargetConfig, subject: string, deps: RunDeps): TokenProvider {
  const auth = target.auth;
  if (auth.type === 'jwt') return createTokenProvider({ ...auth, subject }, deps.clock, process.env, deps.tokens.signingKeys);
  return {
    sendAs: deps.tokens.sendAs,
    presentation: deps.tokens.presentation,
    secrets: deps.tokens.secrets,
    getToken: () => Promise.reject(new TokenError('sign_failed', `user_isolation needs auth.type jwt to mint a token for ${subject}, got ${auth.type}`)),
  };
}

async function walk(target: TargetConfig, check: UserIsolationCheck, deps: RunDeps, identity: IdentityName, subject: string): Promise<Walk> {
  let threadId = isolationThreadId(deps.runId, identity);
  const events: SeenEvent[] = [];
  const plan = walkPlan({
    threadId,
    observe: {
      event: (e) => events.push({ name: e.name, runId: e.runId, threadId: e.threadId, userId: e.userId, atMs: deps.clock.monoMs() }),
      runComplete: () => undefined,
      // a third-generation server assigns each connection its thread: that is the one to vouch for
      thread: (assigned) => {
        threadId = assigned;
      },
    },
  });
  const result = await runWalk(target, check, subRunDeps(deps, `${deps.runId}-${identity}`, identityTokens(target, subject, deps)), plan);
  return { identity, subject, threadId, events, result };
}

/**
 * The verdict over both walks. A violation fails the run with `isolation_violation` (identity a's
 * events, the receiving connection's transcript); else a failed walk fails it with that walk's
 * phase, reason, events and transcript, its message prefixed with the identity; else it succeeds,
 * degraded with every degradation either walk saw. `details` always counts the violations and the
 * agent events each connection received.
 */
function isolationResult(runId: string, walks: readonly [Walk, Walk], timing: { readonly durationSeconds: number }): CheckResult {
  const [a, b] = walks;
  const violations = findViolations(walks);
  const details = { violations: violations.length, events_a: a.result.events.length, events_b: b.result.events.length };
  const common = { runId, details, durationSeconds: timing.durationSeconds, startedAt: a.result.startedAt };
  const first = violations[0];
  if (first !== undefined) {
    const receiver = first.identity === 'a' ? a : b;
    const more = violations.length > 1 ? ` (${violations.length} violations)` : '';
    return freezeResult({
      ...a.result,
      ...common,
      result: 'failure',
      phase: 'events',
      reason: 'isolation_violation',
      message: `${first.description}${more}`,
      degradations: [],
      missingEvent: null,
      transcript: receiver.result.transcript,
    });
  }
  const failed = walks.find((w) => w.result.result === 'failure');
  if (failed !== undefined) {
    const other = failed === a ? b : a;
    const also = other.result.result === 'failure' ? ` (identity ${other.identity} also failed: ${other.result.reason ?? 'unknown'})` : '';
    return freezeResult({ ...failed.result, ...common, message: `identity ${failed.identity}: ${failed.result.message ?? ''}${also}` });
  }
  const degradations = [...new Set<Degradation>([...a.result.degradations, ...b.result.degradations])];
  return freezeResult({ ...a.result, ...common, result: degradations.length > 0 ? 'degraded' : 'success', degradations });
}

/**
 * Runs one user_isolation check: identities a and b (`check.subjects`) walk the golden path
 * concurrently, each with its own token (the target's jwt auth with `sub` replaced) and thread id
 * (`canary_<runId>_a`, `_b`). Ends within `timeout` plus the walk's teardown bound. Never
 * throws.
 */
export async function runUserIsolation(target: TargetConfig, check: UserIsolationCheck, deps: RunDeps): Promise<CheckResult> {
  const startMono = deps.clock.monoMs();
  const [subjectA, subjectB] = check.subjects;
  const walks = await Promise.all([walk(target, check, deps, 'a', subjectA), walk(target, check, deps, 'b', subjectB)]);
  return isolationResult(deps.runId, walks, { durationSeconds: (deps.clock.monoMs() - startMono) / 1000 });
}
