/**
 * message_burst: N user messages sent back to back on one connection, each with its own thread
 * id; every one must get its whole event sequence, in order within its run, none lost or
 * duplicated, within the check's timeout. Catches backends that drop, merge or cross the runs of
 * messages that arrive close together on one socket.
 */
import type { MessageBurstCheck, TargetConfig } from '../../config/types.ts';
import type { CheckResult } from '../../result/types.ts';
import { freezeResult } from '../../walk/result.ts';
import { runWalk } from '../../walk/engine.ts';
import { walkPlan } from '../../walk/plan.ts';
import type { RunDeps } from '../types.ts';

/** The thread id message `i` (1-based) of run `runId` carries: `canary_<runId>_<i>`. */
export function burstThreadId(runId: string, i: number): string {
  return `canary_${runId}_${i}`;
}

/**
 * Runs one burst: one walk that sends `messages` user messages after the welcome and groups the
 * agent events into runs by thread id (else run id). `details` counts the messages, how many got
 * their whole sequence (`delivered`, `delivery_ratio`) and when the last of those completed,
 * seconds after the first send (`last_completion_seconds`, null when none did). Never throws.
 */
export async function runMessageBurst(target: TargetConfig, check: MessageBurstCheck, deps: RunDeps): Promise<CheckResult> {
  let delivered = 0;
  let lastCompletion: number | null = null;
  const plan = walkPlan({
    messages: check.messages,
    observe: {
      event: () => undefined,
      runComplete: (_message, seconds) => {
        delivered++;
        lastCompletion = Math.max(lastCompletion ?? 0, seconds);
      },
    },
  });
  const result = await runWalk(target, check, deps, plan);
  return freezeResult({
    ...result,
    details: {
      messages: check.messages,
      delivered,
      delivery_ratio: delivered / check.messages,
      last_completion_seconds: lastCompletion,
    },
  });
}
