/**
 * Judging each probe, and one verdict for all of them.
 */
import type { AuthEnforcementCheck, AuthProbe, TargetConfig } from '../../config/types.ts';
import type { CheckResult } from '../../result/types.ts';
import { combineWalks, NO_PROTOCOL, type WalksTiming } from '../../walk/result.ts';

/** What one probe proved. */
export type ProbeVerdict =
  /** Refused: HTTP 401/403, or an auth error frame and/or 1008, before the welcome. */
  | { readonly kind: 'rejected' }
  /** Let in: it reached the welcome (`welcome`) or even got agent events (`events`). */
  | { readonly kind: 'accepted'; readonly phase: 'welcome' | 'events' }
  /** Failed for another reason (connect, 1011, 503...): enforcement is unproven. */
  | { readonly kind: 'inconclusive' };

/** Judges one probe's walk. Reaching the welcome is acceptance, whatever came after it. */
export function judgeProbe(result: CheckResult): ProbeVerdict {
  if (result.events.length > 0) return { kind: 'accepted', phase: 'events' };
  if (result.phases.welcome !== undefined) return { kind: 'accepted', phase: 'welcome' };
  if (result.reason === 'auth_rejected') return { kind: 'rejected' };
  return { kind: 'inconclusive' };
}

/** One probe's walk. */
export interface ProbeRun {
  readonly probe: AuthProbe;
  readonly result: CheckResult;
}

/**
 * The check's result. Any accepted probe fails it with `auth_bypass` (the first accepted probe's
 * phase, close and transcript; the message names every accepted probe). Otherwise a cancelled
 * probe makes it `cancelled`, and any other probe that was not rejected fails it with that
 * probe's reason (the first such in `probes` order). Success when every probe was rejected.
 * `details`: `probes`, `rejected`, and `accepted` (the accepted probes, comma-separated, or "").
 * `phases` holds the slowest probe's time per timed phase; `protocol` is never reported, since
 * forged credentials say nothing about the protocol the backend speaks to real clients.
 */
export function enforcementResult(
  target: TargetConfig,
  check: AuthEnforcementCheck,
  runId: string,
  runs: readonly ProbeRun[],
  timing: WalksTiming,
): CheckResult {
  const judged = runs.map((run) => ({ ...run, verdict: judgeProbe(run.result) }));
  const accepted = judged.filter((run) => run.verdict.kind === 'accepted');
  const rejected = judged.filter((run) => run.verdict.kind === 'rejected');
  const unproven =
    judged.find((run) => run.verdict.kind === 'inconclusive' && run.result.reason === 'cancelled') ??
    judged.find((run) => run.verdict.kind === 'inconclusive');
  const firstAccepted = accepted[0];
  const acceptedNames = accepted.map((run) => run.probe);

  let failure: { readonly run: ProbeRun; readonly phase: CheckResult['phase']; readonly reason: CheckResult['reason']; readonly message: string } | null = null;
  if (firstAccepted !== undefined && firstAccepted.verdict.kind === 'accepted') {
    failure = {
      run: firstAccepted,
      phase: firstAccepted.verdict.phase,
      reason: 'auth_bypass',
      message: `the backend let in ${accepted.length} of ${runs.length} probes it must refuse: ${acceptedNames.join(', ')}`,
    };
  } else if (unproven !== undefined) {
    failure = {
      run: unproven,
      phase: unproven.result.phase,
      reason: unproven.result.reason,
      message: `probe ${unproven.probe} could not prove enforcement: ${unproven.result.message ?? 'no message'}`,
    };
  }
  return combineWalks(
    target,
    check,
    runId,
    runs.map((run) => run.result),
    timing,
    {
      failure: failure === null ? null : { walk: failure.run.result, phase: failure.phase, reason: failure.reason, message: failure.message },
      shownOnSuccess: runs[0]?.result,
      protocol: NO_PROTOCOL,
      details: { probes: runs.length, rejected: rejected.length, accepted: acceptedNames.join(',') },
    },
  );
}
