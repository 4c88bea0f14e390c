/**
 * One verdict for a whole storm, from the results of its K connections.
 */
import type { HandshakeStormCheck, TargetConfig } from '../../config/types.ts';
import type { Reason } from '../../result/reasons.ts';
import type { CheckResult } from '../../result/types.ts';
import { combineWalks, NO_PROTOCOL, type WalksTiming } from '../../walk/result.ts';

/**
 * How telling a connection's failure is about the handshake race: a shutdown first (the storm is
 * then `cancelled`, whatever else happened), then 1011, then a dropped socket, then anything else.
 */
function rank(reason: Reason | null): number {
  switch (reason) {
    case 'cancelled':
      return 0;
    case 'close_1011':
      return 1;
    case 'close_abnormal':
      return 2;
    default:
      return 3;
  }
}

/** Failure reasons with their counts, most telling first, then in order of the first connection that had each. */
function countReasons(failures: readonly CheckResult[]): [Reason, number][] {
  const counts = new Map<Reason, number>();
  for (const result of failures) {
    if (result.reason !== null) counts.set(result.reason, (counts.get(result.reason) ?? 0) + 1);
  }
  return [...counts].sort(([a], [b]) => rank(a) - rank(b));
}

/**
 * The storm's result. Success when every connection reached the welcome; otherwise a failure
 * with the phase, reason, close and transcript of the most telling failed connection (see
 * {@link rank}; ties go to the lowest connection index), a message counting the failures by
 * reason, and `details` with `connections`, `welcomed`, `failed` and one `failed_<reason>` count
 * per reason seen. `phases` holds, per timed phase, the slowest connection's time. The protocol
 * and, on success, the transcript are those of the first welcomed connection.
 */
export function stormResult(
  target: TargetConfig,
  check: HandshakeStormCheck,
  runId: string,
  results: readonly CheckResult[],
  timing: WalksTiming,
): CheckResult {
  const failures = results.filter((result) => result.result === 'failure');
  const welcomed = results.filter((result) => result.result !== 'failure');
  const firstWelcomed = welcomed[0];
  const telling = failures.reduce<CheckResult | undefined>(
    (best, result) => (best === undefined || rank(result.reason) < rank(best.reason) ? result : best),
    undefined,
  );
  const reasons = countReasons(failures);
  const details: Record<string, number> = { connections: results.length, welcomed: welcomed.length, failed: failures.length };
  for (const [reason, count] of reasons) details[`failed_${reason}`] = count;
  const failure =
    telling === undefined
      ? null
      : {
          walk: telling,
          phase: telling.phase,
          reason: telling.reason,
          message: `${failures.length} of ${results.length} connections failed: ${reasons.map(([reason, count]) => `${reason} (${count})`).join(', ')}`,
        };
  return combineWalks(target, check, runId, results, timing, {
    failure,
    shownOnSuccess: firstWelcomed,
    protocol: firstWelcomed?.protocol ?? NO_PROTOCOL,
    details,
  });
}
