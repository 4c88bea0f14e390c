import type { CheckType, CheckTypes } from '../config/checks.ts';
import type { CheckConfig } from '../config/types.ts';
import { GOLDEN_PATH_CONFIG } from './golden-path/config.ts';
import { runGoldenPath } from './golden-path/run.ts';
import { HANDSHAKE_STORM_CONFIG } from './handshake-storm/config.ts';
import { runHandshakeStorm } from './handshake-storm/run.ts';
import { AUTH_ENFORCEMENT_CONFIG } from './auth-enforcement/config.ts';
import { runAuthEnforcement } from './auth-enforcement/run.ts';
import { USER_ISOLATION_CONFIG } from './user-isolation/config.ts';
import { runUserIsolation } from './user-isolation/run.ts';
import { DEPENDENCY_HEALTH_CONFIG } from './dependency-health/config.ts';
import { runDependencyHealth } from './dependency-health/run.ts';
import { dependencyHealthFacts } from './dependency-health/sinks.ts';
import { INPUT_HYGIENE_CONFIG } from './input-hygiene/config.ts';
import { runInputHygiene } from './input-hygiene/run.ts';
import { MESSAGE_BURST_CONFIG } from './message-burst/config.ts';
import { runMessageBurst } from './message-burst/run.ts';
import { messageFacts, noMessageFacts, type SinkFacts } from './sink-facts.ts';
import type { CheckRunner } from './types.ts';

type Runners = { readonly [K in CheckConfig['type']]: CheckRunner<Extract<CheckConfig, { type: K }>> };

/**
 * One check type: how its config is read (`<type>/config.ts`), how it runs (`<type>/run.ts`) and
 * what the sinks need to know about a check of it ({@link SinkFacts}).
 */
export interface CheckKind<C extends CheckConfig> {
  readonly config: CheckType;
  readonly run: CheckRunner<C>;
  readonly sinks: (check: C) => SinkFacts;
}

type Registry = { readonly [K in CheckConfig['type']]: CheckKind<Extract<CheckConfig, { type: K }>> };

/**
 * Every check type, by its YAML `type`, in the order messages and the JSON Schema list them.
 * Adding a check type is its folder and one line here.
 */
export const CHECK_TYPES: Registry = {
  golden_path: { config: GOLDEN_PATH_CONFIG, run: runGoldenPath, sinks: messageFacts },
  handshake_storm: { config: HANDSHAKE_STORM_CONFIG, run: runHandshakeStorm, sinks: noMessageFacts },
  auth_enforcement: { config: AUTH_ENFORCEMENT_CONFIG, run: runAuthEnforcement, sinks: noMessageFacts },
  user_isolation: { config: USER_ISOLATION_CONFIG, run: runUserIsolation, sinks: messageFacts },
  dependency_health: { config: DEPENDENCY_HEALTH_CONFIG, run: runDependencyHealth, sinks: dependencyHealthFacts },
  input_hygiene: { config: INPUT_HYGIENE_CONFIG, run: runInputHygiene, sinks: messageFacts },
  message_burst: { config: MESSAGE_BURST_CONFIG, run: runMessageBurst, sinks: messageFacts },
};

const TYPE_NAMES = Object.keys(CHECK_TYPES) as (keyof Registry)[];

/** The config readers of every check type, for `loadConfig` and the JSON Schema. */
export const CHECK_CONFIGS: CheckTypes = Object.fromEntries(TYPE_NAMES.map((type) => [type, CHECK_TYPES[type].config]));

/** The runner of every check type, by its config `type`. */
export const CHECK_RUNNERS: Runners = Object.fromEntries(TYPE_NAMES.map((type) => [type, CHECK_TYPES[type].run])) as Runners;

/** What the sinks need to know about a configured check, as its type declares it. */
export function sinkFactsOf(check: CheckConfig): SinkFacts {
  const facts = CHECK_TYPES[check.type].sinks as (check: CheckConfig) => SinkFacts;
  return facts(check);
}
