import type { WalkSettings } from '../config/types.ts';

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
}

/** A check type that sends the user message and waits for the expected events. */
export function messageFacts(check: WalkSettings): SinkFacts {
  return { countedEvents: check.expectedEvents, healthEndpoints: [] };
}

/** A check type that sends no user message (it stops at the welcome or before it). */
export function noMessageFacts(): SinkFacts {
  return { countedEvents: [], healthEndpoints: [] };
}
