import type { TargetConfig, WalkSettings } from '../config/types.ts';
import { PHASES, type Phase } from '../result/reasons.ts';

/**
 * What the sinks need to know about one configured check, declared by its check type (its
 * `sinks` entry in `registry.ts`), so that no sink switches on the type.
 */
export interface SinkFacts {
  /**
   * Events whose absence is counted in `canary_events_missing_total` when a run that sent its
   * message fails, in order; empty for check types that send no message.
   */
  readonly countedEvents: readonly string[];
  /** The `endpoint` label values of `canary_dependency_health`: endpoints whose state the result carries. */
  readonly healthEndpoints: readonly string[];
  /**
   * The phases a run of the check can fail in, in walk order: `tls` only for a `wss` target, the
   * lifecycle `handshake` only when the walk goes on to the message with `handshake` not `off`.
   */
  readonly failurePhases: readonly Phase[];
}

/** How far a walk goes: `chat` on to the user message and its events, `stop` at the welcome. */
type WalkReach = 'chat' | 'stop';

const AFTER_WELCOME: ReadonlySet<Phase> = new Set(['handshake', 'send', 'events', 'close']);

/** The phases a walk of `check` against `target` can fail in (see {@link SinkFacts.failurePhases}). */
export function walkPhases(target: TargetConfig, check: WalkSettings, reach: WalkReach): readonly Phase[] {
  const secure = new URL(target.url).protocol === 'wss:';
  const handshake = reach === 'chat' && (check.handshake ?? 'auto') !== 'off';
  return PHASES.filter((phase) => {
    if (phase === 'tls') return secure;
    if (phase === 'handshake') return handshake;
    return reach === 'chat' || !AFTER_WELCOME.has(phase);
  });
}

/** A check type that sends the user message and waits for the expected events. */
export function messageFacts(target: TargetConfig, check: WalkSettings): SinkFacts {
  return { countedEvents: check.expectedEvents, healthEndpoints: [], failurePhases: walkPhases(target, check, 'chat') };
}

/** A check type that sends no user message: each of its walks ends at the welcome. */
export function welcomeFacts(target: TargetConfig, check: WalkSettings): SinkFacts {
  return { countedEvents: [], healthEndpoints: [], failurePhases: walkPhases(target, check, 'stop') };
}
