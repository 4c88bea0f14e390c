import { sinkFactsOf, type FailurePair } from '../checks/registry.ts';
import type { CheckConfig, Config } from '../config/types.ts';
import type { Degradation } from '../result/reasons.ts';

/** One configured check of one target, with the event label values it may produce. */
export interface IndexedCheck {
  readonly target: string;
  readonly check: CheckConfig;
  /** Events whose absence is counted in `canary_events_missing_total` (its type's `countedEvents`). */
  readonly countedEvents: readonly string[];
  /** Every value the `event` label of `canary_event_latency_seconds` may take for this check: its completion event. */
  readonly eventLabels: ReadonlySet<string>;
  /** The `endpoint` label values of `canary_dependency_health` (its type's `healthEndpoints`). */
  readonly healthEndpoints: readonly string[];
  /** The `(phase, reason)` label pairs of `canary_check_failures_total` its runs can produce. */
  readonly failures: readonly FailurePair[];
  /** The `degradation` label values of `canary_check_degraded_total` its runs can produce. */
  readonly degradations: readonly Degradation[];
}

/** The configuration as the metrics sink reads it: the closed sets of label values. */
export interface ConfigIndex {
  readonly checks: readonly IndexedCheck[];
  readonly targets: readonly string[];
  /** The configured check, or undefined for a result of a check the config does not know. */
  find(target: string, check: string): IndexedCheck | undefined;
  /** `event` label values allowed for a result of an unknown check: every configured event name. */
  readonly anyEventLabels: ReadonlySet<string>;
}

function eventLabelsOf(check: CheckConfig, counted: readonly string[]): readonly string[] {
  return counted.length === 0 ? [] : [check.completionEvent];
}

/** Indexes the configured checks by target and check name. */
export function indexConfig(config: Config): ConfigIndex {
  const byKey = new Map<string, IndexedCheck>();
  const checks: IndexedCheck[] = [];
  const anyEventLabels = new Set<string>();
  for (const target of config.targets) {
    for (const check of target.checks) {
      const { countedEvents, healthEndpoints, failures, degradations } = sinkFactsOf(target, check);
      const eventLabels = new Set(eventLabelsOf(check, countedEvents));
      const indexed: IndexedCheck = { target: target.target, check, countedEvents, eventLabels, healthEndpoints, failures, degradations };
      checks.push(indexed);
      byKey.set(JSON.stringify([target.target, check.name]), indexed);
      for (const name of eventLabels) anyEventLabels.add(name);
    }
  }
  return {
    checks,
    targets: config.targets.map((t) => t.target),
    find: (target, check) => byKey.get(JSON.stringify([target, check])),
    anyEventLabels,
  };
}
