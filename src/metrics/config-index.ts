import type { CheckConfig, Config } from '../config/types.ts';

/** The event that ends a run in failure; the engine records it like the expected events. */
const FAILURE_EVENT = 'agent_error';

/** One configured check of one target, with the event label values it may produce. */
export interface IndexedCheck {
  readonly target: string;
  readonly check: CheckConfig;
  /** Events whose absence is counted in `canary_events_missing_total` (check types that send a message). */
  readonly expectedEvents: readonly string[];
  /** Every value the `event` label may take for this check. */
  readonly eventLabels: ReadonlySet<string>;
  /** The `endpoint` label values of `canary_dependency_health` (dependency_health checks only). */
  readonly healthEndpoints: readonly string[];
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

function expectedEventsOf(check: CheckConfig): readonly string[] {
  switch (check.type) {
    case 'golden_path':
    case 'user_isolation':
    case 'dependency_health':
    case 'message_burst':
    case 'input_hygiene':
      return check.expectedEvents;
    case 'handshake_storm':
    case 'auth_enforcement':
      return [];
  }
}

function eventLabelsOf(check: CheckConfig): readonly string[] {
  const walked = expectedEventsOf(check);
  return walked.length === 0 ? [] : [...walked, check.completionEvent, FAILURE_EVENT];
}

/** Indexes the configured checks by target and check name. */
export function indexConfig(config: Config): ConfigIndex {
  const byKey = new Map<string, IndexedCheck>();
  const checks: IndexedCheck[] = [];
  const anyEventLabels = new Set<string>();
  for (const target of config.targets) {
    for (const check of target.checks) {
      const eventLabels = new Set(eventLabelsOf(check));
      const healthEndpoints = check.type === 'dependency_health' ? check.endpoints : [];
      const indexed: IndexedCheck = { target: target.target, check, expectedEvents: expectedEventsOf(check), eventLabels, healthEndpoints };
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
