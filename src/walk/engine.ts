/**
 * The walk engine: one walk of the golden path as a list of steps, each in its own file, under
 * one deadline (the run's `AbortSignal`). A step starts when the one before it calls
 * `walk.advance()`; past the last step the walk has succeeded. Adding a step (the third wire
 * generation's handshake between the welcome and the user message, protocol.md) is one new file
 * exporting a {@link Step} and one line in {@link WALK_STEPS}.
 */
import type { TargetConfig, WalkSettings } from '../config/types.ts';
import type { CheckResult } from '../result/types.ts';
import { canaryError, cancelled } from './classify.ts';
import { isTimeout, timeoutWhat } from './deadline.ts';
import { eventsStep } from './events.ts';
import { handshakeStep } from './handshake.ts';
import type { WalkDeps, WalkPlan } from './plan.ts';
import { probeStep } from './probe.ts';
import { walkResult } from './result.ts';
import { sendStep } from './send.ts';
import { WalkState, type Step } from './state.ts';
import { teardown } from './teardown.ts';
import { tokenStep } from './token.ts';
import { upgradeStep } from './upgrade.ts';
import { welcomeStep } from './welcome.ts';

/** The steps of a walk, in order. Teardown is not one: it runs on every path once the outcome is known. */
export const WALK_STEPS: readonly Step[] = [
  tokenStep, // token
  upgradeStep, // dns, tcp, tls (connect.ts), upgrade
  welcomeStep, // welcome
  handshakeStep, // handshake (third generation; earlier ones go straight on)
  probeStep, // send: the plan's beforeMessage, when it has one
  sendStep, // send
  eventsStep, // events, close
];

/**
 * Walks the golden path once as `plan` says: token → connect → upgrade → welcome → user message
 * → the expected events → close. Never throws, ends within `deps.signal`'s deadline plus
 * `TEARDOWN_MS`, and leaves no socket or timer behind. When the signal aborts the walk fails with
 * its phase's timeout reason (a `TimeoutError`) or as `cancelled` (anything else).
 */
export async function runWalk(target: TargetConfig, check: WalkSettings, deps: WalkDeps, plan: WalkPlan): Promise<CheckResult> {
  const walk = new WalkState(target, check, deps, plan, WALK_STEPS);
  const { signal } = deps;
  const onAbort = (): void => {
    if (isTimeout(signal)) walk.onTimeout(timeoutWhat(signal));
    else walk.fail(cancelled(walk.phase));
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    if (signal.aborted) onAbort();
    else walk.advance();
    await walk.decided;
  } catch (error) {
    walk.fail(canaryError(walk.phase, error));
  } finally {
    signal.removeEventListener('abort', onAbort);
    await teardown(walk);
  }
  return walkResult(walk);
}
