/**
 * Helpers for check types that run several walks (sub-runs) and report one result for them all.
 */
import { TIMED_PHASES, type TimedPhase } from '../result/reasons.ts';
import type { CheckResult, ProtocolVariant } from '../result/types.ts';
import type { RunDeps, RunHooks } from './types.ts';
import type { TokenProvider } from '../auth/provider.ts';

/** The protocol of a result that saw no welcome it can vouch for; `canary_protocol_info` ignores it. */
export const NO_PROTOCOL: ProtocolVariant = { welcome: 'none', envelope: 'none', subprotocol: 'none' };

/** Per timed phase, the longest duration any sub-run recorded (seconds); phases no sub-run reached are left out. */
export function maxPhases(results: readonly CheckResult[]): Partial<Record<TimedPhase, number>> {
  const out: Partial<Record<TimedPhase, number>> = {};
  for (const phase of TIMED_PHASES) {
    for (const result of results) {
      const seconds = result.phases[phase];
      if (seconds !== undefined) out[phase] = Math.max(out[phase] ?? 0, seconds);
    }
  }
  return out;
}

/**
 * The deps of one sub-run: its own run id and hooks, the parent's clock, cancellation and
 * transcript limits, and the parent's tokens unless `tokens` replaces them.
 */
export function subRunDeps(parent: RunDeps, runId: string, hooks: RunHooks, tokens: TokenProvider = parent.tokens): RunDeps {
  return {
    runId,
    clock: parent.clock,
    tokens,
    hooks,
    ...(parent.signal === undefined ? {} : { signal: parent.signal }),
    ...(parent.transcriptLimits === undefined ? {} : { transcriptLimits: parent.transcriptLimits }),
  };
}
