/**
 * Helpers for check types that run several walks (sub-runs) and report one result for them all.
 */
import { TIMED_PHASES, type TimedPhase } from '../result/reasons.ts';
import type { CheckResult, ProtocolVariant } from '../result/types.ts';
import type { RunDeps } from './types.ts';
import type { TokenProvider } from '../auth/provider.ts';
import type { TargetConfig, WalkSettings } from '../config/types.ts';
import type { Phase, Reason } from '../result/reasons.ts';
import { freezeResult } from '../walk/result.ts';

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
 * The deps of one sub-run: its own run id, the parent's clock, deadline and transcript limits,
 * and the parent's tokens unless `tokens` replaces them. A sub-run shares its parent's deadline,
 * so the check ends within its one `timeout` however many walks it runs.
 */
export function subRunDeps(parent: RunDeps, runId: string, tokens: TokenProvider = parent.tokens): RunDeps {
  return { ...parent, runId, tokens };
}

/** When the walks of a multi-walk check began and how long they took together. */
export interface WalksTiming {
  /** Wall-clock start of the first walk, epoch milliseconds. */
  readonly startedAtMs: number;
  /** First start to last teardown, seconds. */
  readonly durationSeconds: number;
}

/** A multi-walk check's verdict: the failure, shown through the walk that explains it, or null. */
export interface WalksVerdict {
  readonly failure: {
    readonly walk: CheckResult;
    readonly phase: Phase | null;
    readonly reason: Reason | null;
    readonly message: string;
  } | null;
  /** The walk whose transcript the result carries when there is no failure. */
  readonly shownOnSuccess: CheckResult | undefined;
  readonly protocol: ProtocolVariant;
  readonly details: CheckResult['details'];
}

/**
 * One result for several walks that send no chat message (no events, no degradations): the
 * failure's phase, reason, close and transcript come from the walk that explains it, `phases`
 * holds the slowest walk's time per phase, and the TLS expiry is the first one any walk saw.
 */
export function combineWalks(
  target: TargetConfig,
  check: WalkSettings,
  runId: string,
  walks: readonly CheckResult[],
  timing: WalksTiming,
  verdict: WalksVerdict,
): CheckResult {
  const { failure } = verdict;
  const shown = failure?.walk ?? verdict.shownOnSuccess;
  return freezeResult({
    runId,
    check: check.name,
    target: target.target,
    type: check.type,
    result: failure === null ? 'success' : 'failure',
    phase: failure?.phase ?? null,
    reason: failure?.reason ?? null,
    message: failure?.message ?? null,
    degradations: [],
    missingEvent: null,
    closeCode: failure?.walk.closeCode ?? null,
    closeReason: failure?.walk.closeReason ?? null,
    httpStatus: failure?.walk.httpStatus ?? null,
    events: [],
    eventsDropped: 0,
    phases: maxPhases(walks),
    durationSeconds: timing.durationSeconds,
    protocol: verdict.protocol,
    startedAt: new Date(timing.startedAtMs).toISOString(),
    tlsCertExpiresAt: walks.find((walk) => walk.tlsCertExpiresAt !== null)?.tlsCertExpiresAt ?? null,
    transcript: shown?.transcript ?? { entries: [], dropped: 0 },
    details: verdict.details,
  });
}
