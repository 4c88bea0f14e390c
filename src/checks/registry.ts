import type { CheckType, CheckTypes } from '../config/checks.ts';
import type { CheckConfig, TargetConfig } from '../config/types.ts';
import { DEGRADATIONS, REASON_NAMES, REASON_PHASES, type Degradation, type Phase, type Reason } from '../result/reasons.ts';
import { GOLDEN_PATH_CONFIG } from './golden-path/config.ts';
import { runGoldenPath } from './golden-path/run.ts';
import { HANDSHAKE_STORM_CONFIG } from './handshake-storm/config.ts';
import { runHandshakeStorm } from './handshake-storm/run.ts';
import { AUTH_ENFORCEMENT_CONFIG } from './auth-enforcement/config.ts';
import { runAuthEnforcement } from './auth-enforcement/run.ts';
import { authEnforcementFacts } from './auth-enforcement/sinks.ts';
import { USER_ISOLATION_CONFIG } from './user-isolation/config.ts';
import { runUserIsolation } from './user-isolation/run.ts';
import { DEPENDENCY_HEALTH_CONFIG } from './dependency-health/config.ts';
import { runDependencyHealth } from './dependency-health/run.ts';
import { dependencyHealthFacts } from './dependency-health/sinks.ts';
import { INPUT_HYGIENE_CONFIG } from './input-hygiene/config.ts';
import { runInputHygiene } from './input-hygiene/run.ts';
import { MESSAGE_BURST_CONFIG } from './message-burst/config.ts';
import { runMessageBurst } from './message-burst/run.ts';
import { messageFacts, welcomeFacts, type SinkFacts } from './sink-facts.ts';
import type { CheckRunner } from './types.ts';

type Runners = { readonly [K in CheckConfig['type']]: CheckRunner<Extract<CheckConfig, { type: K }>> };

/**
 * One check type: how its config is read (`<type>/config.ts`), how it runs (`<type>/run.ts`),
 * what the sinks need to know about a check of it ({@link SinkFacts}), and the failure reasons and
 * degradations only this type decides (every other one is the walk's, shared by every type).
 */
export interface CheckKind<C extends CheckConfig> {
  readonly config: CheckType;
  readonly run: CheckRunner<C>;
  readonly sinks: (target: TargetConfig, check: C) => SinkFacts;
  readonly reasons: readonly Reason[];
  readonly degradations: readonly Degradation[];
}

type Registry = { readonly [K in CheckConfig['type']]: CheckKind<Extract<CheckConfig, { type: K }>> };

/**
 * Every check type, by its YAML `type`, in the order messages and the JSON Schema list them.
 * Adding a check type is its folder and one line here.
 */
export const CHECK_TYPES: Registry = {
  golden_path: { config: GOLDEN_PATH_CONFIG, run: runGoldenPath, sinks: messageFacts, reasons: ['answer_mismatch'], degradations: [] },
  handshake_storm: { config: HANDSHAKE_STORM_CONFIG, run: runHandshakeStorm, sinks: welcomeFacts, reasons: [], degradations: [] },
  auth_enforcement: { config: AUTH_ENFORCEMENT_CONFIG, run: runAuthEnforcement, sinks: authEnforcementFacts, reasons: ['auth_bypass'], degradations: [] },
  user_isolation: { config: USER_ISOLATION_CONFIG, run: runUserIsolation, sinks: messageFacts, reasons: ['isolation_violation'], degradations: [] },
  dependency_health: {
    config: DEPENDENCY_HEALTH_CONFIG,
    run: runDependencyHealth,
    sinks: dependencyHealthFacts,
    reasons: ['silent_agent_failure'],
    degradations: ['dependency_unhealthy'],
  },
  input_hygiene: { config: INPUT_HYGIENE_CONFIG, run: runInputHygiene, sinks: messageFacts, reasons: ['bad_input_mishandled'], degradations: [] },
  message_burst: { config: MESSAGE_BURST_CONFIG, run: runMessageBurst, sinks: messageFacts, reasons: ['event_duplicate'], degradations: [] },
};

const TYPE_NAMES = Object.keys(CHECK_TYPES) as (keyof Registry)[];

/** The config readers of every check type, for `loadConfig` and the JSON Schema. */
export const CHECK_CONFIGS: CheckTypes = Object.fromEntries(TYPE_NAMES.map((type) => [type, CHECK_TYPES[type].config]));

/** The runner of every check type, by its config `type`. */
export const CHECK_RUNNERS: Runners = Object.fromEntries(TYPE_NAMES.map((type) => [type, CHECK_TYPES[type].run])) as Runners;

/** Reasons and degradations of the walk: those no check type claims as its own. */
const OWN_REASONS: ReadonlySet<Reason> = new Set(TYPE_NAMES.flatMap((type) => CHECK_TYPES[type].reasons));
const OWN_DEGRADATIONS: ReadonlySet<Degradation> = new Set(TYPE_NAMES.flatMap((type) => CHECK_TYPES[type].degradations));
const WALK_REASONS: readonly Reason[] = REASON_NAMES.filter((reason) => !OWN_REASONS.has(reason));
const WALK_DEGRADATIONS: readonly Degradation[] = (Object.keys(DEGRADATIONS) as Degradation[]).filter((d) => !OWN_DEGRADATIONS.has(d));

/** One `(phase, reason)` a failed run can carry. */
export interface FailurePair {
  readonly phase: Phase;
  readonly reason: Reason;
}

/** {@link SinkFacts} of one configured check, with the failures and degradations its runs can really report. */
export interface CheckSinkFacts extends SinkFacts {
  /**
   * Every `(phase, reason)` a run of the check can fail with: the walk's reasons and its type's own,
   * each in the phases `REASON_PHASES` allows that the check's runs reach ({@link SinkFacts.failurePhases}).
   */
  readonly failures: readonly FailurePair[];
  /** The degradations a run of the check can report: the walk's and its type's own. */
  readonly degradations: readonly Degradation[];
}

/** What the sinks need to know about a configured check of `target`, as its type declares it. */
export function sinkFactsOf(target: TargetConfig, check: CheckConfig): CheckSinkFacts {
  const kind = CHECK_TYPES[check.type] as CheckKind<CheckConfig>;
  const facts = kind.sinks(target, check);
  const reached = new Set(facts.failurePhases);
  const failures = [...WALK_REASONS, ...kind.reasons].flatMap((reason) =>
    REASON_PHASES[reason].filter((phase) => reached.has(phase)).map((phase) => ({ phase, reason })),
  );
  return { ...facts, failures, degradations: [...WALK_DEGRADATIONS, ...kind.degradations] };
}
