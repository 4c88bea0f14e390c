import type { CheckConfig } from '../config/types.ts';
import { runGoldenPath } from './golden-path/run.ts';
import { runHandshakeStorm } from './handshake-storm/run.ts';
import { runAuthEnforcement } from './auth-enforcement/run.ts';
import { runUserIsolation } from './user-isolation/run.ts';
import { runDependencyHealth } from './dependency-health/run.ts';
import { runInputHygiene } from './input-hygiene/run.ts';
import { runMessageBurst } from './message-burst/run.ts';
import type { CheckRunner } from './types.ts';

type Runners = { readonly [K in CheckConfig['type']]: CheckRunner<Extract<CheckConfig, { type: K }>> };

/** Every check type, by its config `type`. Adding a check type is one line here. */
export const CHECK_RUNNERS: Runners = {
  golden_path: runGoldenPath,
  handshake_storm: runHandshakeStorm,
  auth_enforcement: runAuthEnforcement,
  user_isolation: runUserIsolation,
  dependency_health: runDependencyHealth,
  input_hygiene: runInputHygiene,
  message_burst: runMessageBurst,
};
