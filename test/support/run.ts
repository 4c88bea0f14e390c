/**
 * One run of the engine against a URL, the way the service runs a check, for tests that assert
 * on real results.
 */
import { createTokenProvider, type TokenProvider } from '../../src/auth/provider.ts';
import type { AuthConfig, CheckConfig, TargetConfig } from '../../src/config/types.ts';
import { systemClock } from '../../src/clock.ts';
import { runCheck } from '../../src/checks/run-check.ts';
import { REFERENCE_SECRET } from '../../src/reference/index.ts';
import type { CheckResult } from '../../src/result/types.ts';
import { goldenPathCheck, jwtAuth, target } from './fixtures.ts';

export interface RunOnceOptions {
  /** Fields of the target the check runs in: its name, headers, tls. Its url, auth and checks come from {@link runOnce}'s arguments. */
  readonly target?: Partial<Omit<TargetConfig, 'url' | 'auth' | 'checks'>>;
  /** The token provider, e.g. one shared across runs; else a fresh one for the auth, over the system clock. */
  readonly tokens?: TokenProvider;
  /** The environment the fresh token provider reads (bearer tokens); else the process's. */
  readonly env?: NodeJS.ProcessEnv;
  /** Cancels the run from outside. */
  readonly signal?: AbortSignal;
  /** The run's id; else the engine makes one. */
  readonly runId?: string;
}

/** Runs `check` once against `url` with `auth` (by default the reference backend's JWT), on the system clock. */
export function runOnce(
  url: string,
  check: CheckConfig = goldenPathCheck(),
  auth: AuthConfig = jwtAuth(REFERENCE_SECRET),
  options: RunOnceOptions = {},
): Promise<CheckResult> {
  return runIn(target(url, auth, { ...options.target, checks: [check] }), check, options);
}

/** Runs `check` once in the whole target `where` (e.g. one with several checks), on the system clock; `options.target` is ignored. */
export function runIn(where: TargetConfig, check: CheckConfig, options: RunOnceOptions = {}): Promise<CheckResult> {
  return runCheck(where, check, {
    clock: systemClock,
    tokens: options.tokens ?? createTokenProvider(where.auth, systemClock, options.env),
    signal: options.signal ?? new AbortController().signal,
    ...(options.runId === undefined ? {} : { runId: options.runId }),
  });
}

/** The fields of a run that tests of its outcome assert exactly: result, phase, reason, close code, HTTP status and event names. */
export function outcome(result: CheckResult): Record<string, unknown> {
  return {
    result: result.result,
    phase: result.phase,
    reason: result.reason,
    closeCode: result.closeCode,
    httpStatus: result.httpStatus,
    events: result.events.map((e) => e.name),
  };
}
